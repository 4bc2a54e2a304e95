/** mm/madvise.c: madvise(2). */
import { sarg, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { do_madvise } from './mmap.js';

/** madvise(start, len, behavior) */
export function sys_madvise(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return BigInt(do_madvise(c.k, c.t.mm!, Number(a[0]), sarg(a, 1), sarg(a, 2)));
}
