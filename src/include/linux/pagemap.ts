/** Page-cache index arithmetic (include/linux/pagemap.h). */
import type { Vma } from './mm_types.js';

const PAGE_SIZE = 4096;

/** linear_page_index(): the file page index that `address` of the VMA maps. */
export function linear_page_index(vma: Vma, address: number): number {
  return vma.pgoff + Math.floor((address - vma.start) / PAGE_SIZE);
}
