/**
 * fs/read_write.c: read(2), write(2), their positional forms, writev(2) and lseek(2) on the
 * model's open files (the terminal, /proc and cgroup files, files of the rootfs).
 */
import { errno, sarg, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import * as E from '../include/uapi/asm-generic/errno.js';
import { copy_to_user } from '../lib/usercopy.js';
import { memdup_user } from '../mm/util.js';
import { fdget } from './file.js';

/** user addresses end here on both arches (the larger, arm64 48-bit): the access_ok() bound */
const TASK_SIZE_LIMIT = 2n ** 48n;
/** MAX_RW_COUNT as the model clamps it: at most 1 MiB moves per call (a short read/write) */
const MAX_RW_COUNT = 1 << 20;

/** access_ok(): the whole user range lies below TASK_SIZE. */
function access_ok(addr: bigint, size: bigint): boolean {
  return size <= TASK_SIZE_LIMIT && addr + size <= TASK_SIZE_LIMIT;
}

/** ksys_write(): FMODE_WRITE, access_ok, the MAX_RW_COUNT clamp, then the terminal or the file's write. */
function ksys_write(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const fd = sarg(a, 0);
  const f = fdget(c.k, c.t, fd);
  if (!f || (f.flags & 3) === 0) return errno(E.EBADF); // FMODE_WRITE
  if (!access_ok(a[1]!, a[2]!)) return errno(E.EFAULT);
  const len = Math.min(Number(a[2]!), MAX_RW_COUNT);
  const data = memdup_user(c, a[1]!, len);
  if (!data) return errno(E.EFAULT);
  if (f.kind === 'tty') {
    c.console.output(c.t, fd, data.toString('utf8'));
    return BigInt(len);
  }
  const vf = c.vfs.filename_lookup(f.path, c.t);
  if (!vf?.write) return errno(E.EACCES);
  return BigInt(vf.write(data.toString('utf8')));
}

/** ksys_read(): FMODE_READ, access_ok, then the file's contents from f_pos (the terminal reads EOF). */
function ksys_read(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const f = fdget(c.k, c.t, sarg(a, 0));
  if (!f || (f.flags & 3) === 1) return errno(E.EBADF); // FMODE_READ
  if (!access_ok(a[1]!, a[2]!)) return errno(E.EFAULT);
  if (f.kind === 'tty') return 0n;
  const vf = c.vfs.filename_lookup(f.path, c.t);
  const file = vf ? undefined : c.vfs.d_lookup(f.path);
  if (!vf && !file && f.path !== '/dev/null') return errno(E.ENOENT);
  const content = vf ? Buffer.from(vf.read(), 'utf8') : Buffer.from(file?.bytes ?? new Uint8Array(0));
  const chunk = content.subarray(f.pos, f.pos + Math.min(Number(a[2]!), MAX_RW_COUNT));
  if (copy_to_user(c, a[1]!, chunk) !== 0) return errno(E.EFAULT);
  f.pos += chunk.length;
  return BigInt(chunk.length);
}

/** read(fd, buf, count) */
export function sys_read(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return ksys_read(c, a);
}

/** write(fd, buf, count) */
export function sys_write(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return ksys_write(c, a);
}

/** pread64(fd, buf, count, pos): the model reads at f_pos, like read(2) (the offset is not modeled). */
export function sys_pread64(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return ksys_read(c, a);
}

/** pwrite64(fd, buf, count, pos): the model writes like write(2) (the offset is not modeled). */
export function sys_pwrite64(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return ksys_write(c, a);
}

/** writev(fd, iov, iovcnt): each iovec in turn; only the terminal shows the bytes. */
export function sys_writev(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const fd = sarg(a, 0);
  const f = fdget(c.k, c.t, fd);
  if (!f) return errno(E.EBADF);
  let total = 0;
  for (let i = 0; i < sarg(a, 2); i++) {
    const iov = memdup_user(c, a[1]! + BigInt(i * 16), 16);
    if (!iov) return errno(E.EFAULT);
    const data = memdup_user(c, iov.readBigUInt64LE(0), Number(iov.readBigUInt64LE(8)));
    if (!data) return errno(E.EFAULT);
    if (f.kind === 'tty') c.console.output(c.t, fd, data.toString('utf8'));
    total += data.length;
  }
  return BigInt(total);
}

/** lseek(fd, offset, whence): SEEK_SET and SEEK_CUR. */
export function sys_lseek(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const f = fdget(c.k, c.t, sarg(a, 0));
  if (!f) return errno(E.EBADF);
  const whence = sarg(a, 2);
  if (whence === 0) f.pos = sarg(a, 1);
  else if (whence === 1) f.pos += sarg(a, 1);
  else return errno(E.EINVAL);
  return BigInt(f.pos);
}
