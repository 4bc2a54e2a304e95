/**
 * `faultpath explain oom FILE`: read a kernel log, find every OOM-killer report in it (Linux
 * 6.1 or 4.19 layout; 3.12 best effort), explain it section by section, recompute the victim
 * with the version's oom_badness() and flag numbers that do not fit together.
 *
 * The report layout being parsed is the one mm/oom_kill.c prints (kernel-reference §7.8):
 * dump_header() → header line, [4.19: cpuset line], dump_stack(), memcg info
 * (mem_cgroup_print_oom_meminfo / 4.19 mem_cgroup_print_oom_info) or show_mem() ("Mem-Info:"),
 * dump_tasks(), [6.1: dump_oom_summary() "oom-kill:" line]; then oom_kill_process()
 * [4.19: "Kill process … or sacrifice child"] and __oom_kill_process() "Killed process …".
 *
 * Pure function, no I/O; the commander wiring lives in src/cli/main.ts.  Never throws: input
 * that contains no report yields `{ text: 'no OOM report found', reports: [], inconsistencies: [] }`.
 */
import { GFP_PROFILES, formatGfpFlags } from '../include/linux/gfp.js';

export type OomFormat = '6.1' | '4.19' | '3.12';

/** One row of dump_tasks(): total_vm, rss and swapents in pages; pgtables in bytes (3.12: pte pages). */
export interface OomTaskRow {
  pid: number;
  uid: number;
  tgid: number;
  totalVm: number;
  rss: number;
  /** 4.19/6.1 `pgtables_bytes` (bytes); for 3.12 the `nr_ptes` column (pages) × 4096 */
  pgtablesBytes: number;
  /** 3.12 only: the raw nr_ptes column (pages) */
  nrPtes?: number;
  swapents: number;
  oomScoreAdj: number;
  name: string;
}

/** A "Killed process" line (__oom_kill_process()); sizes in kB as printed. */
export interface OomKilledLine {
  /** the prefix: "Memory cgroup out of memory", "Out of memory", "Out of memory (oom_kill_allocating_task)"; null in 4.19/3.12 */
  message: string | null;
  pid: number;
  comm: string;
  totalVmKb: number;
  anonRssKb: number;
  fileRssKb: number;
  shmemRssKb: number | null;
  uid: number | null;
  pgtablesKb: number | null;
  oomScoreAdj: number | null;
  /** the line as printed (without timestamp) */
  line: string;
}

/** 4.19/3.12 oom_kill_process(): "<message>: Kill process N (comm) score S or sacrifice child". */
export interface OomKillSelection {
  message: string | null;
  pid: number;
  comm: string;
  score: number;
}

export interface OomCandidate {
  pid: number;
  tgid: number;
  name: string;
  rss: number;
  swapents: number;
  /** pgtables_bytes / 4096 (integer division), or nr_ptes in 3.12 */
  pgtablePages: number;
  oomScoreAdj: number;
  /** adj used in the formula (3.12: −30 for uid 0, the CAP_SYS_ADMIN bonus) */
  effectiveAdj: number;
  /** effectiveAdj × (totalpages / 1000) */
  adjPoints: number;
  /** oom_badness(); null when excluded */
  points: number | null;
  excluded?: string;
  /** 1 = the highest points; absent when excluded */
  rank?: number;
}

export interface MemcgCounterLine {
  usageKb: number;
  limitKb: number;
  failcnt: number;
}

export interface ExplainedReport {
  /** 1-based position in the input */
  index: number;
  format: OomFormat;
  kind: 'memcg' | 'global';
  /** why `kind` was decided (which lines were seen) */
  kindEvidence: string[];
  invoker: {
    comm: string;
    pid: number | null;
    gfpMask: number;
    gfpText: string | null;
    order: number;
    oomScoreAdj: number;
    nodemask: string | null;
  };
  /** the set single-bit flags of the gfp mask, by kernel name */
  gfpFlags: string[];
  /** the path classification of the call trace, e.g. "page fault (x86: asm_exc_page_fault)" */
  path: string[];
  /** function names of the call trace, innermost first ("? " kept for unreliable x86 frames) */
  callTrace: string[];
  memcg: {
    /** the OOM memcg: 6.1 "Memory cgroup stats for X:", 4.19 "limit of X" */
    statsFor: string | null;
    memory: MemcgCounterLine | null;
    swap: MemcgCounterLine | null;
    memsw: MemcgCounterLine | null;
    kmem: MemcgCounterLine | null;
    stats: Record<string, number>;
  } | null;
  memInfo: {
    pagesRam: number | null;
    pagesReserved: number | null;
    totalSwapKb: number | null;
    freeSwapKb: number | null;
  } | null;
  /** the 6.1 dump_oom_summary() fields */
  summary: Record<string, string> | null;
  tasks: OomTaskRow[];
  selection: OomKillSelection | null;
  killed: OomKilledLine[];
  /** the process the kernel killed first (the selected victim, 4.19: possibly a sacrificed child) */
  victim: OomKilledLine | null;
  oomGroup: string | null;
  panic: string | null;
  totalpages: { value: number | null; exact: boolean; how: string };
  candidates: OomCandidate[];
  recomputedVictim: OomCandidate | null;
  inconsistencies: string[];
  notes: string[];
  text: string;
}

export interface ExplainOomResult {
  text: string;
  reports: ExplainedReport[];
  inconsistencies: string[];
}

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/** Pages assumed to be 4 KiB: all printed "kB" sizes are converted with /4. */
const PAGE_KB = 4;
/** TASK_RSS_EVENTS_THRESH: 6.1/4.19 SPLIT_RSS_COUNTING flushes the per-task rss cache every 64 events. */
const SPLIT_RSS_LAG = 64;
/** PAGE_COUNTER_MAX in kB (6.1/4.19 "unlimited"); 3.12 prints 18014398509481983kB.  Anything this large is "max". */
const UNLIMITED_KB = 2 ** 50;
const OOM_SCORE_ADJ_MIN = -1000;

// ---------------------------------------------------------------------------------------------
// Line normalisation
// ---------------------------------------------------------------------------------------------

interface Line {
  text: string;
  /** the printk timestamp, if the line had one ("2.779603") */
  ts: string | null;
}

const SYSLOG_PREFIX =
  /^(?:[A-Z][a-z]{2}\s+\d{1,2}\s+\d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s+\S+\s+kernel:\s?/;
const DMESG_LEVEL_PREFIX = /^(?:kern|user|daemon|syslog)\s*:\s*(?:emerg|alert|crit|err|warn|notice|info|debug)\s*:\s?/;
const PRIO_PREFIX = /^<\d{1,3}>/;
const TS_PREFIX = /^\[\s*(\d+\.\d+)\](?:\s?\[\s*[TC]\d+\])? ?/;
const CTIME_PREFIX = /^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\] ?/;

/** Strip syslog ("Mar  3 12:00:00 host kernel: "), dmesg -x levels, <N>, and "[ sec.usec]" prefixes. */
function normalise(raw: string): Line {
  let s = raw.replace(/\r$/, '');
  s = s.replace(SYSLOG_PREFIX, '');
  s = s.replace(DMESG_LEVEL_PREFIX, '');
  s = s.replace(PRIO_PREFIX, '');
  let ts: string | null = null;
  const m = TS_PREFIX.exec(s);
  if (m) {
    ts = m[1] ?? null;
    s = s.slice(m[0].length);
  } else {
    s = s.replace(CTIME_PREFIX, '');
  }
  return { text: s, ts };
}

// ---------------------------------------------------------------------------------------------
// Line patterns (formats of mm/oom_kill.c, mm/memcontrol.c, lib/show_mem.c; kernel-reference §6.8, §7.7, §7.8)
// ---------------------------------------------------------------------------------------------

const RE_HEADER =
  /^(.*?) invoked oom-killer: gfp_mask=(0x[0-9a-fA-F]+)(?:\(([^)]*)\))?,(?: nodemask=(.*?),)? order=(-?\d+), oom_score_adj=(-?\d+)/;
const RE_CPUSET = /^(.*) cpuset=(\S*) mems_allowed=(\S*)\s*$/;
const RE_CPU = /^CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (.*?) (?:Not tainted|Tainted:)/;
const RE_CALL_TRACE = /^Call [Tt]race:/;
// faultpath's own reports print bare function names (offsets are not modeled): accept both.
const RE_FRAME =
  /^\s*(\?\s+)?(?:\[<[0-9a-fA-F]+>\]\s+)?(?:\?\s+)?([A-Za-z_.$][\w.$]*)(?:\+0x[0-9a-fA-F]+\/0x[0-9a-fA-F]+|\s*$)/;
const RE_COUNTER = /^(memory|swap|memory\+swap|kmem): usage (\d+)kB, limit (\d+)kB, failcnt (\d+)/;
const RE_STATS_FOR = /^Memory cgroup stats for (.*?):(.*)$/;
const RE_STAT_LINE = /^([a-z_]+) (\d+)$/;
const RE_TASK_IN_419 = /^Task in (.*) killed as a result of limit of (.*)$/;
const RE_LIMIT_REACHED_419 = /^Memory limit reached of cgroup (.*)$/;
const RE_MEMINFO = /^Mem-Info:/;
const RE_PAGES_RAM = /^(\d+) pages RAM/;
const RE_PAGES_RESERVED = /^(\d+) pages reserved/;
const RE_TOTAL_SWAP = /^Total swap = (\d+)kB/;
const RE_FREE_SWAP = /^Free swap\s+= (\d+)kB/;
const RE_ZONE = /^Node (\d+) (\S+) free:(\d+)kB .*?\bmin:(\d+)kB low:(\d+)kB high:(\d+)kB.*?\bmanaged:(\d+)kB/;
const RE_TASKS_STATE = /^Tasks state \(memory values in pages\):/;
const RE_TASKS_COLS =
  /^\[\s*pid\s*\]\s+uid\s+tgid\s+total_vm\s+rss\s+(pgtables_bytes|nr_ptes)\s+swapents\s+oom_score_adj\s+name/;
const RE_TASK_ROW = /^\[\s*(\d+)\]\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(-?\d+)\s+(\d+)\s+(-?\d+)\s(.*)$/;
const RE_SUMMARY = /^oom-kill:(.*)$/;
const RE_KILL_419 = /^(?:(.*?): )?Kill process (\d+) \((.*)\) score (-?\d+) or sacrifice child/;
const RE_KILLED =
  /^(?:(.*?): )?Killed process (\d+) \((.*)\) total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB(?:, shmem-rss:(\d+)kB)?(?:,? UID:(\d+) pgtables:(\d+)kB oom_score_adj:(-?\d+))?/;
const RE_GROUP = /^Tasks in (.*) are going to be killed due to memory\.oom\.group set/;
const RE_REAPED =
  /^oom_reaper: reaped process (\d+) \((.*)\), now anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB/;
const RE_PANIC = /^Kernel panic - not syncing: (Out of memory.*|System is deadlocked on memory.*)$/;
const RE_NO_KILLABLE = /^Out of memory and no killable processes/;
const RE_ALREADY_EXITING = /OOM victim (\d+) \((.*)\) is already exiting\. Skip killing the task/;
const SUMMARY_KEYS = [
  'constraint',
  'nodemask',
  'cpuset',
  'mems_allowed',
  'oom_memcg',
  'global_oom',
  'task_memcg',
  'task',
  'pid',
  'uid',
];

// ---------------------------------------------------------------------------------------------
// gfp flag meanings (for reclaim and OOM: mm/page_alloc.c __alloc_pages_slowpath,
// __alloc_pages_may_oom; mm/memcontrol.c try_charge_memcg; mm/oom_kill.c out_of_memory)
// ---------------------------------------------------------------------------------------------

const GFP_MEANING: Record<string, string> = {
  __GFP_DMA: 'allocate from ZONE_DMA only',
  __GFP_HIGHMEM: 'ZONE_HIGHMEM allowed (highest usable zone goes up to HIGHMEM; a no-op zone on 64-bit)',
  __GFP_DMA32: 'allocate from ZONE_DMA32 or lower',
  __GFP_MOVABLE: 'the page can be migrated: ZONE_MOVABLE allowed, MIGRATE_MOVABLE pageblocks (user pages, page cache)',
  __GFP_RECLAIMABLE: 'reclaimable slab object (MIGRATE_RECLAIMABLE)',
  __GFP_HIGH: 'high priority: may use part of the min-watermark reserve (ALLOC_HIGH)',
  __GFP_IO: 'reclaim may start physical I/O (e.g. swap out anonymous pages)',
  __GFP_FS:
    'reclaim may call into filesystems; out_of_memory() only kills for a global OOM if __GFP_FS is set (a non-zero mask without it returns "progress" without killing; 4.19 applies this to memcg OOMs too)',
  __GFP_ZERO: 'return zeroed memory',
  __GFP_ATOMIC: 'caller cannot sleep and is high priority (ALLOC_HARDER)',
  __GFP_DIRECT_RECLAIM:
    'caller may sleep and reclaim synchronously; without it __alloc_pages_slowpath() gives up before __alloc_pages_may_oom() and try_charge_memcg() returns -ENOMEM instead of calling mem_cgroup_oom()',
  __GFP_KSWAPD_RECLAIM: 'wake kswapd to reclaim in the background when the low watermark is reached',
  __GFP_WRITE: 'caller intends to dirty the page (spreads dirty page cache over zones)',
  __GFP_NOWARN: 'suppress the "page allocation failure" warning (warn_alloc)',
  __GFP_RETRY_MAYFAIL:
    'retry hard but allowed to fail: __alloc_pages_may_oom() and the memcg charge skip the OOM killer',
  __GFP_NOFAIL:
    'must not fail: the allocator loops forever (OOM killer as last resort), a memcg charge is forced over the limit',
  __GFP_NORETRY: 'fail after one light reclaim round; never invokes the OOM killer',
  __GFP_MEMALLOC: 'may use all memory reserves (ALLOC_NO_WATERMARKS)',
  __GFP_COMP: 'compound page / folio metadata for order > 0',
  __GFP_NOMEMALLOC: 'never use the emergency reserves',
  __GFP_HARDWALL: 'enforce the cpuset memory-node restriction (hardwall)',
  __GFP_THISNODE:
    'this node only, no fallback: __alloc_pages_may_oom() skips the OOM killer; constrained_alloc() gives CONSTRAINT_NONE',
  __GFP_ACCOUNT: 'charge the page to the current memcg as kernel memory (kmem accounting)',
  __GFP_ZEROTAGS: 'arm64 MTE: zero the allocation tags together with the data',
  // 3.12
  __GFP_WAIT: 'caller can sleep and reclaim (3.12 predecessor of __GFP_DIRECT_RECLAIM/__GFP_KSWAPD_RECLAIM)',
  __GFP_COLD: 'prefer a cache-cold page',
  __GFP_REPEAT: 'retry harder (predecessor of __GFP_RETRY_MAYFAIL)',
  __GFP_KMEMCG: 'charge to the memcg kmem counter',
  __GFP_NOTRACK: 'no kmemcheck tracking',
  __GFP_NO_KSWAPD: 'do not wake kswapd (THP allocations)',
  __GFP_OTHER_NODE: 'accounting hint for allocations on behalf of another node',
};

/** What frames of the call trace mean (function names as they appear in stack dumps). */
const FRAME_MEANING: Record<string, string> = {
  dump_backtrace: 'arm64 stack printer',
  show_stack: 'stack printer',
  dump_stack_lvl: 'stack printer (dump_stack())',
  dump_stack: 'stack printer',
  dump_header: 'mm/oom_kill.c: prints this report',
  oom_kill_process: 'mm/oom_kill.c: a victim was chosen; dump_header() runs before __oom_kill_process() sends SIGKILL',
  out_of_memory: 'mm/oom_kill.c: constrained_alloc(), check_panic_on_oom(), select_bad_process()',
  mem_cgroup_out_of_memory: 'mm/memcontrol.c: out_of_memory() with oc->memcg set (memcg OOM)',
  mem_cgroup_oom: 'mm/memcontrol.c: the memcg OOM decision inside the charge',
  mem_cgroup_oom_synchronize:
    'mm/memcontrol.c: memcg OOM deferred to the end of the page fault (oom_kill_disable or 3.12)',
  try_charge_memcg: 'mm/memcontrol.c: the charge hit memory.max; reclaim retries exhausted → mem_cgroup_oom()',
  try_charge: 'mm/memcontrol.c (4.19): the charge hit the limit; reclaim retries exhausted → mem_cgroup_oom()',
  charge_memcg: 'mm/memcontrol.c: charge a new folio to the memcg',
  __mem_cgroup_charge: 'mm/memcontrol.c: mem_cgroup_charge() of a newly allocated user page',
  mem_cgroup_try_charge: 'mm/memcontrol.c (4.19): charge of a newly allocated page',
  mem_cgroup_try_charge_delay: 'mm/memcontrol.c (4.19): charge of a newly allocated page',
  __alloc_pages_slowpath:
    'mm/page_alloc.c: free pages below the watermarks, reclaim/compaction retries exhausted → __alloc_pages_may_oom() (inlined)',
  __alloc_pages_may_oom: 'mm/page_alloc.c: takes oom_lock, last-chance allocation, then out_of_memory()',
  __alloc_pages: 'mm/page_alloc.c: page allocator entry (6.1)',
  __alloc_pages_nodemask: 'mm/page_alloc.c: page allocator entry (4.19)',
  __folio_alloc: 'allocates a folio (one page for order 0)',
  vma_alloc_folio: 'NUMA-policy-aware allocation of a user page for the VMA',
  alloc_pages_vma: 'NUMA-policy-aware allocation of a user page for the VMA (4.19)',
  alloc_zeroed_user_highpage_movable: 'zeroed anonymous page for a write fault',
  do_anonymous_page: 'mm/memory.c: first touch of an anonymous page',
  do_cow_fault: 'mm/memory.c: private copy of a file page',
  wp_page_copy: 'mm/memory.c: copy-on-write',
  __do_fault: 'mm/memory.c: file-backed fault',
  __pte_alloc: 'mm/memory.c: allocation of a page-table page',
  pte_alloc_one: 'allocation of a page-table page',
  __handle_mm_fault: 'mm/memory.c: generic fault handling (handle_pte_fault/do_anonymous_page are inlined here)',
  handle_mm_fault: 'mm/memory.c: generic page-fault entry',
  do_user_addr_fault: 'arch/x86/mm/fault.c: user-address #PF handling',
  exc_page_fault: 'arch/x86/mm/fault.c: #PF exception handler',
  asm_exc_page_fault: 'x86 #PF (vector 14) entry from user mode',
  __do_page_fault: 'page-fault handler (4.19)',
  do_page_fault: 'page-fault handler',
  page_fault: 'x86 #PF entry (4.19)',
  do_translation_fault: 'arch/arm64/mm/fault.c: fault_info[] handler for translation faults',
  do_mem_abort: 'arch/arm64/mm/fault.c: dispatch on ESR.FSC via fault_info[]',
  el0_da: 'arm64 data abort from EL0 (user)',
  el0_ia: 'arm64 instruction abort from EL0 (user)',
  el0t_64_sync_handler: 'arm64 EL0 synchronous exception dispatch (6.1)',
  el0t_64_sync: 'arm64 exception vector (VBAR_EL1+0x400)',
  el0_sync: 'arm64 exception vector (4.19)',
  pagefault_out_of_memory: 'mm/oom_kill.c: VM_FAULT_OOM reached the arch fault handler',
  moom_callback: 'drivers/tty/sysrq.c: SysRq-f manual OOM kill',
  sysrq_handle_moom: 'SysRq-f',
  do_syscall_64: 'x86 system call',
  entry_SYSCALL_64_after_hwframe: 'x86 system call entry',
  el0_svc: 'arm64 system call',
  invoke_syscall: 'arm64 system call',
};

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const num = (s: string | undefined): number => (s === undefined ? NaN : Number(s));
const pad = (v: string | number, w: number) => String(v).padStart(w);
const padEnd = (v: string | number, w: number) => String(v).padEnd(w);
const kbToPages = (kb: number) => Math.floor(kb / PAGE_KB);
const hex = (n: number) => '0x' + n.toString(16);
const fmtKb = (kb: number) => (kb >= UNLIMITED_KB ? `${kb}kB (= max, unlimited)` : `${kb}kB = ${kbToPages(kb)} pages`);
/** Function name without the "? " marker and compiler suffixes (.cold, .constprop.0, .isra.0, .part.0). */
const baseName = (f: string) => f.replace(/^\?\s+/, '').replace(/\..*$/, '');

function parseSummary(s: string): Record<string, string> {
  // Keys are fixed (dump_oom_summary); values such as nodemask/mems_allowed may contain commas.
  const parts = s.split(new RegExp(`,(?=(?:${SUMMARY_KEYS.join('|')})(?:=|,|$))`));
  const out: Record<string, string> = {};
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq < 0) out[p] = 'true';
    else out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

/** cgroup path `child` is `parent` or below it. */
function isDescendant(child: string, parent: string): boolean {
  if (child === parent || parent === '/') return true;
  return child.startsWith(parent.endsWith('/') ? parent : parent + '/');
}

// ---------------------------------------------------------------------------------------------
// Parsing one report
// ---------------------------------------------------------------------------------------------

interface Parsed {
  format: OomFormat;
  formatEvidence: string[];
  header: {
    comm: string;
    gfpMask: number;
    gfpText: string | null;
    nodemask: string | null;
    order: number;
    oomScoreAdj: number;
    line: string;
  };
  cpusetLine: string | null;
  cpu: { pid: number; comm: string; line: string } | null;
  callTraceSeen: boolean;
  frames: string[];
  memcgLines: string[];
  counters: Partial<Record<'memory' | 'swap' | 'memory+swap' | 'kmem', MemcgCounterLine>>;
  statsFor: string[];
  stats: Record<string, number>;
  taskIn419: { task: string; limit: string } | null;
  limitReached419: string | null;
  memInfoSeen: boolean;
  pagesRam: number | null;
  pagesReserved: number | null;
  totalSwapKb: number | null;
  freeSwapKb: number | null;
  zones: {
    node: number;
    name: string;
    freeKb: number;
    minKb: number;
    lowKb: number;
    highKb: number;
    managedKb: number;
  }[];
  freeLine: string | null;
  tasksHeaderSeen: boolean;
  tasksColumn: 'pgtables_bytes' | 'nr_ptes' | null;
  tasks: OomTaskRow[];
  summaryLine: string | null;
  summary: Record<string, string> | null;
  selection: OomKillSelection | null;
  killed: OomKilledLine[];
  oomGroup: string | null;
  reaped: string[];
  panic: string | null;
  noKillable: boolean;
  alreadyExiting: string | null;
  /** the lines after the task table that belong to the kill, in log order */
  killEvents: { type: 'selection' | 'killed' | 'group' | 'reaped' | 'panic' | 'nokill' | 'exiting'; line: string }[];
  /** kill lines after this report's kill that belong to later OOM kills whose dump_header() was ratelimited */
  laterKills: string[];
  /** the segment contained a second task table (the next report's header line is missing) */
  secondTable: boolean;
}

function parseReport(lines: Line[]): Parsed | null {
  const first = lines[0];
  if (!first) return null;
  const h = RE_HEADER.exec(first.text);
  if (!h) return null;
  const gfpMask = parseInt(h[2]!, 16);
  const p: Parsed = {
    format: '6.1',
    formatEvidence: [],
    header: {
      comm: h[1]!,
      gfpMask: Number.isFinite(gfpMask) ? gfpMask >>> 0 : 0,
      gfpText: h[3] ?? null,
      nodemask: h[4] ?? null,
      order: num(h[5]),
      oomScoreAdj: num(h[6]),
      line: first.text,
    },
    cpusetLine: null,
    cpu: null,
    callTraceSeen: false,
    frames: [],
    memcgLines: [],
    counters: {},
    statsFor: [],
    stats: {},
    taskIn419: null,
    limitReached419: null,
    memInfoSeen: false,
    pagesRam: null,
    pagesReserved: null,
    totalSwapKb: null,
    freeSwapKb: null,
    zones: [],
    freeLine: null,
    tasksHeaderSeen: false,
    tasksColumn: null,
    tasks: [],
    summaryLine: null,
    summary: null,
    selection: null,
    killed: [],
    oomGroup: null,
    reaped: [],
    panic: null,
    noKillable: false,
    alreadyExiting: null,
    killEvents: [],
    laterKills: [],
    secondTable: false,
  };
  let inTrace = false;
  let inTable = false;
  let inStats = false;
  for (let i = 1; i < lines.length; i++) {
    const t = lines[i]!.text;
    const trimmed = t.trim();
    let m: RegExpExecArray | null;
    // The call trace: frames until the first report section that follows it.
    if (inTrace) {
      m = RE_FRAME.exec(t);
      if (m) {
        p.frames.push((m[1] ? '? ' : '') + m[2]!);
        continue;
      }
      if (
        /^(?:<\/?(?:TASK|IRQ|NMI|EOI)>|RIP:|Code:|RSP:|R[A-Z0-9]{2}:|FS:|CS:|CR2:|\[<)/.test(trimmed) ||
        trimmed === ''
      )
        continue;
      inTrace = false;
    }
    if (inStats) {
      if (RE_STAT_LINE.test(t)) {
        const sm = RE_STAT_LINE.exec(t)!;
        p.stats[sm[1]!] = num(sm[2]);
        continue;
      }
      inStats = false;
    }
    if (inTable) {
      m = RE_TASK_ROW.exec(t);
      if (m) {
        const col6 = num(m[6]);
        p.tasks.push({
          pid: num(m[1]),
          uid: num(m[2]),
          tgid: num(m[3]),
          totalVm: num(m[4]),
          rss: num(m[5]),
          pgtablesBytes: p.tasksColumn === 'nr_ptes' ? col6 * 4096 : col6,
          ...(p.tasksColumn === 'nr_ptes' ? { nrPtes: col6 } : {}),
          swapents: num(m[7]),
          oomScoreAdj: num(m[8]),
          name: m[9]!,
        });
        continue;
      }
      inTable = false;
    }
    if (!p.cpusetLine && (m = RE_CPUSET.exec(t)) && !t.startsWith('oom-kill:')) {
      p.cpusetLine = t;
      continue;
    }
    if (!p.cpu && (m = RE_CPU.exec(t))) {
      p.cpu = { pid: num(m[2]), comm: m[3]!, line: t };
      continue;
    }
    if (!p.callTraceSeen && RE_CALL_TRACE.test(t)) {
      p.callTraceSeen = true;
      inTrace = true;
      continue;
    }
    if ((m = RE_COUNTER.exec(t))) {
      const key = m[1] as 'memory' | 'swap' | 'memory+swap' | 'kmem';
      if (!p.counters[key]) p.counters[key] = { usageKb: num(m[2]), limitKb: num(m[3]), failcnt: num(m[4]) };
      p.memcgLines.push(t);
      continue;
    }
    if ((m = RE_STATS_FOR.exec(t))) {
      p.statsFor.push(m[1]!);
      p.memcgLines.push(t);
      const rest = m[2]!.trim();
      if (rest) {
        // 4.19/3.12: " cache:0KB rss:10240KB ..." on the same line (values in KiB); first memcg only.
        if (p.statsFor.length === 1)
          for (const kv of rest.matchAll(/([a-z_]+):(\d+)KB/g)) p.stats[kv[1]!] = num(kv[2]) * 1024;
      } else if (p.statsFor.length === 1) {
        inStats = true;
      }
      continue;
    }
    if ((m = RE_TASK_IN_419.exec(t))) {
      p.taskIn419 = { task: m[1]!, limit: m[2]! };
      p.memcgLines.push(t);
      continue;
    }
    if ((m = RE_LIMIT_REACHED_419.exec(t))) {
      p.limitReached419 = m[1]!;
      p.memcgLines.push(t);
      continue;
    }
    if (RE_MEMINFO.test(t)) {
      p.memInfoSeen = true;
      continue;
    }
    if ((m = RE_PAGES_RAM.exec(t))) {
      p.pagesRam = num(m[1]);
      continue;
    }
    if ((m = RE_PAGES_RESERVED.exec(t))) {
      p.pagesReserved = num(m[1]);
      continue;
    }
    if ((m = RE_TOTAL_SWAP.exec(t))) {
      p.totalSwapKb = num(m[1]);
      continue;
    }
    if ((m = RE_FREE_SWAP.exec(t))) {
      p.freeSwapKb = num(m[1]);
      continue;
    }
    if ((m = RE_ZONE.exec(t))) {
      p.zones.push({
        node: num(m[1]),
        name: m[2]!,
        freeKb: num(m[3]),
        minKb: num(m[4]),
        lowKb: num(m[5]),
        highKb: num(m[6]),
        managedKb: num(m[7]),
      });
      continue;
    }
    if (p.memInfoSeen && !p.freeLine && /^\s*free:\d+ free_pcp:/.test(t)) {
      p.freeLine = trimmed;
      continue;
    }
    if (RE_TASKS_STATE.test(t)) {
      p.tasksHeaderSeen = true;
      continue;
    }
    if (p.tasksColumn && RE_TASKS_COLS.test(t)) {
      p.secondTable = true;
      break;
    }
    if ((m = RE_TASKS_COLS.exec(t))) {
      p.tasksColumn = m[1] as 'pgtables_bytes' | 'nr_ptes';
      inTable = true;
      continue;
    }
    if (!p.summaryLine && (m = RE_SUMMARY.exec(t))) {
      p.summaryLine = t;
      p.summary = parseSummary(m[1]!);
      continue;
    }
    // oom_kill_process() prints its kill lines even when dump_header() is ratelimited (oom_rs:
    // 10 reports per 5 s), so kill lines of later OOMs can follow this report without a header.
    // Only the first kill (plus the memory.oom.group members after the "Tasks in" line) is ours.
    if (p.laterKills.length && (RE_KILL_419.test(t) || RE_KILLED.test(t))) {
      p.laterKills.push(t);
      continue;
    }
    if (p.selection && RE_KILL_419.test(t)) {
      p.laterKills.push(t);
      continue;
    }
    if (p.killed.length && !p.oomGroup && RE_KILLED.test(t)) {
      p.laterKills.push(t);
      continue;
    }
    if (!p.selection && (m = RE_KILL_419.exec(t))) {
      p.selection = { message: m[1] ?? null, pid: num(m[2]), comm: m[3]!, score: num(m[4]) };
      p.killEvents.push({ type: 'selection', line: t });
      continue;
    }
    if ((m = RE_KILLED.exec(t))) {
      p.killed.push({
        message: m[1] ?? null,
        pid: num(m[2]),
        comm: m[3]!,
        totalVmKb: num(m[4]),
        anonRssKb: num(m[5]),
        fileRssKb: num(m[6]),
        shmemRssKb: m[7] === undefined ? null : num(m[7]),
        uid: m[8] === undefined ? null : num(m[8]),
        pgtablesKb: m[9] === undefined ? null : num(m[9]),
        oomScoreAdj: m[10] === undefined ? null : num(m[10]),
        line: t,
      });
      p.killEvents.push({ type: 'killed', line: t });
      continue;
    }
    if (!p.oomGroup && (m = RE_GROUP.exec(t))) {
      p.oomGroup = m[1]!;
      p.killEvents.push({ type: 'group', line: t });
      continue;
    }
    if (RE_REAPED.test(t)) {
      p.reaped.push(t);
      p.killEvents.push({ type: 'reaped', line: t });
      continue;
    }
    if (!p.panic && (m = RE_PANIC.exec(t))) {
      p.panic = t;
      p.killEvents.push({ type: 'panic', line: t });
      continue;
    }
    if (RE_NO_KILLABLE.test(t)) {
      p.noKillable = true;
      p.killEvents.push({ type: 'nokill', line: t });
      continue;
    }
    if (!p.alreadyExiting && RE_ALREADY_EXITING.test(t)) {
      p.alreadyExiting = t;
      p.killEvents.push({ type: 'exiting', line: t });
      continue;
    }
  }
  // Which layout: 4.19 prints nodemask= in the header, a "<comm> cpuset=" line and "Kill process …
  // or sacrifice child"; 3.12 prints the mask without %pGg and an nr_ptes column; 6.1 (and 5.x)
  // has the oom-kill: summary and "UID: … pgtables:" in the kill line.
  const ev419: string[] = [];
  const ev312: string[] = [];
  const ev61: string[] = [];
  if (p.header.nodemask !== null) ev419.push('"nodemask=" in the header line');
  if (p.cpusetLine) (p.header.gfpText === null ? ev312 : ev419).push('a "cpuset= mems_allowed=" line after the header');
  if (p.selection) ev419.push('"Kill process N (comm) score S or sacrifice child"');
  if (p.taskIn419) ev419.push('"Task in X killed as a result of limit of Y"');
  if (p.header.gfpText === null) ev312.push('gfp_mask without the %pGg flag names');
  if (p.tasksColumn === 'nr_ptes') ev312.push('the nr_ptes column of dump_tasks()');
  if (p.summary) ev61.push('the "oom-kill:constraint=" summary line');
  if (p.killed.some((k) => k.uid !== null))
    ev61.push('"UID:… pgtables:…kB oom_score_adj:…" in the Killed process line');
  if (ev312.length && (p.header.gfpText === null || p.tasksColumn === 'nr_ptes')) {
    p.format = '3.12';
    p.formatEvidence = ev312;
  } else if (ev419.length && !ev61.length) {
    p.format = '4.19';
    p.formatEvidence = ev419;
  } else if (ev61.length) {
    p.format = '6.1';
    p.formatEvidence = ev61;
  } else {
    p.format = '6.1';
    p.formatEvidence = [
      'no "nodemask=" in the header line and no "cpuset=" line (6.1 moved both into the oom-kill: summary)',
    ];
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Victim recomputation (mm/oom_kill.c oom_badness(), oom_evaluate_task(), select_bad_process())
// ---------------------------------------------------------------------------------------------

function badness(format: OomFormat, row: OomTaskRow, totalpages: number): OomCandidate {
  const pgtablePages =
    format === '3.12' ? (row.nrPtes ?? Math.floor(row.pgtablesBytes / 4096)) : Math.floor(row.pgtablesBytes / 4096);
  const base = {
    pid: row.pid,
    tgid: row.tgid,
    name: row.name,
    rss: row.rss,
    swapents: row.swapents,
    pgtablePages,
    oomScoreAdj: row.oomScoreAdj,
  };
  // oom_unkillable_task(): global init is never chosen (dump_tasks() does not print it either).
  if (row.pid === 1)
    return {
      ...base,
      effectiveAdj: row.oomScoreAdj,
      adjPoints: 0,
      points: null,
      excluded: 'global init (oom_unkillable_task)',
    };
  // oom_badness(): "adj == OOM_SCORE_ADJ_MIN" → LONG_MIN (6.1) / 0 (4.19, 3.12): never selected.
  if (row.oomScoreAdj === OOM_SCORE_ADJ_MIN)
    return {
      ...base,
      effectiveAdj: row.oomScoreAdj,
      adjPoints: 0,
      points: null,
      excluded: 'oom_score_adj -1000 (OOM_SCORE_ADJ_MIN)',
    };
  let adj = row.oomScoreAdj;
  // 3.12 oom_badness(): root (CAP_SYS_ADMIN) processes get 3% off; uid 0 is taken as CAP_SYS_ADMIN.
  if (format === '3.12' && row.uid === 0) adj -= 30;
  // "adj *= totalpages / 1000": the division happens first, in unsigned long arithmetic.
  const adjPoints = adj * Math.floor(totalpages / 1000);
  let points = row.rss + row.swapents + pgtablePages + adjPoints;
  // 4.19/3.12 clamp to 1 ("never return 0 for an eligible task"); 6.1 returns a signed long unclamped.
  if (format !== '6.1') points = points > 0 ? points : 1;
  return { ...base, effectiveAdj: adj, adjPoints, points };
}

/**
 * select_bad_process() over the dump_tasks() rows, in table order (6.1: dump_tasks() walks the
 * same iterator as select_bad_process(): mem_cgroup_scan_tasks() or for_each_process()).
 * oom_evaluate_task(): 6.1 skips `points < chosen_points`, so an equal later task replaces the
 * chosen one; 4.19 skips `!points || points < chosen_points` and on a tie keeps a chosen
 * thread-group leader; 3.12: strictly greater wins.
 */
function selectVictim(format: OomFormat, cands: OomCandidate[]): OomCandidate | null {
  let chosen: OomCandidate | null = null;
  let chosenPoints = format === '6.1' ? -Infinity : 0;
  for (const c of cands) {
    if (c.points === null) continue;
    if (format === '6.1') {
      if (c.points < chosenPoints) continue;
    } else if (format === '4.19') {
      if (!c.points || c.points < chosenPoints) continue;
      if (c.points === chosenPoints && chosen && chosen.pid === chosen.tgid) continue;
    } else if (c.points <= chosenPoints) {
      continue;
    }
    chosen = c;
    chosenPoints = c.points;
  }
  return chosen;
}

// ---------------------------------------------------------------------------------------------
// Explaining one report
// ---------------------------------------------------------------------------------------------

function classifyPath(frames: string[], gfpMask: number, order: number): string[] {
  const names = new Set(frames.map(baseName));
  const has = (...f: string[]) => f.filter((x) => names.has(x));
  const out: string[] = [];
  if (order === -1 || has('moom_callback', 'sysrq_handle_moom').length)
    out.push('SysRq-f manual OOM (moom_callback(), order=-1): no allocation failed');
  const x86pf = has('asm_exc_page_fault', 'exc_page_fault', 'do_user_addr_fault', 'page_fault', '__do_page_fault');
  const armpf = has('el0_da', 'el0_ia', 'do_mem_abort', 'do_translation_fault');
  if (armpf.length) out.push(`user page fault (arm64: ${armpf.join(' / ')} → do_page_fault → handle_mm_fault)`);
  else if (x86pf.length) out.push(`user page fault (x86: ${x86pf.join(' / ')} → handle_mm_fault)`);
  else if (has('handle_mm_fault').length)
    out.push('page fault (handle_mm_fault; the entry frames are not in the trace)');
  const sys = has('do_syscall_64', 'entry_SYSCALL_64_after_hwframe', 'el0_svc', 'invoke_syscall');
  if (sys.length) out.push(`system call (${sys.join(' / ')}): a kernel allocation on behalf of a syscall`);
  if (has('pagefault_out_of_memory').length)
    out.push(
      gfpMask === 0
        ? 'pagefault_out_of_memory(): VM_FAULT_OOM reached the arch handler and no memcg OOM was pending → global out_of_memory() with gfp_mask 0 (4.19; removed in 5.16/6.1)'
        : 'pagefault_out_of_memory(): deferred OOM at the end of the fault',
    );
  if (has('mem_cgroup_oom_synchronize').length)
    out.push('mem_cgroup_oom_synchronize(): memcg OOM deferred to the end of the fault');
  const charge = has('try_charge_memcg', 'try_charge', 'mem_cgroup_out_of_memory');
  if (charge.length)
    out.push(
      `memcg charge failed (${charge.join(' → ')}): the memory cgroup hit its limit and reclaim could not make room`,
    );
  const alloc = has('__alloc_pages_slowpath', '__alloc_pages_may_oom', '__alloc_pages', '__alloc_pages_nodemask');
  if (alloc.length)
    out.push(
      `page allocator (${alloc.join(' → ')}): free memory below the min watermark, reclaim retries exhausted → __alloc_pages_may_oom() → out_of_memory()`,
    );
  const what = has(
    'alloc_zeroed_user_highpage_movable',
    'vma_alloc_folio',
    'alloc_pages_vma',
    'do_anonymous_page',
    'wp_page_copy',
    'do_cow_fault',
    '__pte_alloc',
    'pte_alloc_one',
  );
  if (what.length) out.push(`allocating: ${what.join(', ')}`);
  return out;
}

function explainOne(index: number, p: Parsed): ExplainedReport {
  const out: string[] = [];
  const inc: string[] = [];
  const notes: string[] = [];
  const v = p.format;
  const say = (s = '') => out.push(s.replace(/[ \t]+$/gm, ''));

  // ----- kind: memcg vs global --------------------------------------------------------------
  const memcgEvidence: string[] = [];
  if (p.counters.memory)
    memcgEvidence.push(
      `"memory: usage … limit … failcnt" (${v === '6.1' ? 'mem_cgroup_print_oom_meminfo' : 'mem_cgroup_print_oom_info'})`,
    );
  if (p.statsFor.length) memcgEvidence.push(`"Memory cgroup stats for ${p.statsFor[0]}:"`);
  if (p.taskIn419) memcgEvidence.push('"Task in … killed as a result of limit of …" (4.19 mem_cgroup_print_oom_info)');
  if (p.limitReached419) memcgEvidence.push('"Memory limit reached of cgroup …"');
  const globalEvidence: string[] = [];
  if (p.memInfoSeen) globalEvidence.push('"Mem-Info:" (show_mem(), printed only when oc->memcg is NULL)');
  if (p.summary?.global_oom) globalEvidence.push('",global_oom" in the oom-kill: summary');
  const constraint = p.summary?.constraint ?? null;
  const summaryMemcg = constraint === 'CONSTRAINT_MEMCG' || p.summary?.oom_memcg !== undefined;
  const kind: 'memcg' | 'global' =
    memcgEvidence.length ||
    (summaryMemcg && !globalEvidence.length) ||
    (p.selection?.message ?? p.killed[0]?.message ?? '').startsWith('Memory cgroup')
      ? 'memcg'
      : 'global';
  const kindEvidence = kind === 'memcg' ? [...memcgEvidence] : [...globalEvidence];
  if (constraint) kindEvidence.push(`constraint=${constraint}`);
  const killMsg = p.killed[0]?.message ?? p.selection?.message ?? null;
  if (killMsg) kindEvidence.push(`kill message "${killMsg}"`);

  // ----- totalpages (constrained_alloc) -----------------------------------------------------
  let totalpages: { value: number | null; exact: boolean; how: string };
  if (kind === 'memcg') {
    const mem = p.counters.memory;
    if (!mem) {
      totalpages = {
        value: null,
        exact: false,
        how: 'memcg OOM but no "memory: usage … limit …" line: totalpages (mem_cgroup_get_max()) unknown',
      };
    } else {
      const limitPages = kbToPages(mem.limitKb);
      let value = limitPages;
      let exact = true;
      let how = `mem_cgroup_get_max(): memory limit ${mem.limitKb}kB = ${limitPages} pages`;
      const sw = p.counters.swap;
      const msw = p.counters['memory+swap'];
      if (v === '6.1' && sw) {
        if (sw.limitKb >= UNLIMITED_KB) {
          exact = false;
          how +=
            ' + min(swap.max = max, total_swap_pages): total_swap_pages is not printed in a memcg report, assumed 0 (no swap device)';
        } else if (sw.limitKb > 0) {
          value += kbToPages(sw.limitKb);
          exact = false;
          how += ` + swap limit ${sw.limitKb}kB = ${kbToPages(sw.limitKb)} pages (the kernel caps this at total_swap_pages, which a memcg report does not print)`;
        } else {
          how += ' + swap limit 0kB';
        }
      } else if (msw) {
        if (msw.limitKb >= UNLIMITED_KB) {
          exact = false;
          how += ' (+ swap up to total_swap_pages, not printed in a memcg report: assumed 0, no swap device)';
        } else if (msw.limitKb > mem.limitKb) {
          value = v === '6.1' ? limitPages + kbToPages(msw.limitKb - mem.limitKb) : kbToPages(msw.limitKb);
          exact = false;
          how += ` + swap allowed by memory+swap limit ${msw.limitKb}kB → ${value} pages (capped by total_swap_pages in the kernel; assumes enough swap)`;
        }
      }
      if (value === 0) {
        value = 1;
        how += '; "?: 1" makes a zero limit 1';
      }
      how += ' (constrained_alloc(): CONSTRAINT_MEMCG; swap only counts when the memcg swappiness is not 0)';
      totalpages = { value, exact, how };
    }
  } else if (p.pagesRam !== null && p.pagesReserved !== null) {
    const swapPages = p.totalSwapKb !== null ? kbToPages(p.totalSwapKb) : 0;
    const value = p.pagesRam - p.pagesReserved + swapPages;
    let how = `estimate of totalram_pages + total_swap_pages = "${p.pagesRam} pages RAM" − "${p.pagesReserved} pages reserved" + Total swap ${p.totalSwapKb ?? 0}kB/4 = ${value}. It is an estimate: totalram_pages counts managed pages, and __show_mem() prints "reserved" as present − managed summed over all zones`;
    if (p.zones.length) {
      const managed = p.zones.reduce((a, z) => a + kbToPages(z.managedKb), 0);
      how += `; the printed zones' managed: sum to ${managed} pages${managed === p.pagesRam - p.pagesReserved ? ' (agrees)' : " (show_free_areas() may omit zones above the allocation's highest zone)"}`;
    }
    if (p.totalSwapKb === null) how += '; no "Total swap" line: swap assumed 0';
    if (constraint === 'CONSTRAINT_CPUSET' || constraint === 'CONSTRAINT_MEMORY_POLICY')
      how += `; ${constraint}: the kernel used only the pages of the allowed nodes (+ swap), which the report does not give — the figure above is too large`;
    totalpages = { value, exact: false, how };
  } else {
    totalpages = {
      value: null,
      exact: false,
      how: 'global OOM without "pages RAM"/"pages reserved" lines: totalpages unknown',
    };
  }

  // ----- header -------------------------------------------------------------------------------
  const title = `OOM report ${index} — Linux ${v} format${v === '3.12' ? ' (best effort)' : ''}, ${kind === 'memcg' ? 'memory-cgroup OOM' : 'global (system-wide) OOM'}`;
  say(title);
  say('='.repeat(title.length));
  say(`Format: ${p.formatEvidence.join('; ')}.`);
  say('');
  say('1. Header — dump_header() (mm/oom_kill.c)');
  say(`   > ${p.header.line}`);
  const invokerPid = p.cpu?.pid ?? null;
  say(
    `   Invoking task: ${p.header.comm}${invokerPid !== null ? ` (PID ${invokerPid}, from the "CPU: … PID: … Comm:" line of dump_stack())` : ''} — "current", whose allocation or charge failed. It is not necessarily the victim.`,
  );
  say(
    `   oom_score_adj=${p.header.oomScoreAdj} is the invoking task's own current->signal->oom_score_adj (−1000…1000), printed for context.`,
  );
  if (p.header.order === -1)
    say('   order=-1: SysRq-f (moom_callback()); no allocation failed, the OOM killer was forced.');
  else
    say(
      `   order=${p.header.order}: the failed request was 2^${p.header.order} = ${2 ** Math.max(0, p.header.order)} contiguous page(s) (${PAGE_KB * 2 ** Math.max(0, p.header.order)} kB). Orders above PAGE_ALLOC_COSTLY_ORDER (3) never reach the OOM killer (__alloc_pages_may_oom(), mem_cgroup_oom()).`,
    );
  if (p.header.nodemask !== null)
    say(
      `   nodemask=${p.header.nodemask}: 4.19 prints oc->nodemask, which is (null) unless constrained_alloc() found CONSTRAINT_MEMORY_POLICY.`,
    );
  if (p.cpusetLine)
    say(
      `   > ${p.cpusetLine}\n     cpuset_print_current_mems_allowed(): the invoking task's cpuset and allowed memory nodes.`,
    );
  // gfp mask, flag by flag
  const prof = GFP_PROFILES[v];
  const gfpFlags: string[] = [];
  say(
    `   gfp_mask=${hex(p.header.gfpMask)}${p.header.gfpText !== null ? `(${p.header.gfpText})` : ''} decoded with the ${v} bit values:`,
  );
  if (p.header.gfpMask === 0) {
    say(
      '     0: no allocation context. pagefault_out_of_memory() (4.19/3.12) and SysRq-f call out_of_memory() with gfp_mask 0; out_of_memory()\'s "!__GFP_FS → no kill" test only applies to a non-zero mask, so a kill is allowed.',
    );
  } else {
    let rest = p.header.gfpMask;
    const bits = Object.entries(prof.bits)
      .filter(([, b]) => b !== 0)
      .sort((a, b) => a[1] - b[1]);
    for (const [name, bit] of bits) {
      if ((p.header.gfpMask & bit) >>> 0 !== bit) continue;
      gfpFlags.push(name);
      rest = (rest & ~bit) >>> 0;
      say(`     ${padEnd(hex(bit), 9)} ${padEnd(name, 22)} ${GFP_MEANING[name] ?? ''}`);
    }
    if (rest) say(`     ${padEnd(hex(rest), 9)} (unknown bits in ${v})`);
    const rendered = formatGfpFlags(p.header.gfpMask, v);
    if (p.header.gfpText !== null) {
      if (rendered === p.header.gfpText)
        say(
          `     %pGg renders the composite names first (format_flags() over gfpflag_names[]): ${rendered} — matches the printed text.`,
        );
      else
        notes.push(
          `gfp_mask ${hex(p.header.gfpMask)} renders as "${rendered}" with the ${v} name table, the report printed "${p.header.gfpText}" (config-dependent flags such as KASAN/LOCKDEP bits, or another kernel version)`,
        );
    } else {
      say(`     (3.12 prints no flag names; the tracepoint names would be ${rendered})`);
    }
    const canReclaim = v === '3.12' ? gfpFlags.includes('__GFP_WAIT') : gfpFlags.includes('__GFP_DIRECT_RECLAIM');
    const fs = gfpFlags.includes('__GFP_FS');
    say(
      `     For reclaim/OOM: direct reclaim ${canReclaim ? 'allowed' : 'NOT allowed'}; __GFP_FS ${fs ? 'set (a global OOM may kill)' : 'clear (out_of_memory() would not kill for a global OOM)'}${gfpFlags.includes('__GFP_NORETRY') || gfpFlags.includes('__GFP_RETRY_MAYFAIL') ? '; NORETRY/RETRY_MAYFAIL normally keep the OOM killer out' : ''}.`,
    );
    if (kind === 'memcg' && v !== '3.12')
      say(
        "     For a memcg OOM this is the gfp of the failed charge (GFP_KERNEL when a user page is charged), not the page allocation's mask.",
      );
  }
  say('');

  // ----- memcg vs global --------------------------------------------------------------------
  say('2. Memory cgroup OOM or global OOM?');
  if (kind === 'memcg') {
    say(`   Memory-cgroup OOM: ${kindEvidence.join('; ')}.`);
    say(
      '   dump_header() prints the memcg counters and stats of the OOM memcg instead of show_mem()\'s "Mem-Info:"; only tasks of that memcg\'s subtree are candidates (mem_cgroup_scan_tasks()); totalpages = the memcg limit (mem_cgroup_get_max()).',
    );
  } else {
    say(`   Global OOM: ${kindEvidence.length ? kindEvidence.join('; ') : 'no memcg lines in the report'}.`);
    say(
      '   oc->memcg is NULL: the whole machine ran out (after reclaim), dump_header() calls show_mem() ("Mem-Info:"), every process is a candidate (for_each_process()), totalpages = totalram_pages + total_swap_pages (constrained_alloc()).',
    );
  }
  say('');

  // ----- call trace ---------------------------------------------------------------------------
  say('3. Call trace — which path invoked the OOM killer (innermost frame first)');
  if (!p.frames.length) say('   (no call trace found)');
  for (const f of p.frames) {
    const unreliable = f.startsWith('? ');
    const b = baseName(f);
    const suffix = /\.cold\b/.test(f) ? ' (.cold: compiler-outlined unlikely part)' : '';
    say(
      `   ${padEnd(f, 42)} ${unreliable ? 'unreliable x86 unwinder entry ("? "), not a real caller' : (FRAME_MEANING[b] ?? '')}${unreliable ? '' : suffix}`,
    );
  }
  const path = classifyPath(p.frames, p.header.gfpMask, p.header.order);
  if (path.length) {
    say('   Path:');
    for (const x of path) say(`   - ${x}`);
  }
  const fr = new Set(p.frames.map(baseName));
  if (fr.has('out_of_memory') && !fr.has('oom_kill_process'))
    say(
      '   out_of_memory() printed the header itself (no oom_kill_process() frame): dump_header(oc, NULL) before a panic or "no killable processes".',
    );
  say('');

  // ----- memcg / Mem-Info ---------------------------------------------------------------------
  let memcgInfo: ExplainedReport['memcg'] = null;
  if (kind === 'memcg' || p.memcgLines.length) {
    say('4. Memory cgroup usage — mem_cgroup_print_oom_meminfo() (6.1) / mem_cgroup_print_oom_info() (4.19)');
    if (p.taskIn419)
      say(
        `   > Task in ${p.taskIn419.task} killed as a result of limit of ${p.taskIn419.limit}\n     the victim's memcg and the memcg whose limit was hit (the OOM domain).`,
      );
    const c = p.counters;
    const line = (k: 'memory' | 'swap' | 'memory+swap' | 'kmem', what: string) => {
      const x = c[k];
      if (!x) return;
      say(`   > ${k}: usage ${x.usageKb}kB, limit ${x.limitKb}kB, failcnt ${x.failcnt}`);
      say(
        `     ${what}: usage ${fmtKb(x.usageKb)}, limit ${fmtKb(x.limitKb)}; failcnt ${x.failcnt} = how many charges found the counter at its limit.`,
      );
    };
    line(
      'memory',
      'page_counter "memory" (memory.current / memory.max): user pages plus kernel memory (page tables, slab, stacks) and up to 64 pages of per-CPU charge stock per CPU',
    );
    line('swap', 'cgroup v2 swap counter (memory.swap.current / memory.swap.max)');
    line(
      'memory+swap',
      `memsw counter (cgroup v1 memory.memsw.*${v === '6.1' ? '' : '; 4.19 prints it on cgroup v2 too'})`,
    );
    line('kmem', 'kernel-memory counter (cgroup v1 memory.kmem.*)');
    if (c.memory && c.memory.usageKb > c.memory.limitKb)
      inc.push(
        `memcg usage ${c.memory.usageKb}kB exceeds its limit ${c.memory.limitKb}kB (only forced charges — __GFP_NOFAIL, dying tasks — or a limit lowered below usage can do that)`,
      );
    if (p.statsFor.length) {
      say(
        `   > Memory cgroup stats for ${p.statsFor[0]}:${p.statsFor.length > 1 ? ` (and ${p.statsFor.length - 1} descendant memcg(s))` : ''}`,
      );
      const s = p.stats;
      const pg = (b: number | undefined) => (b === undefined ? '?' : `${b} bytes = ${Math.floor(b / 4096)} pages`);
      if (v === '6.1') {
        say(
          `     memory.stat of the OOM memcg, values in BYTES: anon ${pg(s.anon)}, file ${pg(s.file)}, kernel ${pg(s.kernel)}, pagetables ${pg(s.pagetables)}, shmem ${pg(s.shmem)}.`,
        );
        if (s.anon !== undefined && s.kernel !== undefined && c.memory) {
          const sum = s.anon + (s.file ?? 0) + s.kernel;
          say(
            `     anon + file + kernel = ${sum} bytes = ${Math.floor(sum / 1024)}kB vs usage ${c.memory.usageKb}kB (the difference is per-CPU stock, sock, and stat flush lag).`,
          );
        }
        say(
          '     (6.1 prints memory.stat with one printk of ~1 KiB, so the list is often cut short after the workingset_* entries.)',
        );
      } else {
        say(
          `     4.19/3.12 format: "name:valueKB" (KiB), e.g. rss ${s.rss !== undefined ? pg(s.rss) : '?'}, cache ${s.cache !== undefined ? pg(s.cache) : '?'}.`,
        );
      }
    }
    memcgInfo = {
      statsFor: p.statsFor[0] ?? p.taskIn419?.limit ?? p.limitReached419 ?? null,
      memory: c.memory ?? null,
      swap: c.swap ?? null,
      memsw: c['memory+swap'] ?? null,
      kmem: c.kmem ?? null,
      stats: { ...p.stats },
    };
    say('');
  }
  let memInfo: ExplainedReport['memInfo'] = null;
  if (p.memInfoSeen) {
    say(`${kind === 'memcg' ? '4b' : '4'}. System memory — show_mem() ("Mem-Info:")`);
    if (p.freeLine) say(`   > ${p.freeLine}\n     free pages on the whole machine (pages).`);
    for (const z of p.zones) {
      say(
        `   Node ${z.node} ${z.name}: free ${z.freeKb}kB, watermarks min ${z.minKb}kB / low ${z.lowKb}kB / high ${z.highKb}kB, managed ${z.managedKb}kB — ${z.freeKb < z.minKb ? 'below min: only ALLOC_HIGH/ALLOC_OOM/no-watermark allocations could succeed' : z.freeKb < z.lowKb ? 'below low (kswapd is woken)' : 'above low (not the limiting zone, or lowmem_reserve protects it)'}`,
      );
    }
    if (p.pagesRam !== null)
      say(
        `   "${p.pagesRam} pages RAM" (present pages), "${p.pagesReserved ?? '?'} pages reserved" (present − managed), Total swap ${p.totalSwapKb ?? '?'}kB, Free swap ${p.freeSwapKb ?? '?'}kB.`,
      );
    memInfo = {
      pagesRam: p.pagesRam,
      pagesReserved: p.pagesReserved,
      totalSwapKb: p.totalSwapKb,
      freeSwapKb: p.freeSwapKb,
    };
    say('');
  }

  // ----- tasks table --------------------------------------------------------------------------
  say('5. Tasks state — dump_tasks() (one row per process of the scanned set)');
  if (!p.tasksHeaderSeen && !p.tasks.length) {
    say('   (no task table: vm.oom_dump_tasks=0, or the log is truncated)');
  } else {
    if (p.tasksColumn === 'nr_ptes') say('   Units: total_vm, rss, nr_ptes and swapents are in PAGES (4 KiB).');
    else
      say(
        '   Units: total_vm, rss and swapents are in PAGES (4 KiB each); pgtables_bytes is in BYTES. rss = anon + file + shmem pages (get_mm_rss()).',
      );
    say(
      `   ${padEnd('pid', 8)} ${padEnd('name', 16)} ${pad('total_vm', 18)} ${pad('rss', 18)} ${pad(p.tasksColumn === 'nr_ptes' ? 'nr_ptes' : 'page tables', 24)} ${pad('swapents', 8)} ${pad('adj', 6)}`,
    );
    for (const t of p.tasks) {
      const pt =
        p.tasksColumn === 'nr_ptes' ? `${t.nrPtes} pages` : `${t.pgtablesBytes} B = ${t.pgtablesBytes / 1024}kB`;
      say(
        `   ${padEnd(t.pid, 8)} ${padEnd(t.name, 16)} ${pad(`${t.totalVm}p=${t.totalVm * PAGE_KB}kB`, 18)} ${pad(`${t.rss}p=${t.rss * PAGE_KB}kB`, 18)} ${pad(pt, 24)} ${pad(t.swapents, 8)} ${pad(t.oomScoreAdj, 6)}`,
      );
    }
    if (p.tasksHeaderSeen && !p.tasks.length) say('   (the table is empty)');
  }
  say('');

  // ----- summary ------------------------------------------------------------------------------
  if (p.summary) {
    say('6. Constraint summary — dump_oom_summary() (6.1)');
    say(`   > ${p.summaryLine}`);
    const s = p.summary;
    const cmean: Record<string, string> = {
      CONSTRAINT_NONE: 'no restriction: the whole machine is out of memory',
      CONSTRAINT_CPUSET: "the allocating task's cpuset nodes are exhausted",
      CONSTRAINT_MEMORY_POLICY: 'an mbind/set_mempolicy nodemask is exhausted',
      CONSTRAINT_MEMCG: 'a memory cgroup reached its limit',
    };
    say(`   constraint=${s.constraint} (constrained_alloc()): ${cmean[s.constraint ?? ''] ?? 'unknown constraint'}.`);
    say(
      `   nodemask=${s.nodemask ?? '?'} (oc->nodemask, (null) unless MEMORY_POLICY), cpuset=${s.cpuset ?? '?'} mems_allowed=${s.mems_allowed ?? '?'} (of the invoking task).`,
    );
    if (s.oom_memcg !== undefined)
      say(
        `   oom_memcg=${s.oom_memcg}: the memcg whose limit was hit; task_memcg=${s.task_memcg ?? '?'}: the victim's memcg (mem_cgroup_print_oom_context()).`,
      );
    else if (s.global_oom)
      say(`   global_oom: no OOM memcg; task_memcg=${s.task_memcg ?? '?'} is just the victim's cgroup.`);
    say(`   task=${s.task ?? '?'},pid=${s.pid ?? '?'},uid=${s.uid ?? '?'}: the chosen victim.`);
    say('');
  } else if (v === '6.1') {
    if (p.killed.length) notes.push('6.1 report without the "oom-kill:constraint=" summary line (truncated log?)');
  } else {
    say(`6. Constraint summary — not printed by ${v} (dump_oom_summary() came with 5.0)`);
    say(
      kind === 'memcg'
        ? '   constrained_alloc() returned CONSTRAINT_MEMCG (oc->memcg is set).'
        : `   Global OOM: CONSTRAINT_NONE unless a cpuset or mempolicy restricted the allocation${p.header.nodemask && p.header.nodemask !== '(null)' ? ` — the header's nodemask=${p.header.nodemask} indicates CONSTRAINT_MEMORY_POLICY` : ' (nodemask=(null) in the header rules out MEMORY_POLICY)'}.`,
    );
    say('');
  }

  // ----- kill lines ---------------------------------------------------------------------------
  say('7. The kill');
  const victim = p.killed[0] ?? null;
  let killedSeen = 0;
  for (const e of p.killEvents) {
    say(`   > ${e.line}`);
    if (e.type === 'selection') {
      say(
        `     oom_kill_process() (${v}): the selected process; score = chosen_points × 1000 / totalpages (normalised 0…1000). Before killing, a child with a different mm and the highest oom_badness() (> 0) would be sacrificed instead.`,
      );
    } else if (e.type === 'killed') {
      const k = p.killed[killedSeen++]!;
      if (killedSeen === 1) {
        const rssKb = k.anonRssKb + k.fileRssKb + (k.shmemRssKb ?? 0);
        say(
          `     __oom_kill_process(): SIGKILL sent. All sizes here are in kB: total-vm ${k.totalVmKb}kB = ${kbToPages(k.totalVmKb)} pages; rss anon ${k.anonRssKb} + file ${k.fileRssKb} + shmem ${k.shmemRssKb ?? 0} = ${rssKb}kB = ${kbToPages(rssKb)} pages${k.pgtablesKb !== null ? `; pgtables ${k.pgtablesKb}kB (mm_pgtables_bytes() >> 10)` : ''}.`,
        );
        if (k.message?.includes('oom_kill_allocating_task'))
          say(
            '     "(oom_kill_allocating_task)": vm.oom_kill_allocating_task=1, so out_of_memory() killed the invoking task itself without select_bad_process().',
          );
      } else if (p.oomGroup) {
        say('     memory.oom.group member (mem_cgroup_scan_tasks(oom_group, oom_kill_memcg_member)).');
      }
    } else if (e.type === 'group') {
      say(
        "     memory.oom.group=1 (mem_cgroup_get_oom_group()): after the victim, every task of that memcg except oom_score_adj −1000 is killed too, and the victim's line is printed again.",
      );
    } else if (e.type === 'reaped') {
      say("     the OOM reaper unmapped the victim's anonymous memory (6.1: after the 2 s OOM_REAPER_DELAY).");
    } else if (e.type === 'panic') {
      say(
        '     check_panic_on_oom(): vm.panic_on_oom is set (1: CONSTRAINT_NONE only; 2: always); dump_header(oc, NULL) ran and nobody was killed.',
      );
    } else if (e.type === 'nokill') {
      say('     select_bad_process() found no eligible task (all oom_score_adj −1000, kernel threads, or init).');
    } else {
      say('     find_lock_task_mm() found no thread with an mm: the victim was already exiting.');
    }
  }
  if (p.laterKills.length) {
    say(
      `   (${p.laterKills.length} later kill line(s) without their own report follow — dump_header() is ratelimited to 10 reports per 5 s (oom_rs) — not checked here)`,
    );
    notes.push(
      `${p.laterKills.length} later kill line(s) without a report (ratelimited dump_header()), first: ${p.laterKills[0]}`,
    );
  }
  if (p.secondTable)
    notes.push(
      'a second task table follows without its "invoked oom-killer" header line; parsing of this report stopped there',
    );
  if (!p.killed.length && !p.selection && !p.panic && !p.noKillable && !p.alreadyExiting) {
    say('   (no kill line found: the log may be truncated)');
    notes.push('no "Killed process" line after this report (truncated log?)');
  }
  say('');

  // ----- consistency of the kill lines with the table -----------------------------------------
  const rowOf = (pid: number) => p.tasks.find((t) => t.pid === pid) ?? p.tasks.find((t) => t.tgid === pid) ?? null;
  const seen = new Set<string>();
  for (const k of p.killed) {
    const key = `${k.pid}/${k.totalVmKb}/${k.anonRssKb}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const row = rowOf(k.pid);
    if (!row) {
      if (p.tasks.length)
        notes.push(
          `killed process ${k.pid} (${k.comm}) is not in the task table${v !== '6.1' ? ' (4.19: a sacrificed child outside the scanned set?)' : ''}`,
        );
      continue;
    }
    if (k.totalVmKb !== row.totalVm * PAGE_KB)
      inc.push(
        `Killed process ${k.pid} (${k.comm}): total-vm ${k.totalVmKb}kB != task table total_vm ${row.totalVm} pages × 4 = ${row.totalVm * PAGE_KB}kB`,
      );
    const rssPages = kbToPages(k.anonRssKb + k.fileRssKb + (k.shmemRssKb ?? 0));
    if (Math.abs(rssPages - row.rss) > SPLIT_RSS_LAG)
      inc.push(
        `Killed process ${k.pid} (${k.comm}): anon+file+shmem rss = ${rssPages} pages but the task table says rss ${row.rss} pages (difference ${rssPages - row.rss} exceeds the SPLIT_RSS_COUNTING lag of ${SPLIT_RSS_LAG} pages)`,
      );
    if (
      k.pgtablesKb !== null &&
      p.tasksColumn === 'pgtables_bytes' &&
      k.pgtablesKb !== Math.floor(row.pgtablesBytes / 1024)
    )
      inc.push(
        `Killed process ${k.pid} (${k.comm}): pgtables ${k.pgtablesKb}kB != task table pgtables_bytes ${row.pgtablesBytes} / 1024 = ${Math.floor(row.pgtablesBytes / 1024)}kB`,
      );
    if (k.uid !== null && k.uid !== row.uid)
      inc.push(`Killed process ${k.pid} (${k.comm}): UID ${k.uid} != task table uid ${row.uid}`);
    if (k.oomScoreAdj !== null && k.oomScoreAdj !== row.oomScoreAdj)
      inc.push(`Killed process ${k.pid} (${k.comm}): oom_score_adj ${k.oomScoreAdj} != task table ${row.oomScoreAdj}`);
    if (k.comm !== row.name) notes.push(`Killed process ${k.pid}: comm "${k.comm}" vs task table name "${row.name}"`);
  }

  // ----- summary vs memcg lines vs kill -------------------------------------------------------
  const hasMemcgLines = memcgEvidence.length > 0;
  if (constraint === 'CONSTRAINT_MEMCG' && !hasMemcgLines)
    inc.push(
      'constraint=CONSTRAINT_MEMCG but the report has no memcg lines ("memory: usage … limit …", "Memory cgroup stats for …")',
    );
  if (constraint && constraint !== 'CONSTRAINT_MEMCG' && hasMemcgLines)
    inc.push(
      `constraint=${constraint} but the report has memcg lines (${memcgEvidence.join(', ')}), which dump_header() prints only for a memcg OOM`,
    );
  if (p.summary?.global_oom && hasMemcgLines) inc.push('the summary says global_oom but the report has memcg lines');
  if (constraint === 'CONSTRAINT_MEMCG' && p.memInfoSeen)
    inc.push(
      'constraint=CONSTRAINT_MEMCG but the report has "Mem-Info:" (show_mem() is printed only for a global OOM)',
    );
  if (hasMemcgLines && p.memInfoSeen)
    inc.push('the report has both memcg lines and "Mem-Info:" (dump_header() prints one or the other)');
  if (p.summary?.oom_memcg !== undefined) {
    const om = p.summary.oom_memcg;
    if (p.statsFor.length && p.statsFor[0] !== om)
      inc.push(
        `summary oom_memcg=${om} but the stats header says "Memory cgroup stats for ${p.statsFor[0]}:" (both name the OOM memcg)`,
      );
    if (p.summary.task_memcg !== undefined && !isDescendant(p.summary.task_memcg, om))
      inc.push(
        `summary task_memcg=${p.summary.task_memcg} is not inside oom_memcg=${om} (a memcg OOM only scans the OOM memcg's subtree)`,
      );
  }
  if (p.taskIn419) {
    if (p.statsFor.length && p.statsFor[0] !== p.taskIn419.limit)
      inc.push(
        `"limit of ${p.taskIn419.limit}" but the first stats header is "Memory cgroup stats for ${p.statsFor[0]}:"`,
      );
    if (!isDescendant(p.taskIn419.task, p.taskIn419.limit))
      inc.push(`"Task in ${p.taskIn419.task}" is not inside the OOM memcg ${p.taskIn419.limit}`);
  }
  if (p.summary?.pid !== undefined && victim && num(p.summary.pid) !== victim.pid)
    inc.push(
      `summary pid=${p.summary.pid} but Killed process ${victim.pid} (dump_oom_summary() names the victim that __oom_kill_process() kills)`,
    );
  if (p.summary?.task !== undefined && victim && p.summary.task !== victim.comm)
    notes.push(`summary task=${p.summary.task} vs Killed process comm ${victim.comm}`);
  if (p.selection && v === '4.19' && p.killed.length && victim && victim.pid !== p.selection.pid)
    notes.push(
      `Kill process ${p.selection.pid} but Killed process ${victim.pid}: a child was sacrificed (4.19 oom_kill_process() "prefer children over parent")`,
    );

  // ----- recompute the victim -----------------------------------------------------------------
  say('8. Recomputing the victim — oom_badness() / select_bad_process() (mm/oom_kill.c)');
  const formula =
    v === '3.12'
      ? 'points = rss + nr_ptes + swapents + (oom_score_adj − 30 if root) × (totalpages / 1000), clamped to ≥ 1'
      : `points = rss + swapents + pgtables_bytes/4096 + oom_score_adj × (totalpages / 1000)${v === '4.19' ? ', clamped to ≥ 1' : ' (6.1: not clamped, may be ≤ 0)'}`;
  say(`   ${formula}; integer divisions; oom_score_adj −1000 is never chosen.`);
  say(`   totalpages = ${totalpages.value ?? 'unknown'}: ${totalpages.how}.`);
  const tp = totalpages.value ?? 0;
  const candidates = p.tasks.map((r) => badness(v, r, tp));
  const ranked = candidates.filter((c) => c.points !== null).sort((a, b) => b.points! - a.points!);
  ranked.forEach((c, i) => {
    c.rank = i + 1;
  });
  const recomputed = p.tasks.length ? selectVictim(v, candidates) : null;
  const tieRule =
    v === '6.1'
      ? '6.1 tie rule: oom_evaluate_task() skips only "points < chosen_points", so of equal scores the LATER task in the table wins'
      : v === '4.19'
        ? '4.19 tie rule: on equal points a chosen thread-group leader is kept (the EARLIER leader wins)'
        : '3.12: strictly greater wins (the earlier task keeps a tie)';
  if (candidates.length) {
    say(
      `   ${pad('rank', 4)} ${padEnd('pid', 8)} ${padEnd('name', 16)} ${pad('rss', 8)} ${pad('swapents', 8)} ${pad(v === '3.12' ? 'nr_ptes' : 'pgtbl/4096', 10)} ${pad('adj', 6)} ${pad('adj×(tp/1000)', 14)} ${pad('points', 10)}`,
    );
    const order = [...ranked, ...candidates.filter((c) => c.points === null)];
    for (const c of order) {
      const marks: string[] = [];
      if (recomputed && c === recomputed) marks.push('← recomputed victim');
      if (victim && c.pid === victim.pid) marks.push('← killed');
      else if (!victim && p.selection && c.pid === p.selection.pid) marks.push('← selected');
      if (c.excluded) marks.push(`excluded: ${c.excluded}`);
      const adjText = c.effectiveAdj !== c.oomScoreAdj ? `${c.effectiveAdj}*` : String(c.effectiveAdj);
      say(
        `   ${pad(c.rank ?? '-', 4)} ${padEnd(c.pid, 8)} ${padEnd(c.name, 16)} ${pad(c.rss, 8)} ${pad(c.swapents, 8)} ${pad(c.pgtablePages, 10)} ${pad(adjText, 6)} ${pad(c.excluded ? '-' : c.adjPoints, 14)} ${pad(c.points ?? '-', 10)}  ${marks.join(' ')}`,
      );
    }
    if (candidates.some((c) => c.effectiveAdj !== c.oomScoreAdj))
      say('   (* 3.12 root bonus: adj − 30 for CAP_SYS_ADMIN, assumed for uid 0)');
    say(`   ${tieRule}.`);
    if (v === '4.19' && kind === 'memcg')
      say(
        "   (4.19 memcg OOM: select_bad_process() iterates the memcg's threads while dump_tasks() walks for_each_process(), so the table order may differ from the scan order — only matters for ties.)",
      );
  } else {
    say('   (no task rows to recompute from)');
  }

  const allocatingTask = !!victim?.message?.includes('oom_kill_allocating_task');
  const adjMatters = candidates.some((c) => c.points !== null && c.effectiveAdj !== 0);
  const selectedPid =
    v === '6.1'
      ? (victim?.pid ?? (p.summary?.pid !== undefined ? num(p.summary.pid) : null))
      : (p.selection?.pid ?? victim?.pid ?? null);
  if (recomputed) {
    say(`   Recomputed victim: pid ${recomputed.pid} (${recomputed.name}) with ${recomputed.points} points.`);
    if (v !== '6.1' && totalpages.value) {
      const score = Math.floor((recomputed.points! * 1000) / totalpages.value);
      say(
        `   Its normalised score (4.19/3.12 "score"): points × 1000 / totalpages = ${score}${p.selection ? ` (printed: ${p.selection.score})` : ''}.`,
      );
      // Tolerance: the rss lag of one task (64 pages) in score units, plus rounding.
      if (
        p.selection &&
        p.selection.pid === recomputed.pid &&
        Math.abs(score - p.selection.score) > Math.ceil((SPLIT_RSS_LAG * 1000) / totalpages.value) + 1
      ) {
        inc.push(
          `"Kill process ${p.selection.pid}" prints score ${p.selection.score}, but its recomputed points ${recomputed.points} × 1000 / totalpages ${totalpages.value} = ${score}${totalpages.exact ? '' : ' (totalpages is an estimate)'}`,
        );
      }
    }
  }
  if (allocatingTask) {
    say('   Selection was bypassed (oom_kill_allocating_task): the victim is the invoking task, whatever its points.');
    if (victim && invokerPid !== null && victim.pid !== invokerPid)
      inc.push(
        `"(oom_kill_allocating_task)" kill of pid ${victim.pid}, but the invoking task is pid ${invokerPid} (that sysctl kills current)`,
      );
  } else if (selectedPid !== null && recomputed) {
    if (recomputed.pid === selectedPid) {
      say(`   The kernel ${p.selection ? 'selected' : 'killed'} pid ${selectedPid}: matches the recomputation.`);
    } else {
      const actual = candidates.find((c) => c.pid === selectedPid) ?? null;
      const tie = actual?.points !== null && actual?.points === recomputed.points;
      const close = actual?.points != null && Math.abs(recomputed.points! - actual.points) <= SPLIT_RSS_LAG;
      if (totalpages.value === null && adjMatters) {
        notes.push(
          `the kernel chose pid ${selectedPid}, the recomputation pid ${recomputed.pid}, but totalpages is unknown and some oom_score_adj are non-zero, so the comparison is not conclusive`,
        );
        say('   The kernel chose a different process, but totalpages is unknown: not conclusive.');
      } else {
        const caveat = tie
          ? `they tie at ${recomputed.points} points: ${tieRule}; a scan order different from the table order would explain it`
          : close
            ? `the difference (${recomputed.points! - actual!.points!} points) is within the ${SPLIT_RSS_LAG}-page SPLIT_RSS_COUNTING lag: the rss counters the selection read may have lagged the ones printed`
            : `caveats: the rss counters used for selection lag the real counts by up to ${SPLIT_RSS_LAG} pages per task, and the table does not show MMF_OOM_SKIP (already reaped victims), in-vfork or oom_task_origin (swapoff/KSM) tasks${totalpages.exact ? '' : ', and totalpages is an estimate'}`;
        const actualTxt = actual
          ? `pid ${selectedPid} (${actual.name}, ${actual.points ?? 'excluded'}${actual.points !== null ? ' points' : ''})`
          : `pid ${selectedPid} (not in the task table)`;
        inc.push(
          `recomputed victim pid ${recomputed.pid} (${recomputed.name}, ${recomputed.points} points) differs from the ${p.selection ? 'selected' : 'killed'} process ${actualTxt}; ${caveat}`,
        );
        say(`   The kernel chose ${actualTxt}: DIFFERENT from the recomputation (see inconsistencies).`);
      }
    }
  } else if (recomputed && (p.panic || p.noKillable)) {
    say(
      `   Nobody was killed${p.panic ? ' (panic_on_oom)' : ''}; select_bad_process() would have picked pid ${recomputed.pid} (${recomputed.name}).`,
    );
  }
  if (p.noKillable && recomputed)
    inc.push(
      `"Out of memory and no killable processes" but the task table has an eligible task: pid ${recomputed.pid} (${recomputed.name})`,
    );
  if (!adjMatters && candidates.length)
    say(
      '   All eligible tasks have oom_score_adj 0, so totalpages does not affect the choice: the largest rss + swap + page tables wins.',
    );
  say('');

  // ----- verdict ------------------------------------------------------------------------------
  say('9. Consistency checks');
  say(
    '   Checked: victim = recomputed maximum; Killed-line rss (kB/4) vs table rss (±64 pages, SPLIT_RSS lag); total-vm kB = total_vm × 4; pgtables kB = pgtables_bytes/1024; memcg usage ≤ limit; oom_memcg/task_memcg vs the stats header; constraint vs memcg/Mem-Info lines.',
  );
  if (!inc.length) say('   No inconsistencies.');
  for (const x of inc) say(`   ! ${x}`);
  for (const x of notes) say(`   note: ${x}`);

  return {
    index,
    format: v,
    kind,
    kindEvidence,
    invoker: {
      comm: p.header.comm,
      pid: invokerPid,
      gfpMask: p.header.gfpMask,
      gfpText: p.header.gfpText,
      order: p.header.order,
      oomScoreAdj: p.header.oomScoreAdj,
      nodemask: p.header.nodemask,
    },
    gfpFlags,
    path,
    callTrace: [...p.frames],
    memcg: memcgInfo,
    memInfo,
    summary: p.summary,
    tasks: p.tasks,
    selection: p.selection,
    killed: p.killed,
    victim,
    oomGroup: p.oomGroup,
    panic: p.panic,
    totalpages,
    candidates,
    recomputedVictim: recomputed,
    inconsistencies: inc,
    notes,
    text: out.join('\n'),
  };
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/**
 * Explain every OOM report in a kernel log.  Reports are split at each "invoked oom-killer"
 * header line; a report whose header carries the same printk timestamp and text as an earlier
 * one (the same ring-buffer record dumped twice, e.g. console + dmesg) is skipped.
 */
export function explainOomReport(text: string): ExplainOomResult {
  const none: ExplainOomResult = { text: 'no OOM report found', reports: [], inconsistencies: [] };
  try {
    if (typeof text !== 'string' || !text.includes('invoked oom-killer')) return none;
    const lines = text.split('\n').map(normalise);
    const starts: number[] = [];
    lines.forEach((l, i) => {
      if (RE_HEADER.test(l.text)) starts.push(i);
    });
    if (!starts.length) return none;
    const reports: ExplainedReport[] = [];
    const texts: string[] = [];
    const inconsistencies: string[] = [];
    const seenHeaders = new Set<string>();
    let skipped = 0;
    for (const [si, start] of starts.entries()) {
      const head = lines[start]!;
      if (head.ts !== null) {
        const key = `${head.ts} ${head.text}`;
        if (seenHeaders.has(key)) {
          skipped++;
          continue;
        }
        seenHeaders.add(key);
      }
      const seg = lines.slice(start, starts[si + 1] ?? lines.length);
      const index = reports.length + 1;
      try {
        const parsed = parseReport(seg);
        if (!parsed) continue;
        const r = explainOne(index, parsed);
        reports.push(r);
        texts.push(r.text);
        for (const x of r.inconsistencies) inconsistencies.push(`report ${index}: ${x}`);
      } catch (e) {
        texts.push(`OOM report ${index}: could not be explained (${(e as Error).message})`);
      }
    }
    if (!reports.length) return { ...none, text: texts.length ? texts.join('\n\n') : none.text };
    const head = `${reports.length} OOM report${reports.length === 1 ? '' : 's'} found${skipped ? ` (${skipped} duplicate${skipped === 1 ? '' : 's'} with identical timestamp skipped)` : ''}; ${inconsistencies.length ? `${inconsistencies.length} inconsistenc${inconsistencies.length === 1 ? 'y' : 'ies'}` : 'no inconsistencies'}.`;
    return { text: [head, ...texts].join('\n\n'), reports, inconsistencies };
  } catch {
    return none;
  }
}
