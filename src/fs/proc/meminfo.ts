/** fs/proc/meminfo.c: /proc/meminfo. */
import type { KernelState } from '../../include/faultpath/kernel_state.js';
import { vm_commit_limit } from '../../mm/mmap.js';
import { nr_file_pages } from '../../mm/filemap.js';
import { nr_swap_pages_used, total_swap_pages } from '../../mm/swapfile.js';

/** show_val_kb(): "Name:" padded to 16 columns, then "%8lu kB" of a page count. */
function show_val_kb(name: string, pages: number): string {
  return `${(name + ':').padEnd(16, ' ')}${String(pages * 4).padStart(8, ' ')} kB`;
}

/**
 * meminfo_proc_show(): the rows the model has numbers for, in the kernel's order.  Lists 1..4 of
 * PhysMem are inactive/active anon, inactive/active file; MemAvailable is si_mem_available()'s
 * free - low watermark + the file LRU (no reclaimable slab in the model).
 */
export function meminfo_proc_show(k: KernelState): string {
  const p = k.phys;
  const rows: [string, number][] = [
    ['MemTotal', p.managedPages],
    ['MemFree', p.nrFree],
    ['MemAvailable', Math.max(0, p.nrFree - p.wmark.low + p.lists[3].size + p.lists[4].size)],
    ['Buffers', 0],
    ['Cached', nr_file_pages(k)],
    ['SwapCached', 0],
    ['Active', p.lists[2].size + p.lists[4].size],
    ['Inactive', p.lists[1].size + p.lists[3].size],
    ['Active(anon)', p.lists[2].size],
    ['Inactive(anon)', p.lists[1].size],
    ['Active(file)', p.lists[4].size],
    ['Inactive(file)', p.lists[3].size],
    ['Unevictable', 0],
    ['Mlocked', 0],
    ['SwapTotal', total_swap_pages(k)],
    ['SwapFree', total_swap_pages(k) - nr_swap_pages_used(k)],
    ['Dirty', 0],
    ['Writeback', 0],
    ['AnonPages', p.counts.anon],
    ['Mapped', p.counts.file + p.counts.shmem],
    ['Shmem', p.counts.shmem],
    ['KReclaimable', 0],
    ['Slab', 0],
    ['SReclaimable', 0],
    ['SUnreclaim', 0],
    ['KernelStack', 0],
    ['PageTables', p.counts.pagetable],
    ['CommitLimit', vm_commit_limit(k)],
    ['Committed_AS', k.mm.committedAs],
  ];
  return rows.map(([n, v]) => show_val_kb(n, v)).join('\n') + '\n';
}
