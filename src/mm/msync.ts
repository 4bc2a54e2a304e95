/** mm/msync.c: msync(2). */
import type { SyscallArgs, SyscallContext, SyscallRet } from '../include/faultpath/syscall.js';

/** msync(start, len, flags): succeeds; the model has no writeback to wait for. */
export function sys_msync(_c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return 0n;
}
