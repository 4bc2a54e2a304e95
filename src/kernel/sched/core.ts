/** kernel/sched/core.c: waking a sleeping task, and sched_yield(2). */
import type { SyscallArgs, SyscallContext, SyscallRet } from '../../include/faultpath/syscall.js';
import { KernelState } from '../../include/faultpath/kernel_state.js';
import type { Task } from '../../include/linux/sched.js';
import { memcgOomWaitFinished } from '../../mm/memcontrol.js';

/** sched_yield(): the caller goes to the back of the run queue. */
export function sys_sched_yield(c: SyscallContext, _a: SyscallArgs): SyscallRet {
  c.sched.makeRunnable(c.t);
  return 0n;
}

/**
 * try_to_wake_up(): a sleeping task becomes runnable (sched:sched_wakeup); a task woken from the
 * memcg OOM wait queue finishes its wait (mem_cgroup_oom_synchronize's finish_wait).
 */
export function try_to_wake_up(k: KernelState, t: Task, reason: string): void {
  if (t.state !== 'S') return;
  if (t.wake?.waitq?.startsWith('memcg_oom:')) memcgOomWaitFinished(k, t);
  t.state = 'R';
  t.wake = null;
  k.tracer.emit('tracepoint', {
    system: 'sched',
    name: 'sched_wakeup',
    fields: { comm: t.comm, pid: t.pid, reason },
    text: `comm=${t.comm} pid=${t.pid} prio=120 target_cpu=000`,
  });
}
