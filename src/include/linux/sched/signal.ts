/** include/linux/sched/signal.h: a task's resource limits (signal->rlim). */
import { INIT_RLIMITS } from '../../asm-generic/resource.js';
import { RLIMIT_NPROC } from '../../uapi/asm-generic/resource.js';
import type { Task } from '../sched.js';

/**
 * task_rlimit() / task_rlimit_max(): [cur, max] of `resource` for `t`.  A task's limits live in
 * its signal_struct — shared by the thread group, copied at fork, kept across exec — which
 * Task.rlimits models as overrides of INIT_RLIMITS; RLIMIT_NPROC defaults to the machine's limit.
 */
export function task_rlimit(t: Task, resource: number, maxProcesses: number): readonly [bigint, bigint] {
  const own = t.rlimits.get(resource);
  if (own) return own;
  if (resource === RLIMIT_NPROC) return [BigInt(maxProcesses), BigInt(maxProcesses)];
  return INIT_RLIMITS[resource]!;
}
