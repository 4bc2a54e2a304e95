/** struct task_struct (include/linux/sched.h) and the signal records it holds. */
import type { MmStruct } from './mm_types.js';

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
  /** signal->rlim, as overrides of INIT_RLIMITS (src/include/asm-generic/resource.ts) */
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
