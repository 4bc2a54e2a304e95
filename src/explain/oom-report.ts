/**
 * The one parser of kernel OOM-killer reports: `faultpath explain oom` (src/explain/oom.ts) and
 * the oracle comparison (src/oracle/facts.ts) both read reports through it.
 *
 * The layout parsed is the one mm/oom_kill.c prints (Linux 6.1 or 4.19; 3.12 best effort):
 * dump_header() → header line, [4.19: cpuset line], dump_stack(), memcg info
 * (6.1 mem_cgroup_print_oom_meminfo() / 4.19 mem_cgroup_print_oom_info()) or show_mem()
 * ("Mem-Info:"), dump_tasks(), [6.1: dump_oom_summary() "oom-kill:" line]; then
 * oom_kill_process() [4.19: "Kill process … or sacrifice child"] and __oom_kill_process()
 * "Killed process …".  Pure functions, no I/O.
 */

export type OomFormat = '6.1' | '4.19' | '3.12';

/** One line of a kernel log, without its syslog/dmesg prefixes. */
export interface LogLine {
  text: string;
  /** the printk timestamp, if the line had one ("2.779603") */
  ts: string | null;
}

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

export interface MemcgCounterLine {
  usageKb: number;
  limitKb: number;
  failcnt: number;
}

export type MemcgCounterName = 'memory' | 'swap' | 'memory+swap' | 'kmem';

/** A show_free_areas() zone line ("Node 0 DMA32 free:…kB … min:… low:… high:… managed:…kB"). */
export interface OomZoneLine {
  node: number;
  name: string;
  freeKb: number;
  minKb: number;
  lowKb: number;
  highKb: number;
  managedKb: number;
}

export type OomKillEventType = 'selection' | 'killed' | 'group' | 'reaped' | 'panic' | 'nokill' | 'exiting';

/** Everything one OOM report says, as printed. */
export interface OomReport {
  format: OomFormat;
  formatEvidence: string[];
  header: {
    comm: string;
    gfpMask: number;
    /** the mask as printed ("0xcc0") */
    gfpMaskText: string;
    gfpText: string | null;
    nodemask: string | null;
    order: number;
    oomScoreAdj: number;
    line: string;
  };
  cpusetLine: string | null;
  cpu: { pid: number; comm: string; line: string } | null;
  callTraceSeen: boolean;
  /** function names of the call trace, innermost first ("? " kept for unreliable x86 frames) */
  frames: string[];
  memcgLines: string[];
  counters: Partial<Record<MemcgCounterName, MemcgCounterLine>>;
  statsFor: string[];
  /** memory.stat of the first "Memory cgroup stats for" memcg (bytes) */
  stats: Record<string, number>;
  taskIn419: { task: string; limit: string } | null;
  limitReached419: string | null;
  memInfoSeen: boolean;
  pagesRam: number | null;
  pagesReserved: number | null;
  totalSwapKb: number | null;
  freeSwapKb: number | null;
  zones: OomZoneLine[];
  freeLine: string | null;
  tasksHeaderSeen: boolean;
  tasksColumn: 'pgtables_bytes' | 'nr_ptes' | null;
  tasks: OomTaskRow[];
  summaryLine: string | null;
  /** the 6.1 dump_oom_summary() fields */
  summary: Record<string, string> | null;
  selection: OomKillSelection | null;
  killed: OomKilledLine[];
  oomGroup: string | null;
  reaped: string[];
  panic: string | null;
  noKillable: boolean;
  alreadyExiting: string | null;
  /** the lines after the task table that belong to the kill, in log order */
  killEvents: { type: OomKillEventType; line: string }[];
  /** kill lines after this report's kill that belong to later OOM kills whose dump_header() was ratelimited */
  laterKills: string[];
  /** the segment contained a second task table (the next report's header line is missing) */
  secondTable: boolean;
}

// ---------------------------------------------------------------------------------------------
// Line normalisation
// ---------------------------------------------------------------------------------------------

const SYSLOG_PREFIX =
  /^(?:[A-Z][a-z]{2}\s+\d{1,2}\s+\d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s+\S+\s+kernel:\s?/;
const DMESG_LEVEL_PREFIX = /^(?:kern|user|daemon|syslog)\s*:\s*(?:emerg|alert|crit|err|warn|notice|info|debug)\s*:\s?/;
const PRIO_PREFIX = /^<\d{1,3}>/;
const TS_PREFIX = /^\[\s*(\d+\.\d+)\](?:\s?\[\s*[TC]\d+\])? ?/;
const CTIME_PREFIX = /^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\] ?/;

/** Strips syslog ("Mar  3 12:00:00 host kernel: "), dmesg -x levels, <N>, and "[ sec.usec]" prefixes. */
export function normaliseLogLine(raw: string): LogLine {
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

/** A log text as normalised lines. */
export function logLines(text: string): LogLine[] {
  return text.split('\n').map(normaliseLogLine);
}

// ---------------------------------------------------------------------------------------------
// Line patterns (formats of mm/oom_kill.c, mm/memcontrol.c, lib/show_mem.c; docs/kernel-reference.md §6.8, §7.7, §7.8)
// ---------------------------------------------------------------------------------------------

export const RE_OOM_HEADER =
  /^(.*?) invoked oom-killer: gfp_mask=(0x[0-9a-fA-F]+)(?:\(([^)]*)\))?,(?: nodemask=(.*?),)? order=(-?\d+), oom_score_adj=(-?\d+)/;
const RE_CPUSET = /^(.*) cpuset=(\S*) mems_allowed=(\S*)\s*$/;
const RE_CPU = /^CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (.*?) (?:Not tainted|Tainted:)/;
const RE_CALL_TRACE = /^Call [Tt]race:/;
// faultpath's own reports print bare function names (offsets are not modeled): accept both.
const RE_FRAME =
  /^\s*(\?\s+)?(?:\[<[0-9a-fA-F]+>\]\s+)?(?:\?\s+)?([A-Za-z_.$][\w.$]*)(?:\+0x[0-9a-fA-F]+\/0x[0-9a-fA-F]+|\s*$)/;
/** Lines inside a call trace that are not frames (x86 markers and user registers). */
const RE_TRACE_NOISE = /^(?:<\/?(?:TASK|IRQ|NMI|EOI)>|RIP:|Code:|RSP:|R[A-Z0-9]{2}:|FS:|CS:|CR2:|\[<)/;
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
const RE_FREE_LINE = /^\s*free:\d+ free_pcp:/;
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
/** dump_oom_summary()'s keys, in print order */
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

const num = (s: string | undefined): number => (s === undefined ? NaN : Number(s));

/** The fields of dump_oom_summary()'s "oom-kill:" line (without the prefix). */
export function parseOomSummary(s: string): Record<string, string> {
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

/** A "Killed process" line of __oom_kill_process(), or null. */
export function parseKilledLine(t: string): OomKilledLine | null {
  const m = RE_KILLED.exec(t);
  if (!m) return null;
  return {
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
  };
}

// ---------------------------------------------------------------------------------------------
// Parsing one report
// ---------------------------------------------------------------------------------------------

/** Which multi-line section the previous line opened. */
interface ParseState {
  inTrace: boolean;
  inTable: boolean;
  inStats: boolean;
}

/** A line handler: false = not its line, true = consumed, 'stop' = the report ends before this line. */
type LineHandler = (p: OomReport, st: ParseState, t: string) => boolean | 'stop';

function emptyReport(h: RegExpExecArray, line: string): OomReport {
  const gfpMask = parseInt(h[2]!, 16);
  return {
    format: '6.1',
    formatEvidence: [],
    header: {
      comm: h[1]!,
      gfpMask: Number.isFinite(gfpMask) ? gfpMask >>> 0 : 0,
      gfpMaskText: h[2]!,
      gfpText: h[3] ?? null,
      nodemask: h[4] ?? null,
      order: num(h[5]),
      oomScoreAdj: num(h[6]),
      line,
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
}

/** dump_stack()'s frames: until the first report section that follows them. */
function traceLine(p: OomReport, t: string): boolean {
  const m = RE_FRAME.exec(t);
  if (m) {
    p.frames.push((m[1] ? '? ' : '') + m[2]!);
    return true;
  }
  const trimmed = t.trim();
  return RE_TRACE_NOISE.test(trimmed) || trimmed === '';
}

/** 6.1 memory.stat lines ("anon 8388608") after "Memory cgroup stats for X:". */
function statLine(p: OomReport, t: string): boolean {
  const sm = RE_STAT_LINE.exec(t);
  if (!sm) return false;
  p.stats[sm[1]!] = num(sm[2]);
  return true;
}

/** A dump_tasks() row. */
function taskRow(p: OomReport, t: string): boolean {
  const m = RE_TASK_ROW.exec(t);
  if (!m) return false;
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
  return true;
}

/** dump_header()'s 4.19 cpuset line, dump_stack()'s "CPU:" line and "Call trace:". */
const headerSection: LineHandler = (p, st, t) => {
  let m: RegExpExecArray | null;
  if (!p.cpusetLine && RE_CPUSET.test(t) && !t.startsWith('oom-kill:')) {
    p.cpusetLine = t;
    return true;
  }
  if (!p.cpu && (m = RE_CPU.exec(t))) {
    p.cpu = { pid: num(m[2]), comm: m[3]!, line: t };
    return true;
  }
  if (!p.callTraceSeen && RE_CALL_TRACE.test(t)) {
    p.callTraceSeen = true;
    st.inTrace = true;
    return true;
  }
  return false;
};

/** The memcg part: counters, "Memory cgroup stats for", 4.19 "Task in …" / "Memory limit reached". */
const memcgSection: LineHandler = (p, st, t) => {
  let m: RegExpExecArray | null;
  if ((m = RE_COUNTER.exec(t))) {
    const key = m[1] as MemcgCounterName;
    if (!p.counters[key]) p.counters[key] = { usageKb: num(m[2]), limitKb: num(m[3]), failcnt: num(m[4]) };
    p.memcgLines.push(t);
    return true;
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
      st.inStats = true;
    }
    return true;
  }
  if ((m = RE_TASK_IN_419.exec(t))) {
    p.taskIn419 = { task: m[1]!, limit: m[2]! };
    p.memcgLines.push(t);
    return true;
  }
  if ((m = RE_LIMIT_REACHED_419.exec(t))) {
    p.limitReached419 = m[1]!;
    p.memcgLines.push(t);
    return true;
  }
  return false;
};

/** The numbers of show_mem() ("Mem-Info:") this parser keeps. */
const memInfoSection: LineHandler = (p, _st, t) => {
  let m: RegExpExecArray | null;
  if (RE_MEMINFO.test(t)) p.memInfoSeen = true;
  else if ((m = RE_PAGES_RAM.exec(t))) p.pagesRam = num(m[1]);
  else if ((m = RE_PAGES_RESERVED.exec(t))) p.pagesReserved = num(m[1]);
  else if ((m = RE_TOTAL_SWAP.exec(t))) p.totalSwapKb = num(m[1]);
  else if ((m = RE_FREE_SWAP.exec(t))) p.freeSwapKb = num(m[1]);
  else if ((m = RE_ZONE.exec(t)))
    p.zones.push({
      node: num(m[1]),
      name: m[2]!,
      freeKb: num(m[3]),
      minKb: num(m[4]),
      lowKb: num(m[5]),
      highKb: num(m[6]),
      managedKb: num(m[7]),
    });
  else if (p.memInfoSeen && !p.freeLine && RE_FREE_LINE.test(t)) p.freeLine = t.trim();
  else return false;
  return true;
};

/** dump_tasks()'s headers (a second column header means the next report's header line is missing). */
const tasksSection: LineHandler = (p, st, t) => {
  if (RE_TASKS_STATE.test(t)) {
    p.tasksHeaderSeen = true;
    return true;
  }
  if (p.tasksColumn && RE_TASKS_COLS.test(t)) {
    p.secondTable = true;
    return 'stop';
  }
  const m = RE_TASKS_COLS.exec(t);
  if (!m) return false;
  p.tasksColumn = m[1] as 'pgtables_bytes' | 'nr_ptes';
  st.inTable = true;
  return true;
};

const summarySection: LineHandler = (p, _st, t) => {
  const m = p.summaryLine ? null : RE_SUMMARY.exec(t);
  if (!m) return false;
  p.summaryLine = t;
  p.summary = parseOomSummary(m[1]!);
  return true;
};

/**
 * oom_kill_process() prints its kill lines even when dump_header() is ratelimited (oom_rs:
 * 10 reports per 5 s), so kill lines of later OOMs can follow this report without a header.
 * Only the first kill (plus the memory.oom.group members after the "Tasks in" line) is ours.
 */
const laterKillLine: LineHandler = (p, _st, t) => {
  const later =
    (p.laterKills.length && (RE_KILL_419.test(t) || RE_KILLED.test(t))) ||
    (p.selection && RE_KILL_419.test(t)) ||
    (p.killed.length && !p.oomGroup && RE_KILLED.test(t));
  if (later) p.laterKills.push(t);
  return !!later;
};

/** oom_kill_process() / __oom_kill_process() lines and what can replace them (panic, nothing to kill). */
const killSection: LineHandler = (p, _st, t) => {
  let m: RegExpExecArray | null;
  const event = (type: OomKillEventType) => p.killEvents.push({ type, line: t });
  let killed: OomKilledLine | null;
  if (!p.selection && (m = RE_KILL_419.exec(t))) {
    p.selection = { message: m[1] ?? null, pid: num(m[2]), comm: m[3]!, score: num(m[4]) };
    event('selection');
  } else if ((killed = parseKilledLine(t))) {
    p.killed.push(killed);
    event('killed');
  } else if (!p.oomGroup && (m = RE_GROUP.exec(t))) {
    p.oomGroup = m[1]!;
    event('group');
  } else if (RE_REAPED.test(t)) {
    p.reaped.push(t);
    event('reaped');
  } else if (!p.panic && RE_PANIC.test(t)) {
    p.panic = t;
    event('panic');
  } else if (RE_NO_KILLABLE.test(t)) {
    p.noKillable = true;
    event('nokill');
  } else if (!p.alreadyExiting && RE_ALREADY_EXITING.test(t)) {
    p.alreadyExiting = t;
    event('exiting');
  } else return false;
  return true;
};

/** The sections in the order a line is offered to them. */
const SECTIONS: LineHandler[] = [
  headerSection,
  memcgSection,
  memInfoSection,
  tasksSection,
  summarySection,
  laterKillLine,
  killSection,
];

/** Feeds one line to the open multi-line section, else to the first section that takes it. */
function parseLine(p: OomReport, st: ParseState, t: string): boolean | 'stop' {
  if (st.inTrace) {
    if (traceLine(p, t)) return true;
    st.inTrace = false;
  }
  if (st.inStats) {
    if (statLine(p, t)) return true;
    st.inStats = false;
  }
  if (st.inTable) {
    if (taskRow(p, t)) return true;
    st.inTable = false;
  }
  for (const section of SECTIONS) {
    const r = section(p, st, t);
    if (r) return r;
  }
  return false;
}

/**
 * Which layout: 4.19 prints nodemask= in the header, a "<comm> cpuset=" line and "Kill process …
 * or sacrifice child"; 3.12 prints the mask without %pGg and an nr_ptes column; 6.1 (and 5.x)
 * has the oom-kill: summary and "UID: … pgtables:" in the kill line.
 */
function detectFormat(p: OomReport): void {
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
}

/** Parses one report: `lines[0]` is its "invoked oom-killer" header line; null if it is not. */
export function parseOomReport(lines: readonly LogLine[]): OomReport | null {
  const first = lines[0];
  if (!first) return null;
  const h = RE_OOM_HEADER.exec(first.text);
  if (!h) return null;
  const p = emptyReport(h, first.text);
  const st: ParseState = { inTrace: false, inTable: false, inStats: false };
  for (let i = 1; i < lines.length; i++) if (parseLine(p, st, lines[i]!.text) === 'stop') break;
  detectFormat(p);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Splitting a log into reports
// ---------------------------------------------------------------------------------------------

/**
 * The reports of a log: each runs from an "invoked oom-killer" header line to the next one.  A
 * header that carries the same printk timestamp and text as an earlier one (the same ring-buffer
 * record dumped twice, e.g. console + dmesg) starts no report; `duplicates` counts those.
 */
export function splitOomReports(lines: readonly LogLine[]): { segments: LogLine[][]; duplicates: number } {
  const starts: number[] = [];
  lines.forEach((l, i) => {
    if (RE_OOM_HEADER.test(l.text)) starts.push(i);
  });
  const segments: LogLine[][] = [];
  const seenHeaders = new Set<string>();
  let duplicates = 0;
  for (const [si, start] of starts.entries()) {
    const head = lines[start]!;
    if (head.ts !== null) {
      const key = `${head.ts} ${head.text}`;
      if (seenHeaders.has(key)) {
        duplicates++;
        continue;
      }
      seenHeaders.add(key);
    }
    segments.push(lines.slice(start, starts[si + 1] ?? lines.length));
  }
  return { segments, duplicates };
}

/** Every OOM report of a log, in log order. */
export function parseOomReports(lines: readonly LogLine[]): OomReport[] {
  return splitOomReports(lines)
    .segments.map(parseOomReport)
    .filter((r): r is OomReport => r !== null);
}
