/** arch/x86/kernel/sys_x86_64.c: x86-64's mmap(2). */
import {
  sarg,
  type SyscallArgs,
  type SyscallContext,
  type SyscallRet,
} from '../../../src/include/faultpath/syscall.js';
import { PAGE_SIZE } from '../../../src/include/linux/mmzone.js';
import { ksys_mmap_pgoff } from '../../../src/mm/mmap.js';

/** mmap(addr, len, prot, flags, fd, off): the byte offset in pages (its alignment is not checked by the model). */
export function sys_mmap(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return ksys_mmap_pgoff(c, a[0]!, a[1]!, sarg(a, 2), sarg(a, 3), sarg(a, 4), Math.floor(sarg(a, 5) / PAGE_SIZE));
}
