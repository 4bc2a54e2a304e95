/** kernel/rseq.c: rseq(2). */
import { errno, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { ENOSYS } from '../include/uapi/asm-generic/errno.js';

/** rseq(): -ENOSYS as a kernel without CONFIG_RSEQ answers; the C library then runs without it. */
export function sys_rseq(_c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return errno(ENOSYS);
}
