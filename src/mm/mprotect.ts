/** mm/mprotect.c: mprotect(2). */
import { sarg, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { do_mprotect_pkey } from './mmap.js';

/** mprotect(start, len, prot): PROT_READ/WRITE/EXEC only (the other bits are ignored by the model). */
export function sys_mprotect(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return BigInt(do_mprotect_pkey(c.k, c.t.mm!, Number(a[0]), sarg(a, 1), sarg(a, 2) & 7));
}
