/** kernel/sched/core.c: sched_yield(2). */
import type { SyscallArgs, SyscallContext, SyscallRet } from '../../include/faultpath/syscall.js';

/** sched_yield(): the caller goes to the back of the run queue. */
export function sys_sched_yield(c: SyscallContext, _a: SyscallArgs): SyscallRet {
  c.sched.makeRunnable(c.t);
  return 0n;
}
