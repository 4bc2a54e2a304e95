/** fs/d_path.c: getcwd(2). */
import { errno, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { EFAULT } from '../include/uapi/asm-generic/errno.js';
import { copy_to_user } from '../lib/usercopy.js';

/** getcwd(buf, size): every task's working directory is "/"; returns the length with the NUL. */
export function sys_getcwd(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const s = Buffer.from('/\0');
  return copy_to_user(c, a[0]!, s) === 0 ? BigInt(s.length) : errno(EFAULT);
}
