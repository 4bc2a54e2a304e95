/**
 * Page-table pages: pte_alloc_one() / pmd_alloc_one() / pud_alloc_one() (include/asm-generic/pgalloc.h
 * and the arch pgalloc.h) allocate with GFP_PGTABLE_USER (GFP_KERNEL | __GFP_ZERO, plus
 * __GFP_ACCOUNT where the profile accounts page tables) and charge the mm's memcg as kmem;
 * pte_free() and friends give the page back.
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import type { MmStruct } from '../include/linux/mm_types.js';
import { PageKind } from '../include/linux/mmzone.js';
import { mem_cgroup_uncharge, mmMemcg, try_charge } from './memcontrol.js';
import { __alloc_pages } from './page_alloc.js';

/** A table page for `level` (1 pud, 2 pmd, 3 pte); -1 on failure. */
export function pte_alloc_one(k: KernelState, mm: MmStruct, level: number): number {
  const G = k.profile.gfp;
  const accounted = k.profile.pgtableAccounted[k.arch];
  const gfp = G.GFP_KERNEL | G.ZERO | (accounted ? G.ACCOUNT : 0);
  const pfn = __alloc_pages(k, gfp, 0, { kind: PageKind.PageTable });
  if (pfn < 0) return -1;
  if (accounted) {
    const memcg = mmMemcg(k, mm.ownerPid);
    if (try_charge(k, memcg, gfp, 1) !== 0) {
      k.phys.freeFrame(pfn);
      return -1;
    }
    k.phys.memcg[pfn] = memcg.id;
    memcg.stat.kernel++;
    // NR_PAGETABLE counts pte and pmd tables (pgtable_*_page_ctor); pud tables have no ctor.
    if (level >= 2) memcg.stat.pagetables++;
  }
  return pfn;
}

export function pte_free(k: KernelState, pfn: number, level: number): void {
  const id = k.phys.memcg[pfn]!;
  if (id) {
    const m = k.memcg.get(id);
    m.stat.kernel--;
    if (level >= 2) m.stat.pagetables--;
    mem_cgroup_uncharge(k, m, 1);
    k.phys.memcg[pfn] = 0;
  }
  k.phys.freeFrame(pfn);
}
