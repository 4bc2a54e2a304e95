/** fs/proc/task_mmu.c: the memory lines of /proc/<pid>/status and the numbers of statm. */
import { get_mm_counter } from '../../mm/memory.js';
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS, type MmStruct } from '../../include/linux/mm_types.js';

/** "%8lu kB" of a page count (4 KiB pages). */
function kb(pages: number): string {
  return `${String(pages * 4).padStart(8, ' ')} kB`;
}

/**
 * task_mem(): the Vm* / Rss* lines.  RSS comes from the mm's counters (get_mm_counter), so a
 * thread's unsynced SPLIT_RSS cache is not in it, as in the kernel.
 */
export function task_mem(mm: MmStruct): string[] {
  const anon = get_mm_counter(mm, MM_ANONPAGES);
  const file = get_mm_counter(mm, MM_FILEPAGES);
  const shmem = get_mm_counter(mm, MM_SHMEMPAGES);
  return [
    `VmPeak:\t${kb(mm.totalVm)}`,
    `VmSize:\t${kb(mm.totalVm)}`,
    `VmLck:\t${kb(mm.lockedVm)}`,
    `VmPin:\t${kb(0)}`,
    `VmHWM:\t${kb(anon + file + shmem)}`,
    `VmRSS:\t${kb(anon + file + shmem)}`,
    `RssAnon:\t${kb(anon)}`,
    `RssFile:\t${kb(file)}`,
    `RssShmem:\t${kb(shmem)}`,
    `VmData:\t${kb(mm.dataVm)}`,
    `VmStk:\t${kb(mm.stackVm)}`,
    `VmExe:\t${kb(mm.execVm)}`,
    `VmLib:\t${kb(0)}`,
    `VmPTE:\t${String(mm.pgtable.pgtablesBytes >> 10).padStart(8, ' ')} kB`,
    `VmSwap:\t${kb(get_mm_counter(mm, MM_SWAPENTS))}`,
  ];
}

export interface TaskStatm {
  size: number;
  resident: number;
  shared: number;
  text: number;
  data: number;
}

/** task_statm(): page counts for /proc/<pid>/statm (shared = file + shmem RSS). */
export function task_statm(mm: MmStruct): TaskStatm {
  const shared = get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_SHMEMPAGES);
  return {
    size: mm.totalVm,
    resident: shared + get_mm_counter(mm, MM_ANONPAGES),
    shared,
    text: mm.execVm,
    data: mm.dataVm + mm.stackVm,
  };
}
