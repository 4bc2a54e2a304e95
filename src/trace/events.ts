/**
 * The one typed event model for everything the kernel model does (issue #8).  Every formatter
 * (function_graph, JSON lines, Perfetto, dmesg, summary) reads only these records.
 *
 * Stable JSON-lines schema: each event is one object with `ts` (simulated nanoseconds since boot),
 * `cpu`, `pid` (0 = idle/none), `comm`, `kind`, and the kind's own fields below.
 */
export type ArgValue = string | number | boolean;

interface Base {
  /** simulated time, nanoseconds since boot */
  ts: number;
  cpu: number;
  /** task id (thread id); 0 for none */
  pid: number;
  comm: string;
}

/** A modeled kernel function was entered. `noinstr`: a real tracer cannot see it (entry code). */
export interface EnterEvent extends Base {
  kind: 'enter';
  fn: string;
  args?: Record<string, ArgValue>;
  noinstr?: boolean;
}

/** A modeled kernel function returned; `ret` is the return value as the kernel would print it. */
export interface ExitEvent extends Base {
  kind: 'exit';
  fn: string;
  ret?: string;
}

/** A real kernel tracepoint (same system:name and TP_printk text as the kernel). */
export interface TracepointEvent extends Base {
  kind: 'tracepoint';
  system: string;
  name: string;
  fields: Record<string, ArgValue>;
  text: string;
}

/** A hardware exception as the CPU reported it (ESR/FAR or error code/CR2), decoded. */
export interface ExceptionEvent extends Base {
  kind: 'exception';
  arch: 'aarch64' | 'x86_64';
  vector: string;
  address: string;
  pc: string;
  /** arm64 ESR_EL1 */
  esr?: string;
  /** x86 page-fault error code */
  errorCode?: string;
  decoded: string;
}

export interface PteEvent extends Base {
  kind: 'pte';
  address: string;
  level: number;
  old: string;
  new: string;
  why: string;
}

export interface AllocEvent extends Base {
  kind: 'alloc';
  pfn: number;
  order: number;
  gfp: string;
  ok: boolean;
}

export interface ChargeEvent extends Base {
  kind: 'charge';
  memcg: string;
  pages: number;
  ok: boolean;
  usage: number;
  max: number | 'max';
}

export interface ReclaimEvent extends Base {
  kind: 'reclaim';
  scope: string;
  nrToReclaim: number;
  nrReclaimed: number;
}

export interface OomCandidate {
  pid: number;
  comm: string;
  rssAnon: number;
  rssFile: number;
  rssShmem: number;
  swapents: number;
  pgtablesPages: number;
  oomScoreAdj: number;
  adjPoints: number;
  points: number | null;
  excluded?: string;
}

export interface OomDecisionEvent extends Base {
  kind: 'oom';
  constraint: string;
  totalpages: number;
  candidates: OomCandidate[];
  victim: number | null;
  rule: string;
}

export interface SignalEvent extends Base {
  kind: 'signal';
  sig: number;
  name: string;
  code: string;
  target: number;
  address?: string;
}

export interface SchedEvent extends Base {
  kind: 'sched_switch';
  prevPid: number;
  prevState: string;
  nextPid: number;
  nextComm: string;
}

export interface SyscallEvent extends Base {
  kind: 'syscall';
  nr: number;
  name: string;
  args: string[];
  ret: string;
}

export interface PrintkEvent extends Base {
  kind: 'printk';
  level: number;
  text: string;
}

export type TraceEvent =
  | EnterEvent
  | ExitEvent
  | TracepointEvent
  | ExceptionEvent
  | PteEvent
  | AllocEvent
  | ChargeEvent
  | ReclaimEvent
  | OomDecisionEvent
  | SignalEvent
  | SchedEvent
  | SyscallEvent
  | PrintkEvent;

export type EventKind = TraceEvent['kind'];

/** Functions that are `noinstr` (or assembly) in the kernel: ftrace cannot see them. */
export const NOINSTR_FUNCTIONS: ReadonlySet<string> = new Set([
  'el0t_64_sync',
  'el0t_64_sync_handler',
  'el0_sync',
  'el0_da',
  'el0_ia',
  'el0_svc',
  'kernel_entry',
  'ret_to_user',
  'asm_exc_page_fault',
  'exc_page_fault',
  'handle_page_fault',
  'entry_SYSCALL_64',
]);
