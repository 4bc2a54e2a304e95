/**
 * The user-page allocation of a fault (mm/mempolicy.c vma_alloc_folio() / alloc_pages_vma(), entered
 * from alloc_zeroed_user_highpage_movable() of include/linux/highmem.h), with the gfp mask of the
 * version (docs/kernel-reference.md §4.5), through __alloc_pages() (which may OOM-kill).  The profile picks
 * the chain (`userPageAlloc`).
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import { PageKind } from '../include/linux/mmzone.js';
import { __alloc_pages, __folio_alloc, type AllocContext } from './page_alloc.js';

const USER_PAGE: AllocContext = { kind: PageKind.Anon, userChain: true };

/** alloc_zeroed_user_highpage_movable() (include/linux/highmem.h): a zeroed movable user page. */
export function alloc_zeroed_user_highpage_movable(k: KernelState): number {
  let gfp = k.profile.gfp.GFP_HIGHUSER_MOVABLE;
  if (k.profile.userPageAlloc.gfpZero[k.arch]) gfp |= k.profile.gfp.ZERO;
  if (k.profile.userPageAlloc.chain === 'alloc_pages_vma') return alloc_pages_vma(k, gfp);
  return k.tracer.call('alloc_zeroed_user_highpage_movable', undefined, () => vma_alloc_folio(k, gfp));
}

/** alloc_page_vma() (include/linux/gfp.h): a movable user page the caller fills (do_cow_fault). */
export function alloc_page_vma(k: KernelState): number {
  const gfp = k.profile.gfp.GFP_HIGHUSER_MOVABLE;
  if (k.profile.userPageAlloc.chain === 'alloc_pages_vma') return alloc_pages_vma(k, gfp);
  return vma_alloc_folio(k, gfp);
}

/** vma_alloc_folio() (6.1): __folio_alloc() adds __GFP_COMP. */
export function vma_alloc_folio(k: KernelState, gfp: number): number {
  return k.tracer.call('vma_alloc_folio', undefined, () => __folio_alloc(k, gfp | k.profile.gfp.COMP, 0, USER_PAGE));
}

/** alloc_pages_vma() (4.19, 3.12). */
export function alloc_pages_vma(k: KernelState, gfp: number): number {
  return k.tracer.call('alloc_pages_vma', undefined, () => __alloc_pages(k, gfp, 0, USER_PAGE));
}
