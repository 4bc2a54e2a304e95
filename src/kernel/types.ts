/**
 * The model's core records, named after their kernel counterparts: task_struct, mm_struct,
 * vm_area_struct.  Only data lives here; behaviour is in the modules that mirror the kernel files.
 */
import type { Cpu } from '../cpu/cpu.js';
import type { PageTable } from '../mm/pgtable.js';
import type { GuestArch } from './profile.js';

/** include/linux/mm.h vm_flags */
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAYSHARE = 0x80;
export const VM_GROWSDOWN = 0x100;
export const VM_DONTEXPAND = 0x40000;
export const VM_ACCOUNT = 0x100000;
export const VM_NORESERVE = 0x200000;
export const VM_STACK = VM_GROWSDOWN;

/** MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES (include/linux/mm_types_task.h) */
export const MM_FILEPAGES = 0;
export const MM_ANONPAGES = 1;
export const MM_SWAPENTS = 2;
export const MM_SHMEMPAGES = 3;

/** A file the model can map: executables (page cache) or tmpfs-backed ones. */
export interface ModelFile {
  id: number;
  path: string;
  bytes: Uint8Array;
  /** rootfs is tmpfs in the oracle: file pages count as shmem (PageSwapBacked) */
  shmem: boolean;
}

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

export type TaskState = 'R' | 'S' | 'D' | 'Z' | 'X';

export interface SavedRegs {
  gp: Map<string, bigint>;
  vec: Map<string, Buffer>;
}

export interface SigAction {
  handler: bigint;
  flags: bigint;
  restorer?: bigint;
  mask: bigint;
}

export interface Task {
  pid: number;
  tgid: number;
  comm: string;
  parent: Task | null;
  children: Task[];
  state: TaskState;
  /** wait status as wait4 reports it */
  exitStatus: number | null;
  exitCode: number | null;
  termSignal: number | null;
  mm: MmStruct | null;
  regs: SavedRegs | null;
  pending: number[];
  sigactions: Map<number, SigAction>;
  sigmask: bigint;
  /** signal->rlim, as overrides of INIT_RLIMITS (src/kernel/resource.ts) */
  rlimits: Map<number, readonly [bigint, bigint]>;
  oomScoreAdj: number;
  oomScoreAdjMin: number;
  memcgId: number;
  minFlt: number;
  majFlt: number;
  /** current->rss_stat (SPLIT_RSS_COUNTING) */
  rssCache: [number, number, number, number];
  rssEvents: number;
  /** current->memcg_in_oom and the saved gfp/order (mem_cgroup_oom in a user fault) */
  memcgInOom: { memcgId: number; gfp: number; order: number } | null;
  inUserFault: boolean;
  /** PF_* flags as names */
  flags: Set<string>;
  /** tsk_is_oom_victim: signal->oom_mm set */
  oomVictim: boolean;
  wake: { at?: number; waitq?: string; reason?: string } | null;
  /** what a blocked syscall will return when the task wakes (nanosleep, wait4) */
  resume: (() => void) | null;
  vforkParent: Task | null;
  uid: number;
  clearChildTid: bigint;
  stdout: string[];
  /** instructions executed (simulated time is derived from it) */
  startTime: number;
  /** consecutive re-faults on the same address without progress (runaway guard) */
  refaults: { address: number; count: number };
  /** memory.high penalty (ns) owed from a synchronous over-high reclaim, slept before returning to user */
  highDelayNs: number;
  /** user-facing id from a scenario (oracle "process_id") */
  label?: string;
  isKthread: boolean;
}
