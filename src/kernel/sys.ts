/**
 * kernel/sys.c: the checks of do_prlimit() and the small system calls of this file (ids, uname,
 * umask, prctl, rlimits).  The limits themselves: src/include/linux/sched/signal.ts task_rlimit().
 */
import { errno, sarg, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { EFAULT, EINVAL, EPERM, ESRCH } from '../include/uapi/asm-generic/errno.js';
import type { Task } from '../include/linux/sched.js';
import { task_rlimit } from '../include/linux/sched/signal.js';
import { RLIM_NLIMITS, RLIMIT_NOFILE } from '../include/uapi/asm-generic/resource.js';
import { strncpy_from_user } from '../lib/strncpy_from_user.js';
import { copy_to_user } from '../lib/usercopy.js';
import { memdup_user } from '../mm/util.js';

/** sysctl fs.nr_open default (1024 * 1024): the ceiling of RLIMIT_NOFILE. */
const NR_OPEN = 1024n * 1024n;

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

// ---------------------------------------------------------------- system calls

/** getpid(): the thread group id */
export function sys_getpid(c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return BigInt(c.t.tgid);
}

/** gettid() */
export function sys_gettid(c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return BigInt(c.t.pid);
}

/** getppid(): the parent's thread group id (0 for init) */
export function sys_getppid(c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return BigInt(c.t.parent?.tgid ?? 0);
}

/** getuid(): one id per task in the model: uid = euid = gid = egid */
export function sys_getuid(c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return BigInt(c.t.uid);
}

/** geteuid() */
export function sys_geteuid(c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return BigInt(c.t.uid);
}

/** getgid() */
export function sys_getgid(c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return BigInt(c.t.uid);
}

/** getegid() */
export function sys_getegid(c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return BigInt(c.t.uid);
}

/** struct new_utsname: six fields of __NEW_UTS_LEN + 1 = 65 bytes. */
const UTS_FIELD = 65;

/** newuname(name) (the uname syscall): release and version from the profile, machine = the arch. */
export function sys_newuname(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const { k } = c;
  const field = (s: string) => Buffer.concat([Buffer.from(s), Buffer.alloc(UTS_FIELD - s.length)]);
  const release = k.profile.release[k.arch].split(' ')[0]!;
  const buf = Buffer.concat([
    field('Linux'),
    field('faultpath'),
    field(release),
    field(k.profile.buildVersion),
    field(k.arch),
    field('(none)'),
  ]);
  return copy_to_user(c, a[0]!, buf) === 0 ? 0n : errno(EFAULT);
}

/** umask(mask): the model keeps no umask; the default 022 is reported. */
export function sys_umask(_c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return 0o22n;
}

const PR_SET_NAME = 15;
/** TASK_COMM_LEN */
const TASK_COMM_LEN = 16;

/** prctl(option, ...): PR_SET_NAME only. */
export function sys_prctl(c: SyscallContext, a: SyscallArgs): SyscallRet {
  if (sarg(a, 0) !== PR_SET_NAME) return errno(EINVAL);
  const s = strncpy_from_user(c, a[1]!, TASK_COMM_LEN);
  if (typeof s !== 'string') return errno(EFAULT);
  c.t.comm = s.slice(0, TASK_COMM_LEN - 1);
  return 0n;
}

/**
 * do_prlimit() for a task found and alive, the new limit already read: -EINVAL for an unknown
 * resource; returns the old limit through `oldRlim` (if not NULL) and installs the new one.
 */
function do_prlimit(
  c: SyscallContext,
  tsk: Task,
  resource: number,
  newRlim: readonly [bigint, bigint] | null,
  oldRlim: bigint,
): SyscallRet {
  if (resource < 0 || resource >= RLIM_NLIMITS) return errno(EINVAL);
  const max = c.procs.maxProcesses;
  const cur = task_rlimit(tsk, resource, max);
  if (newRlim) {
    const r = setRlimit(tsk, resource, newRlim, max);
    if (r < 0) return BigInt(r);
  }
  if (oldRlim !== 0n) {
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(cur[0], 0);
    b.writeBigUInt64LE(cur[1], 8);
    if (copy_to_user(c, oldRlim, b) !== 0) return errno(EFAULT);
  }
  return 0n;
}

/** A task whose limits can be read: alive and not a kernel thread. */
const rlimitTarget = (t: Task | undefined): t is Task => !!t && t.state !== 'X' && !t.isKthread;

/** getrlimit(resource, rlim) */
export function sys_getrlimit(c: SyscallContext, a: SyscallArgs): SyscallRet {
  if (!rlimitTarget(c.t)) return errno(ESRCH);
  return do_prlimit(c, c.t, sarg(a, 0), null, a[1]!);
}

/** prlimit64(pid, resource, new_rlim, old_rlim): look up the task, read the new limit, then do_prlimit(). */
export function sys_prlimit64(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const pid = sarg(a, 0);
  const tsk = pid !== 0 ? c.k.sched.tasks.get(pid) : c.t;
  if (!rlimitTarget(tsk)) return errno(ESRCH);
  let newRlim: [bigint, bigint] | null = null;
  if (a[2] !== 0n) {
    const nb = memdup_user(c, a[2]!, 16);
    if (!nb) return errno(EFAULT);
    newRlim = [nb.readBigUInt64LE(0), nb.readBigUInt64LE(8)];
  }
  return do_prlimit(c, tsk, sarg(a, 1), newRlim, a[3]!);
}
