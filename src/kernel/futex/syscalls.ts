/** kernel/futex/syscalls.c: futex(2) and the robust-list registration. */
import type { SyscallArgs, SyscallContext, SyscallRet } from '../../include/faultpath/syscall.js';

/** set_robust_list(head, len): accepted; the list is never walked (no futex state in the model). */
export function sys_set_robust_list(_c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return 0n;
}

/** futex(uaddr, op, ...): returns 0 at once (no wait queues: guests run one thread at a time). */
export function sys_futex(_c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return 0n;
}
