/**
 * TLB invalidation after a PTE change (flush_tlb_page / flush_tlb_range of
 * arch/<arch>/include/asm/tlbflush.h, reached through the mmu_gather of mm/mmu_gather.c).  The
 * model's TLB is the per-mm software TLB the MMU hook fills (src/hw/mmu.ts), the same on both
 * architectures.
 */
import type { MmStruct } from '../include/linux/mm_types.js';
import { PAGE_SIZE } from '../include/linux/mmzone.js';

export function flush_tlb_page(mm: MmStruct, address: number): void {
  mm.tlb.delete(Math.floor(address / PAGE_SIZE));
}

export function flush_tlb_range(mm: MmStruct, start: number, end: number): void {
  if ((end - start) / PAGE_SIZE > mm.tlb.size) {
    for (const vpn of [...mm.tlb.keys()]) if (vpn * PAGE_SIZE >= start && vpn * PAGE_SIZE < end) mm.tlb.delete(vpn);
  } else {
    for (let a = start; a < end; a += PAGE_SIZE) mm.tlb.delete(Math.floor(a / PAGE_SIZE));
  }
}
