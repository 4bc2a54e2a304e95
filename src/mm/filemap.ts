/**
 * The page cache (mm/filemap.c): one home for file pages, keyed by file and page index, with the
 * memcg charge of the task that first brought the page in.
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import type { ModelFile } from '../include/linux/fs.js';
import type { MemCgroup } from '../include/linux/memcontrol.js';
import { Lru, PageKind } from '../include/linux/mmzone.js';
import { try_charge, uncharge_folio } from './memcontrol.js';
import { __alloc_pages } from './page_alloc.js';

/** filemap_get_folio(): the pfn caching `index` of the file, or -1. */
export function filemap_get_folio(k: KernelState, fileId: number, index: number): number {
  return k.mm.pageCache.files.get(fileId)?.get(index) ?? -1;
}

/** Whether the page was in the cache once (its shadow entry: a fault on it now is a refault). */
export function filemap_had_folio(k: KernelState, fileId: number, index: number): boolean {
  return k.mm.pageCache.seen.has(`${fileId}:${index}`);
}

/** filemap_add_folio(): allocate, charge to the faulting mm's memcg, insert into the cache. */
export function filemap_add_folio(k: KernelState, file: ModelFile, index: number, memcg: MemCgroup): number {
  const G = k.profile.gfp;
  const kind = file.shmem ? PageKind.Shmem : PageKind.File;
  const pfn = __alloc_pages(k, G.GFP_HIGHUSER_MOVABLE, 0, { kind, userChain: true });
  if (pfn < 0) return -1;
  if (try_charge(k, memcg, G.GFP_KERNEL, 1) !== 0) {
    k.phys.freeFrame(pfn);
    return -1;
  }
  k.phys.memcg[pfn] = memcg.id;
  memcg.stat.file++;
  if (file.shmem) memcg.stat.shmem++;
  k.phys.mapping.set(pfn, { file: file.id, index });
  const cache = k.mm.pageCache;
  let m = cache.files.get(file.id);
  if (!m) cache.files.set(file.id, (m = new Map()));
  m.set(index, pfn);
  cache.seen.add(`${file.id}:${index}`);
  // shmem pages are swap-backed: on the anon LRU, unevictable without swap.
  k.phys.lruAdd(pfn, file.shmem ? Lru.InactiveAnon : Lru.InactiveFile);
  if (file.shmem) memcg.stat.inactive_anon++;
  else memcg.stat.inactive_file++;
  k.phys.refcount[pfn] = 1; // the page cache's own reference
  return pfn;
}

/** delete_from_page_cache() + the final put of an unmapped page-cache page (reclaim). */
export function delete_from_page_cache(k: KernelState, pfn: number): void {
  const m = k.phys.mapping.get(pfn);
  if (m) k.mm.pageCache.files.get(m.file)?.delete(m.index);
  uncharge_folio(k, pfn);
  k.phys.freeFrame(pfn);
}

/** global_node_page_state(NR_FILE_PAGES) */
export function nr_file_pages(k: KernelState): number {
  let n = 0;
  for (const m of k.mm.pageCache.files.values()) n += m.size;
  return n;
}
