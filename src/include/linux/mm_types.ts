/** struct mm_struct and struct vm_area_struct (include/linux/mm_types.h), and the rss counters. */
import type { Cpu } from '../../hw/cpu.js';
import type { PageTable } from '../../hw/mmu.js';
import type { GuestArch } from '../faultpath/profile.js';
import type { ModelFile } from './fs.js';

/** MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES (include/linux/mm_types_task.h) */
export const MM_FILEPAGES = 0;
export const MM_ANONPAGES = 1;
export const MM_SWAPENTS = 2;
export const MM_SHMEMPAGES = 3;

export interface Vma {
  start: number;
  end: number;
  flags: number;
  /** page offset into the file (vm_pgoff) */
  pgoff: number;
  file?: ModelFile;
  /** [stack], [heap], [vdso], [vvar] */
  name?: string;
  /** special mapping (vdso/vvar): installed by the kernel, never faulted through handle_mm_fault */
  special?: boolean;
  /** the host memory Unicorn maps for this VMA's range (see DESIGN.md §1) */
  mem: Buffer;
  /** begin address of the engine region holding `mem` (a VMA may sit inside a larger region) */
  regionBase: number;
  /** vma->anon_vma: set by anon_vma_prepare() once the VMA holds an anonymous page (fork copies only such VMAs' PTEs) */
  anonVma: boolean;
}

export interface MmStruct {
  id: number;
  arch: GuestArch;
  cpu: Cpu;
  pgtable: PageTable;
  vmas: Vma[];
  /** mm->rss_stat (synced counters) */
  rss: [number, number, number, number];
  totalVm: number;
  stackVm: number;
  dataVm: number;
  execVm: number;
  lockedVm: number;
  startBrk: number;
  brk: number;
  startStack: number;
  mmapBase: number;
  argStart: number;
  argEnd: number;
  envStart: number;
  envEnd: number;
  /** MMF_* flags */
  flags: Set<string>;
  users: number;
  /** software TLB: vpn -> permitted access bits (1 read, 2 write, 4 fetch) */
  tlb: Map<number, number>;
  /** vm_committed_as contribution of this mm */
  committed: number;
  exe?: ModelFile;
  /** the memcg that owns the mm (mm->owner's memcg) is the owner task's memcg */
  ownerPid: number;
  /** pgd pages beyond the first and where each kernel page of the mm is charged */
  pgdExtra: number[];
  /** memcg id charged for this mm's slab objects (mm_struct, vm_area_structs), and their bytes */
  slab: { memcgId: number; bytes: number };
}
