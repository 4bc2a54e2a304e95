/**
 * Resource limits: INIT_RLIMITS (include/asm-generic/resource.h) and the checks of
 * do_prlimit() (kernel/sys.c).  A task's limits live in its signal_struct in Linux — shared by
 * the thread group, copied at fork, kept across exec — which Task.rlimits models as overrides
 * of the defaults.
 */
import { EINVAL, EPERM } from '../include/uapi/asm-generic/errno.js';
import type { Task } from '../include/linux/sched.js';

export const RLIM_INFINITY = 0xffffffffffffffffn;
export const RLIM_NLIMITS = 16;
export const RLIMIT_STACK = 3;
export const RLIMIT_NPROC = 6;
export const RLIMIT_NOFILE = 7;

/** _STK_LIM: the default stack soft limit, 8 MiB. */
export const STK_LIM = 8 * 1024 * 1024;

/** sysctl fs.nr_open default (1024 * 1024): the ceiling of RLIMIT_NOFILE. */
const NR_OPEN = 1024n * 1024n;

/** INIT_RLIMITS of 6.1, index = resource; RLIMIT_NPROC and SIGPENDING are set per machine. */
const INIT_RLIMITS: readonly (readonly [bigint, bigint])[] = [
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_CPU
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_FSIZE
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_DATA
  [BigInt(STK_LIM), RLIM_INFINITY], // RLIMIT_STACK: _STK_LIM
  [0n, RLIM_INFINITY], // RLIMIT_CORE
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_RSS
  [0n, 0n], // RLIMIT_NPROC (replaced by the machine's process limit)
  [1024n, 4096n], // RLIMIT_NOFILE: INR_OPEN_CUR, INR_OPEN_MAX
  [8n * 1024n * 1024n, 8n * 1024n * 1024n], // RLIMIT_MEMLOCK: MLOCK_LIMIT
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_AS
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_LOCKS
  [0n, 0n], // RLIMIT_SIGPENDING
  [819200n, 819200n], // RLIMIT_MSGQUEUE: MQ_BYTES_MAX
  [0n, 0n], // RLIMIT_NICE
  [0n, 0n], // RLIMIT_RTPRIO
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_RTTIME
];

/** task_rlimit() / task_rlimit_max(): [cur, max] of `resource` for `t`. */
export function task_rlimit(t: Task, resource: number, maxProcesses: number): readonly [bigint, bigint] {
  const own = t.rlimits.get(resource);
  if (own) return own;
  if (resource === RLIMIT_NPROC) return [BigInt(maxProcesses), BigInt(maxProcesses)];
  return INIT_RLIMITS[resource]!;
}

/**
 * do_prlimit()'s checks for a new limit: cur > max → -EINVAL; NOFILE above nr_open → -EPERM;
 * raising the hard limit needs CAP_SYS_RESOURCE (root here).  Returns 0 or a negative errno.
 */
export function setRlimit(t: Task, resource: number, lim: readonly [bigint, bigint], maxProcesses: number): number {
  const [cur, max] = lim;
  if (cur > max) return -EINVAL;
  if (resource === RLIMIT_NOFILE && max > NR_OPEN) return -EPERM;
  const old = task_rlimit(t, resource, maxProcesses);
  if (max > old[1] && t.uid !== 0) return -EPERM;
  t.rlimits.set(resource, [cur, max]);
  return 0;
}
