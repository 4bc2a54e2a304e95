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
import { VM_FAULT_MAJOR } from '../include/linux/mm_types.js';
import { VM_FAULT_NOPAGE } from '../include/linux/mm_types.js';
import { VM_FAULT_OOM } from '../include/linux/mm_types.js';
import type { VmFault } from '../include/linux/mm_types.js';
import { linear_page_index } from '../include/linux/pagemap.js';
import { mmMemcg } from './memcontrol.js';
import { vmFaultName } from '../include/linux/mm_types.js';
import { PAGE_SIZE } from '../include/linux/mmzone.js';

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

/** What a ->fault handler found: the page, and whether it entered the cache now (`fresh`). */
export interface FaultedFolio {
  ret: number;
  pfn: number;
  fresh: boolean;
}

/** filemap_fault(): the page-cache page of the fault, read in on a miss (a major fault). */
export function filemap_fault(k: KernelState, vmf: VmFault): FaultedFolio {
  return k.tracer.call(
    'filemap_fault',
    { index: linear_page_index(vmf.vma, vmf.address) },
    () => __filemap_get_folio(k, vmf),
    (r) => vmFaultName(r.ret),
  );
}

/**
 * __filemap_get_folio(FGP_CREAT): the cached page, or a new one (a major fault, except for a
 * tmpfs page never seen before, which shmem allocates zeroed).
 */
export function __filemap_get_folio(k: KernelState, vmf: VmFault): FaultedFolio {
  const file = vmf.vma.file!;
  const index = linear_page_index(vmf.vma, vmf.address);
  let pfn = filemap_get_folio(k, file.id, index);
  let ret = 0;
  const fresh = pfn < 0;
  if (pfn < 0) {
    if (!file.shmem || filemap_had_folio(k, file.id, index)) {
      ret |= VM_FAULT_MAJOR;
      k.mm.events.pgmajfault++;
      mmMemcg(k, vmf.mm.ownerPid).stat.pgmajfault++;
    }
    pfn = filemap_add_folio(k, file, index, mmMemcg(k, vmf.mm.ownerPid));
    if (pfn < 0) return { ret: VM_FAULT_OOM, pfn: -1, fresh: false };
  }
  return { ret, pfn, fresh };
}

/**
 * filemap_map_pages(): map every page of [start, end] that is already in the page cache, below
 * EOF and whose PTE is still none — without reading anything in.  `set_pte` is mm/memory.c's
 * do_set_pte(), as finish_fault() uses it.
 */
export function filemap_map_pages(
  k: KernelState,
  vmf: VmFault,
  set_pte: (vmf: VmFault, pfn: number) => void,
  startPgoff: number,
  endPgoff: number,
): number {
  return k.tracer.call(
    'filemap_map_pages',
    { start_pgoff: startPgoff, end_pgoff: endPgoff },
    () => {
      const { vma, mm } = vmf;
      const file = vma.file!;
      const maxIdx = Math.ceil(file.bytes.length / PAGE_SIZE);
      let ret = 0;
      for (let index = startPgoff; index <= endPgoff && index < maxIdx; index++) {
        const pfn = filemap_get_folio(k, file.id, index);
        if (pfn < 0) continue;
        const address = vma.start + (index - vma.pgoff) * PAGE_SIZE;
        const old = mm.pgtable.getPte(address);
        if (old && (old[0] !== 0 || old[1] !== 0)) continue;
        set_pte({ ...vmf, address }, pfn);
        if (address === vmf.address) ret = VM_FAULT_NOPAGE;
      }
      return ret;
    },
    vmFaultName,
  );
}
