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

/** enum vm_fault_reason (6.1 values; 4.19/3.12 share the ones used here) */
export const VM_FAULT_OOM = 0x1;
export const VM_FAULT_SIGBUS = 0x2;
export const VM_FAULT_MAJOR = 0x4;
export const VM_FAULT_WRITE = 0x8;
export const VM_FAULT_HWPOISON = 0x10;
export const VM_FAULT_HWPOISON_LARGE = 0x20;
export const VM_FAULT_SIGSEGV = 0x40;
export const VM_FAULT_NOPAGE = 0x100;
export const VM_FAULT_RETRY = 0x400;
export const VM_FAULT_FALLBACK = 0x800;
export const VM_FAULT_ERROR =
  VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE | VM_FAULT_FALLBACK;

const FAULT_NAMES: [number, string][] = [
  [VM_FAULT_OOM, 'VM_FAULT_OOM'],
  [VM_FAULT_SIGBUS, 'VM_FAULT_SIGBUS'],
  [VM_FAULT_MAJOR, 'VM_FAULT_MAJOR'],
  [VM_FAULT_WRITE, 'VM_FAULT_WRITE'],
  [VM_FAULT_SIGSEGV, 'VM_FAULT_SIGSEGV'],
  [VM_FAULT_NOPAGE, 'VM_FAULT_NOPAGE'],
  [VM_FAULT_RETRY, 'VM_FAULT_RETRY'],
];

export function vmFaultName(r: number): string {
  if (r === 0) return '0';
  const parts = FAULT_NAMES.filter(([b]) => r & b).map(([, n]) => n);
  return parts.length ? parts.join('|') : `0x${r.toString(16)}`;
}

/** struct vm_fault: what a fault handler is told about the fault. */
export interface VmFault {
  vma: Vma;
  mm: MmStruct;
  address: number;
  flags: number;
  write: boolean;
}
