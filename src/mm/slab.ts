/**
 * Accounted slab objects (SLAB_ACCOUNT caches: mm_struct, vm_area_struct).  memcg_slab_post_alloc_hook()
 * and memcg_slab_free_hook() (mm/slab.h) charge through obj_cgroup_charge() (mm/memcontrol.c), which
 * charges whole pages and keeps the remainder in the per-CPU obj stock, so the memcg's kernel usage
 * grows by ceil(bytes / PAGE_SIZE) of the mm's objects.
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import type { MmStruct } from '../include/linux/mm_types.js';
import { PAGE_SIZE } from '../include/linux/mmzone.js';
import { mem_cgroup_uncharge, try_charge } from './memcontrol.js';

/** kmem_cache object sizes of the accounted caches (6.1, 64-bit; approximate) */
export const SLAB_MM_STRUCT = 1152;
export const SLAB_VM_AREA_STRUCT = 152;

/** Charge (bytes > 0) or uncharge (bytes < 0) the mm's slab objects; false when the charge fails. */
export function memcg_slab_post_alloc_hook(k: KernelState, mm: MmStruct, bytes: number): boolean {
  const memcg = k.memcg.get(mm.slab.memcgId);
  const before = Math.ceil(mm.slab.bytes / PAGE_SIZE);
  const after = Math.ceil((mm.slab.bytes + bytes) / PAGE_SIZE);
  if (memcg.isRoot || !k.profile.kmemAccounting) {
    mm.slab.bytes += bytes;
    return true;
  }
  if (after > before && try_charge(k, memcg, k.profile.gfp.GFP_KERNEL | k.profile.gfp.ACCOUNT, after - before) !== 0)
    return false;
  mm.slab.bytes += bytes;
  memcg.stat.slab_unreclaimable += bytes;
  if (after > before) memcg.stat.kernel += after - before;
  else if (after < before) {
    mem_cgroup_uncharge(k, memcg, before - after);
    memcg.stat.kernel -= before - after;
  }
  return true;
}

export function memcg_slab_free_hook(k: KernelState, mm: MmStruct, bytes: number): void {
  memcg_slab_post_alloc_hook(k, mm, -bytes);
}
