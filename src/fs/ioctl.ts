/** fs/ioctl.c: ioctl(2). */
import { errno, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { ENOTTY } from '../include/uapi/asm-generic/errno.js';

/** ioctl(fd, cmd, arg): -ENOTTY for every request (the C library's isatty() then says "not a terminal"). */
export function sys_ioctl(_c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return errno(ENOTTY);
}
