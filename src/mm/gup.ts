/**
 * Faulting user pages in from kernel mode (mm/gup.c faultin_page(), and the fixup path of
 * copy_{from,to}_user): the access is retried after handle_mm_fault() until the page table
 * permits it.  Returns 0, -EFAULT or -ENOMEM.
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import { VM_GROWSDOWN } from '../include/linux/mm.js';
import type { MmStruct, Vma } from '../include/linux/mm_types.js';
import { EFAULT, ENOMEM } from '../include/uapi/asm-generic/errno.js';
import { tlb_fill } from '../hw/mmu.js';
import { handle_mm_fault } from './memory.js';
import { expand_stack, find_vma } from './mmap.js';
import { VM_FAULT_OOM } from '../include/linux/mm_types.js';
import { VM_FAULT_SIGBUS } from '../include/linux/mm_types.js';
import { VM_FAULT_SIGSEGV } from '../include/linux/mm_types.js';

/**
 * `fromUser`: the fault is taken on behalf of the task running in the engine (its MMU hook), so
 * handle_mm_fault() sees FAULT_FLAG_USER; a system call's access from kernel mode does not.
 */
export function faultin_page(
  k: KernelState,
  mm: MmStruct,
  vma: Vma | undefined,
  address: number,
  write: boolean,
  fromUser: boolean,
): number {
  const access = write ? 'write' : 'read';
  if (tlb_fill(mm.pgtable, mm.tlb, address, access)) return 0;
  let v = vma ?? find_vma(mm, address);
  if (!v) return -EFAULT;
  if (v.start > address && (!(v.flags & VM_GROWSDOWN) || !expand_stack(k, mm, v, address))) return -EFAULT;
  if (v.special) return -EFAULT;
  const F = k.profile.faultFlags;
  const flags = F.DEFAULT | (write ? F.WRITE : 0) | (fromUser ? F.USER : 0);
  for (let i = 0; i < 4; i++) {
    const r = handle_mm_fault(k, v, address, flags);
    if (r & VM_FAULT_OOM) return -ENOMEM;
    if (r & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)) return -EFAULT;
    if (tlb_fill(mm.pgtable, mm.tlb, address, access)) return 0;
    v = find_vma(mm, address) ?? v;
  }
  return -EFAULT;
}
