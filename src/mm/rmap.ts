/**
 * Reverse mapping of user pages (mm/rmap.c) and the LRU insertion and memcg commit that go with a
 * new anonymous page (page_add_new_anon_rmap() + lru_cache_add_inactive_or_unevictable() +
 * the memcg charge commit), and the unmap side (page_remove_rmap() + put_page()).
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import type { MemCgroup } from '../include/linux/memcontrol.js';
import type { MmStruct } from '../include/linux/mm_types.js';
import { Lru, PageKind } from '../include/linux/mmzone.js';
import { uncharge_folio } from './memcontrol.js';

export function page_add_new_anon_rmap(
  k: KernelState,
  pfn: number,
  memcg: MemCgroup,
  mm: MmStruct,
  address: number,
): void {
  k.phys.memcg[pfn] = memcg.id;
  k.phys.rmapAdd(pfn, { mmId: mm.id, address });
  k.phys.lruAdd(pfn, Lru.InactiveAnon);
  memcg.stat.anon++;
  memcg.stat.inactive_anon++;
}

/** page_remove_rmap() + put_page() for one mapping of pfn in mm at address. */
export function page_remove_rmap(k: KernelState, pfn: number, mm: MmStruct, address: number): void {
  const p = k.phys;
  p.rmapDel(pfn, mm.id, address);
  const kind = p.kind[pfn] as PageKind;
  if (kind === PageKind.File || kind === PageKind.Shmem) {
    const id = p.memcg[pfn]!;
    if (id) k.memcg.get(id).stat.file_mapped--;
    p.refcount[pfn]!--;
    return; // stays in the page cache
  }
  p.refcount[pfn]!--;
  if (p.refcount[pfn]! <= 0 && p.mapcount[pfn]! <= 0) {
    uncharge_folio(k, pfn);
    p.freeFrame(pfn);
  }
}
