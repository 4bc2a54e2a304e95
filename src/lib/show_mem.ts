/**
 * __show_mem() (lib/show_mem.c + mm/page_alloc.c show_free_areas, 6.1 layout) from the model's
 * counters.  The model has one node and one zone (DMA on arm64, DMA32 on x86, as a 256 MiB
 * guest of either arch reports); per-order buddy lists are not modeled, so the free list line
 * shows every free page as order 0.
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import { Lru } from '../include/linux/mmzone.js';
import { nr_file_pages } from '../mm/filemap.js';
import { nr_swap_pages_used } from '../mm/swapfile.js';
import { total_swap_pages } from '../mm/swapfile.js';

export function show_mem(k: KernelState): string[] {
  const p = k.phys;
  const L = (l: Lru) => p.lists[l].size;
  const zone = k.arch === 'aarch64' ? 'DMA' : 'DMA32';
  const kb = (n: number) => `${n * 4}kB`;
  const pagecache = nr_file_pages(k);
  const w = p.wmark;
  const lines = [
    'Mem-Info:',
    `active_anon:${L(Lru.ActiveAnon)} inactive_anon:${L(Lru.InactiveAnon)} isolated_anon:0`,
    ` active_file:${L(Lru.ActiveFile)} inactive_file:${L(Lru.InactiveFile)} isolated_file:0`,
    ' unevictable:0 dirty:0 writeback:0',
    ' slab_reclaimable:0 slab_unreclaimable:0',
    ` mapped:${p.counts.file + p.counts.shmem} shmem:${p.counts.shmem} pagetables:${p.counts.pagetable}`,
    ' sec_pagetables:0 bounce:0',
    ' kernel_misc_reclaimable:0',
    ` free:${p.nrFree} free_pcp:0 free_cma:0`,
    `Node 0 active_anon:${kb(L(Lru.ActiveAnon))} inactive_anon:${kb(L(Lru.InactiveAnon))} active_file:${kb(L(Lru.ActiveFile))} inactive_file:${kb(L(Lru.InactiveFile))} unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:${kb(p.counts.file + p.counts.shmem)} dirty:0kB writeback:0kB shmem:${kb(p.counts.shmem)} shmem_thp: 0kB shmem_pmdmapped: 0kB anon_thp: 0kB writeback_tmp:0kB kernel_stack:0kB pagetables:${kb(p.counts.pagetable)} sec_pagetables:0kB all_unreclaimable? ${total_swap_pages(k) === 0 && L(Lru.InactiveFile) + L(Lru.ActiveFile) === 0 ? 'yes' : 'no'}`,
    `Node 0 ${zone} free:${kb(p.nrFree)} boost:0kB min:${kb(w.min)} low:${kb(w.low)} high:${kb(w.high)} reserved_highatomic:0KB active_anon:${kb(L(Lru.ActiveAnon))} inactive_anon:${kb(L(Lru.InactiveAnon))} active_file:${kb(L(Lru.ActiveFile))} inactive_file:${kb(L(Lru.InactiveFile))} unevictable:0kB writepending:0kB present:${kb(p.nrPages)} managed:${kb(p.managedPages)} mlocked:0kB bounce:0kB free_pcp:0kB local_pcp:0kB free_cma:0kB`,
    'lowmem_reserve[]: 0 0 0 0',
    `Node 0 ${zone}: ${p.nrFree}*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = ${kb(p.nrFree)}`,
    `Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=${k.arch === 'aarch64' ? '1048576' : '1048576'}kB`,
    'Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB',
    `${pagecache} total pagecache pages`,
    '0 pages in swap cache',
    `Free swap  = ${(total_swap_pages(k) - nr_swap_pages_used(k)) * 4}kB`,
    `Total swap = ${total_swap_pages(k) * 4}kB`,
    `${p.nrPages} pages RAM`,
    '0 pages HighMem/MovableOnly',
    `${p.reservedPages} pages reserved`,
    '0 pages hwpoisoned',
  ];
  return lines;
}
