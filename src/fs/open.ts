/** fs/open.c: open(2), openat(2) and close(2) on the model's files. */
import { errno, sarg, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import * as E from '../include/uapi/asm-generic/errno.js';
import { task_rlimit } from '../include/linux/sched/signal.js';
import { RLIMIT_NOFILE } from '../include/uapi/asm-generic/resource.js';
import { strncpy_from_user } from '../lib/strncpy_from_user.js';
import { get_files_struct } from './file.js';

/** PATH_MAX */
const PATH_MAX = 4096;

/**
 * do_sys_open(): the path (getname), the file (a rootfs file, a /proc or cgroup file, /dev/null),
 * write access to a read-only virtual file refused, then the lowest free fd under RLIMIT_NOFILE.
 * `dfd` is not used: every path the model opens is absolute.
 */
function do_sys_open(c: SyscallContext, filename: bigint, flags: number): SyscallRet {
  const path = strncpy_from_user(c, filename, PATH_MAX);
  if (typeof path !== 'string') return errno(E.EFAULT);
  if (path.length > PATH_MAX - 1) return errno(E.ENAMETOOLONG);
  const vf = c.vfs.filename_lookup(path, c.t);
  if (!vf && !c.vfs.d_lookup(path) && path !== '/dev/null') return errno(E.ENOENT);
  if ((flags & 3) !== 0 && vf && !vf.write) return errno(E.EACCES);
  const table = get_files_struct(c.k, c.t);
  let fd = 0;
  while (table.has(fd)) fd++;
  if (BigInt(fd) >= task_rlimit(c.t, RLIMIT_NOFILE, c.procs.maxProcesses)[0]) return errno(E.EMFILE);
  table.set(fd, { path, pos: 0, kind: 'virtual', flags });
  return BigInt(fd);
}

/** open(filename, flags, mode) (x86-64 only; arm64 has openat alone) */
export function sys_open(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return do_sys_open(c, a[0]!, sarg(a, 1));
}

/** openat(dfd, filename, flags, mode) */
export function sys_openat(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return do_sys_open(c, a[1]!, sarg(a, 2));
}

/** close(fd) */
export function sys_close(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return get_files_struct(c.k, c.t).delete(sarg(a, 0)) ? 0n : errno(E.EBADF);
}
