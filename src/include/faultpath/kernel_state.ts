/**
 * The modeled kernel's globals, grouped the way the kernel groups them (mem_map and the zone,
 * the page cache, swap_info, vm_event_states, the task list, the OOM globals), and the typed
 * interfaces through which generic kernel code reaches the layers above it (the scheduler and
 * run loop of the machine, the architecture).  Data only: every behaviour lives in the file that
 * mirrors its kernel file and takes the state as its first argument.
 */
import type { PageTable, PgtableFormat } from '../../hw/mmu.js';
import type { Tracer } from '../../trace/tracer.js';
import type { FilesStruct } from '../linux/fdtable.js';
import type { MemCgroup, MemcgTree } from '../linux/memcontrol.js';
import type { MmStruct, Vma } from '../linux/mm_types.js';
import type { PhysMem } from '../linux/mmzone.js';
import type { OomControlArgs } from '../linux/oom.js';
import type { Task } from '../linux/sched.js';
import type { ReclaimScope } from '../linux/swap.js';
import type { GuestArch, KernelProfile } from './profile.js';

/** One record of the kernel log buffer (kernel/printk/printk_ringbuffer.h struct printk_info). */
export interface LogRecord {
  ts: number;
  level: number;
  text: string;
}

/** The log buffer behind printk(): kernel/printk/printk.ts implements it. */
export interface LogBuffer {
  readonly records: LogRecord[];
  log(level: number, text: string): void;
  /** __ratelimit() (lib/ratelimit.c): `burst` messages per `intervalNs` */
  ratelimit(key: string, intervalNs: number, burst: number): boolean;
}

/** The /proc/sys table (kernel/sysctl.ts implements it). */
export interface SysctlTable {
  names(): string[];
  has(name: string): boolean;
  get(name: string): number;
  /** 0, -EINVAL or -ENOENT, as a write(2) to the proc file */
  set(name: string, value: number, runHook?: boolean): number;
}

/** get_random_bytes() (drivers/char/random.ts implements it). */
export interface RandomSource {
  bytes(n: number): Uint8Array;
}

/** What the kernel needs from the scheduler and run loop of the machine (kernel/sched's role). */
export interface SchedUpcalls {
  /** cond_resched(): SIGKILLed tasks on the "other CPUs" run to their exit */
  cond_resched(): void;
  /** __wake_up() of the waiters on `waitq` that `match` accepts (by their memcg id) */
  wake_up(waitq: string, match: (waiterMemcgId: number) => boolean): void;
  /** add_timer(): run `fn` at simulated time `at` (`what` names the timer in traces and deadlocks) */
  add_timer(at: number, what: string, fn: () => void): void;
}

/** Signal delivery, which runs on the way back to user mode (kernel/signal.c's role). */
export interface SignalUpcalls {
  /** do_send_sig_info(SIGKILL, ...) */
  send_sigkill(t: Task): void;
  /** force_sig_fault(): the signal is delivered on return to user mode */
  force_sig_fault(t: Task, sig: number, code: string, address: bigint): void;
}

/**
 * The mm paths the memcg and allocator code re-enter (in the kernel these are mutual calls
 * between memcontrol.c, page_alloc.c, vmscan.c and oom_kill.c; the model keeps its files acyclic
 * and the machine binds the calls).
 */
export interface MmUpcalls {
  /** shrink_node(): reclaim from the LRU lists of `scope` */
  shrink_node(nrToReclaim: number, scope: ReclaimScope): number;
  /** try_to_free_mem_cgroup_pages() */
  try_to_free_mem_cgroup_pages(memcg: MemCgroup, nrPages: number, gfp: number): number;
  /** out_of_memory() */
  out_of_memory(oc: OomControlArgs): boolean;
  /** faultin_page() for MAP_POPULATE / mlock: fault one page in from kernel context */
  faultin_page(mm: MmStruct, vma: Vma, address: number, write: boolean): boolean;
}

/** What the OOM report needs from the architecture. */
export interface ArchUpcalls {
  /** the user register lines x86 prints inside an OOM report's Call Trace */
  user_regs_for_oops(): string[];
}

export interface KernelUpcalls {
  readonly sched: SchedUpcalls;
  readonly signal: SignalUpcalls;
  readonly mm: MmUpcalls;
  readonly arch: ArchUpcalls;
}

/** A page-cache slot set: file id -> page index -> pfn (struct address_space i_pages). */
export interface PageCacheState {
  readonly files: Map<number, Map<number, number>>;
  /** pages that were in the cache once (a later fault on them is a refault) */
  readonly seen: Set<string>;
  /** ids of the tmpfs objects behind MAP_SHARED|MAP_ANONYMOUS (shmem_zero_setup) */
  nextAnonShmem: number;
}

/** The swap area (swap_info_struct): slot -> the page's bytes. */
export interface SwapState {
  readonly pages: number;
  readonly slots: Map<number, { data: Buffer; refs: number; memcgId: number }>;
  readonly freeSlots: number[];
  nextSlot: number;
}

/** vm_event_states (the /proc/vmstat event counters the model keeps). */
export interface VmEvents {
  pgfault: number;
  pgmajfault: number;
  oom_kill: number;
  pswpin: number;
  pswpout: number;
  pgscan: number;
  pgsteal: number;
}

/** Memory-management globals. */
export interface MmGlobals {
  /** every live mm_struct by id */
  readonly mms: Map<number, MmStruct>;
  nextMmId: number;
  readonly pgtableFormat: PgtableFormat;
  readonly newPageTable: (pgd: number) => PageTable;
  /** the rootfs: 'tmpfs' makes file pages shmem like the oracle's initramfs */
  readonly rootfs: 'tmpfs' | 'disk';
  readonly pageCache: PageCacheState;
  readonly swap: SwapState;
  readonly events: VmEvents;
  /** vm_committed_as */
  committedAs: number;
}

/** The task list and the clock. */
export interface SchedState {
  readonly tasks: Map<number, Task>;
  current: Task | null;
  /** simulated time in ns since boot */
  clock: number;
}

/** oom_lock, oom_killer_disabled, the OOM notifier chain, and a panic's text. */
export interface OomState {
  lock: boolean;
  killerDisabled: boolean;
  /** register_oom_notifier() callbacks: return the pages they freed */
  readonly notifiers: ((k: KernelState) => number)[];
  panicked: string | null;
  /** the oom_reaper kthread (oom_reaper_th) */
  reaper: Task | null;
}

export interface KernelStateParts {
  arch: GuestArch;
  profile: KernelProfile;
  tracer: Tracer;
  printk: LogBuffer;
  sysctl: SysctlTable;
  random: RandomSource;
  phys: PhysMem;
  memcg: MemcgTree;
  mm: MmGlobals;
  sched: SchedState;
  /** builds the upcalls for the state they serve */
  upcalls: (k: KernelState) => KernelUpcalls;
}

/** A thrown KernelPanic unwinds the modeled call chain after panic(). */
export class KernelPanic extends Error {
  constructor(readonly text: string) {
    super(text);
    this.name = 'KernelPanic';
  }
}

export class KernelState {
  readonly arch: GuestArch;
  readonly profile: KernelProfile;
  readonly tracer: Tracer;
  readonly printk: LogBuffer;
  readonly sysctl: SysctlTable;
  readonly random: RandomSource;
  /** mem_map and the zone */
  readonly phys: PhysMem;
  readonly memcg: MemcgTree;
  readonly mm: MmGlobals;
  readonly sched: SchedState;
  readonly oom: OomState = { lock: false, killerDisabled: false, notifiers: [], panicked: null, reaper: null };
  /** task->files per thread group (tgid): threads share one; src/fs/file.ts get_files_struct() */
  readonly files = new Map<number, FilesStruct>();
  readonly upcalls: KernelUpcalls;

  constructor(p: KernelStateParts) {
    this.arch = p.arch;
    this.profile = p.profile;
    this.tracer = p.tracer;
    this.printk = p.printk;
    this.sysctl = p.sysctl;
    this.random = p.random;
    this.phys = p.phys;
    this.memcg = p.memcg;
    this.mm = p.mm;
    this.sched = p.sched;
    this.upcalls = p.upcalls(this);
  }
}
