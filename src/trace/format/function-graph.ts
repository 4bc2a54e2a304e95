/**
 * ftrace `function_graph` text, byte for byte in the layout of /sys/kernel/tracing/trace.
 *
 * Everything here mirrors kernel/trace/trace_functions_graph.c (print_graph_function_flags and
 * friends) and kernel/trace/trace_output.c (trace_find_mark), including its per-CPU state:
 *   - `last_pid` per CPU drives the context-switch banner (verif_pid),
 *   - `depth` per CPU is where comments (trace events) are indented (print_graph_comment),
 *   - `enter_funcs[depth]` per CPU decides whether a `}` gets a `/* func *\/` tail
 *     (print_graph_return: the open brace is not in the output, or funcgraph-tail is set),
 *   - a call whose very next event on that CPU is its own return collapses into `func();`
 *     (get_return_for_leaf).
 * Modeled functions that ftrace cannot see (`noinstr` entry code) are shown, marked with a
 * comment, unless `noinstr: 'hide'` asks for what a real tracer would print.
 */
import { NOINSTR_FUNCTIONS, type ArgValue, type EnterEvent, type ExitEvent, type TraceEvent } from '../events.js';

export interface FunctionGraphOptions {
  /** print `# tracer: function_graph` and the column header (default true) */
  header?: boolean;
  /** funcgraph-cpu (default true) */
  cpu?: boolean;
  /** funcgraph-proc: comm-pid column (default false, as in the kernel) */
  proc?: boolean;
  /** funcgraph-abstime: seconds.micros column (default false, as in the kernel) */
  abstime?: boolean;
  /** funcgraph-duration (default true) */
  duration?: boolean;
  /** funcgraph-overhead: the `+ ! # * @ $` duration markers (default true) */
  overhead?: boolean;
  /** funcgraph-tail: name every closing brace (default false) */
  tail?: boolean;
  /** funcgraph-retval: `} /* func ret=… *\/` and `func(); /* ret=… *\/` (default false) */
  retval?: boolean;
  /** show the modeled arguments of each call (default false) */
  showArgs?: boolean;
  /**
   * where arguments go: `comment` (default) → `do_mem_abort() { /* far=0x…, esr=0x… *\/`;
   * `inline` → `do_mem_abort(far=0x…, esr=0x…) {` as the 6.15+ funcgraph-args option prints
   */
  argsStyle?: 'comment' | 'inline';
  /**
   * noinstr functions (arm64 el0t_64_sync…, x86 exc_page_fault…): `mark` (default) prints them
   * with a `/* noinstr: not visible to ftrace *\/` comment; `hide` drops them so the output is what
   * a real function_graph tracer would record (their callees move up one level per hidden frame).
   */
  noinstr?: 'mark' | 'hide';
  /** print non-function events as `/* … *\/` comments (default true) */
  events?: boolean;
  /**
   * prefix tracepoint comments with their system (`oom:mark_victim: …`).  The kernel prints the
   * event name only (trace_raw_output_prep: "%s: ", trace_event_name()), so default false.
   */
  eventSystem?: boolean;
  /** number of CPUs, for the width of the CPU column (default: highest CPU seen + 1) */
  nrCpus?: number;
}

/** TRACE_GRAPH_INDENT: two spaces per call depth. */
const TRACE_GRAPH_INDENT = 2;
/** FTRACE_RETFUNC_DEPTH: enter_funcs[] size; deeper returns are never tagged as mismatched. */
const FTRACE_RETFUNC_DEPTH = 50;
/** TRACE_GRAPH_PROCINFO_LENGTH: the comm-pid column is centred in 14 characters. */
const TRACE_GRAPH_PROCINFO_LENGTH = 14;
/** TASK_COMM_LEN is 16, but print_graph_proc truncates comm to 7 characters (comm[7] = '\0'). */
const GRAPH_COMM_MAX = 7;
const NOINSTR_NOTE = 'noinstr: not visible to ftrace';

/* ------------------------------------------------------------------------------------------ */
/* column helpers (exported for tests and other formatters)                                   */
/* ------------------------------------------------------------------------------------------ */

/**
 * trace_find_mark() (kernel/trace/trace_output.c): the overhead marker for a duration in ns.
 * Strictly greater than each threshold: `$` >1s, `@` >100ms, `*` >10ms, `#` >1ms, `!` >100us,
 * `+` >10us, else a space.
 */
export function traceFindMark(durationNs: number): string {
  const marks: [number, string][] = [
    [1_000_000_000, '$'],
    [100_000_000, '@'],
    [10_000_000, '*'],
    [1_000_000, '#'],
    [100_000, '!'],
    [10_000, '+'],
  ];
  for (const [val, sym] of marks) if (durationNs > val) return sym;
  return ' ';
}

/**
 * trace_print_graph_duration(): usecs, then as many nsecs digits as fit in 7 digits total
 * (snprintf into min(5, 8 - len) bytes truncates "%03lu"), then " us ", padded to 8 columns.
 */
export function formatGraphDuration(durationNs: number): string {
  const d = Math.max(0, Math.floor(durationNs));
  const usecs = String(Math.floor(d / 1000));
  const nsecsRem = d % 1000;
  let out = usecs;
  let len = usecs.length;
  if (len < 7) {
    const slen = Math.min(5, 8 - len);
    const nsecs = String(nsecsRem)
      .padStart(3, '0')
      .slice(0, slen - 1);
    out += '.' + nsecs;
    len += nsecs.length + 1;
  }
  out += ' us ';
  for (let i = len; i < 8; i++) out += ' ';
  return out;
}

/** print_graph_abs_time(): "%5lu.%06lu |  ". */
export function formatAbsTime(ts: number): string {
  return `${kernelSeconds(ts)} |  `;
}

/** "%5lu.%06lu" of a nanosecond timestamp (also the printk timestamp, see dmesg.ts). */
export function kernelSeconds(ts: number): string {
  const t = Math.max(0, Math.floor(ts));
  const secs = Math.floor(t / 1e9);
  const usecs = Math.floor((t % 1e9) / 1000);
  return `${String(secs).padStart(5, ' ')}.${String(usecs).padStart(6, '0')}`;
}

/** print_graph_cpu(): " %*d) " with the width of the largest CPU number. */
function printCpu(cpu: number, width: number): string {
  return ` ${String(cpu).padStart(width, ' ')}) `;
}

/** print_graph_proc(): "comm-pid" centred in 14 columns, comm cut to 7 characters. */
export function formatGraphProc(comm: string, pid: number): string {
  const s = `${comm.slice(0, GRAPH_COMM_MAX)}-${pid}`;
  const spaces = s.length < TRACE_GRAPH_PROCINFO_LENGTH ? TRACE_GRAPH_PROCINFO_LENGTH - s.length : 0;
  const left = Math.floor(spaces / 2);
  return ' '.repeat(left) + s + ' '.repeat(spaces - left);
}

/* ------------------------------------------------------------------------------------------ */
/* non-function events as comments                                                            */
/* ------------------------------------------------------------------------------------------ */

/**
 * The `system` and `name` an event is shown under.  Real tracepoints keep theirs; printk is the
 * printk:console tracepoint and sched_switch is sched:sched_switch.  The other kinds are the
 * model's own decision records and live in a pseudo system `faultpath`.
 */
export function eventName(e: TraceEvent): { system: string; name: string } {
  switch (e.kind) {
    case 'tracepoint':
      return { system: e.system, name: e.name };
    case 'printk':
      return { system: 'printk', name: 'console' };
    case 'sched_switch':
      return { system: 'sched', name: 'sched_switch' };
    case 'charge':
      return { system: 'faultpath', name: 'memcg_charge' };
    case 'oom':
      return { system: 'faultpath', name: 'oom_decision' };
    default:
      return { system: 'faultpath', name: e.kind };
  }
}

function fmtHex(n: number): string {
  return '0x' + n.toString(16);
}

/** The TP_printk-style body of an event (what follows "name: "). */
export function eventText(e: TraceEvent): string {
  switch (e.kind) {
    case 'tracepoint':
      return e.text;
    case 'printk':
      // trace_console() strips the message's trailing newline
      return e.text.replace(/\n$/, '');
    case 'sched_switch':
      // sched_switch's TP_printk without the prio fields, which the model does not have
      return `prev_comm=${e.comm} prev_pid=${e.prevPid} prev_state=${e.prevState} ==> next_comm=${e.nextComm} next_pid=${e.nextPid}`;
    case 'exception': {
      const code =
        e.esr !== undefined ? ` esr=${e.esr}` : e.errorCode !== undefined ? ` error_code=${e.errorCode}` : '';
      return `${e.vector} address=${e.address} ip=${e.pc}${code} (${e.decoded})`;
    }
    case 'pte':
      return `address=${e.address} level=${e.level} ${e.old} -> ${e.new} (${e.why})`;
    case 'alloc':
      return `pfn=${fmtHex(e.pfn)} order=${e.order} gfp_flags=${e.gfp} ${e.ok ? 'ok' : 'failed'}`;
    case 'charge':
      return `memcg=${e.memcg} nr_pages=${e.pages} usage=${e.usage} max=${e.max} ${e.ok ? 'ok' : 'failed'}`;
    case 'reclaim':
      return `scope=${e.scope} nr_to_reclaim=${e.nrToReclaim} nr_reclaimed=${e.nrReclaimed}`;
    case 'oom':
      return `constraint=${e.constraint} totalpages=${e.totalpages} candidates=${e.candidates.length} victim=${e.victim ?? 'none'} rule=${e.rule}`;
    case 'signal':
      return `sig=${e.sig} (${e.name}) code=${e.code} pid=${e.target}${e.address !== undefined ? ` addr=${e.address}` : ''}`;
    case 'syscall':
      return `${e.name}(${e.args.join(', ')}) = ${e.ret}`;
    case 'enter':
      return `${e.fn}()`;
    case 'exit':
      return `${e.fn}() ret=${e.ret ?? ''}`;
  }
}

function commentText(e: TraceEvent, withSystem: boolean): string {
  const { system, name } = eventName(e);
  return `${withSystem ? system + ':' : ''}${name}: ${eventText(e)}`;
}

export function formatArgValue(v: ArgValue): string {
  return typeof v === 'string' ? v : String(v);
}

function formatArgs(args: Record<string, ArgValue> | undefined): string {
  if (!args) return '';
  return Object.entries(args)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${formatArgValue(v)}`)
    .join(', ');
}

/* ------------------------------------------------------------------------------------------ */
/* the formatter                                                                              */
/* ------------------------------------------------------------------------------------------ */

interface CpuData {
  lastPid: number;
  depth: number;
  enterFuncs: (string | undefined)[];
}

type Resolved = Required<Omit<FunctionGraphOptions, 'nrCpus'>> & { nrCpus: number | undefined };

function resolve(o: FunctionGraphOptions): Resolved {
  return {
    header: o.header ?? true,
    cpu: o.cpu ?? true,
    proc: o.proc ?? false,
    abstime: o.abstime ?? false,
    duration: o.duration ?? true,
    overhead: o.overhead ?? true,
    tail: o.tail ?? false,
    retval: o.retval ?? false,
    showArgs: o.showArgs ?? false,
    argsStyle: o.argsStyle ?? 'comment',
    noinstr: o.noinstr ?? 'mark',
    events: o.events ?? true,
    eventSystem: o.eventSystem ?? false,
    nrCpus: o.nrCpus,
  };
}

/** __print_graph_headers_flags(): the two `#` column-header lines for the enabled columns. */
export function functionGraphHeader(opts: FunctionGraphOptions = {}): string {
  const o = resolve(opts);
  let l1 = '#';
  let l2 = '#';
  if (o.abstime) {
    l1 += '     TIME       ';
    l2 += '      |         ';
  }
  if (o.cpu) {
    l1 += ' CPU';
    l2 += ' |  ';
  }
  if (o.proc) {
    l1 += '  TASK/PID       ';
    l2 += '   |    |        ';
  }
  if (o.duration) {
    l1 += '  DURATION   ';
    l2 += '   |   |      ';
  }
  l1 += '               FUNCTION CALLS';
  l2 += '               |   |   |   |';
  // s_show() in kernel/trace/trace.c prints the tracer name and a lone '#' first
  return `# tracer: function_graph\n#\n${l1}\n${l2}\n`;
}

/**
 * Per-event call depth, computed per task from the enter/exit pairing.  A return whose entry
 * precedes the trace (the trace began inside it) gets the depth it must have had: depths are
 * first counted relative to the first event and then shifted so the shallowest is 0.
 * Also returns, for each matched return, the index of its entry (for the duration).
 */
function computeDepths(stream: readonly TraceEvent[]): { depth: number[]; entryOf: number[] } {
  const depth: number[] = new Array<number>(stream.length).fill(0);
  const entryOf: number[] = new Array<number>(stream.length).fill(-1);
  const tasks = new Map<number, { d: number; stack: { fn: string; idx: number; d: number }[]; members: number[] }>();
  stream.forEach((e, i) => {
    if (e.kind !== 'enter' && e.kind !== 'exit') return;
    let t = tasks.get(e.pid);
    if (!t) tasks.set(e.pid, (t = { d: 0, stack: [], members: [] }));
    t.members.push(i);
    if (e.kind === 'enter') {
      depth[i] = t.d;
      t.stack.push({ fn: e.fn, idx: i, d: t.d });
      t.d++;
      return;
    }
    let at = -1;
    for (let k = t.stack.length - 1; k >= 0; k--) {
      if (t.stack[k]!.fn === e.fn) {
        at = k;
        break;
      }
    }
    if (at >= 0) {
      // frames above `at` lost their returns; this return closes `at`
      const fr = t.stack[at]!;
      t.stack.length = at;
      depth[i] = fr.d;
      entryOf[i] = fr.idx;
      t.d = fr.d;
    } else if (t.stack.length === 0) {
      // entry before the start of the trace: one level shallower than anything seen so far
      t.d--;
      depth[i] = t.d;
    } else {
      // entry lost in the middle: print it as a child of the open frame, leave state alone
      depth[i] = t.d;
    }
  });
  for (const t of tasks.values()) {
    let min = 0;
    for (const i of t.members) min = Math.min(min, depth[i]!);
    if (min < 0) for (const i of t.members) depth[i] = depth[i]! - min;
  }
  return { depth, entryOf };
}

/**
 * Renders `events` as function_graph text.  Events are taken in the given order (the tracer
 * records them in time order); per-CPU state is kept exactly as the kernel's output code does.
 */
export function formatFunctionGraph(events: readonly TraceEvent[], options: FunctionGraphOptions = {}): string {
  const o = resolve(options);

  const noinstrFns = new Set<string>(NOINSTR_FUNCTIONS);
  for (const e of events) if (e.kind === 'enter' && e.noinstr) noinstrFns.add(e.fn);
  const isNoinstr = (e: EnterEvent | ExitEvent): boolean =>
    e.kind === 'enter' ? !!e.noinstr || noinstrFns.has(e.fn) : noinstrFns.has(e.fn);

  // The "ring buffer": only what a tracer configured like this would have recorded.
  const stream = events.filter((e) => {
    if (e.kind === 'enter' || e.kind === 'exit') return !(o.noinstr === 'hide' && isNoinstr(e));
    return o.events;
  });

  let maxCpu = 0;
  for (const e of stream) maxCpu = Math.max(maxCpu, e.cpu);
  // max_bytes_for_cpu = snprintf(NULL, 0, "%u", nr_cpu_ids - 1)
  const cpuWidth = String(Math.max(0, (o.nrCpus ?? maxCpu + 1) - 1)).length;

  // trace_find_cmdline() resolves a pid through the saved-cmdlines cache at read time, i.e. the
  // task's latest comm; pid 0 is always "<idle>".
  const cmdline = new Map<number, string>();
  for (const e of events) cmdline.set(e.pid, e.comm);
  const findCmdline = (pid: number): string => (pid === 0 ? '<idle>' : (cmdline.get(pid) ?? '<...>'));

  const { depth, entryOf } = computeDepths(stream);

  // Next event on the same CPU: what get_return_for_leaf() peeks at.
  const nextOnCpu: number[] = new Array<number>(stream.length).fill(-1);
  {
    const last = new Map<number, number>();
    stream.forEach((e, i) => {
      const prev = last.get(e.cpu);
      if (prev !== undefined) nextOnCpu[prev] = i;
      last.set(e.cpu, i);
    });
  }

  const cpus = new Map<number, CpuData>();
  const cpuData = (cpu: number): CpuData => {
    let c = cpus.get(cpu);
    // graph_trace_open(): last_pid = -1, depth = 0
    if (!c) cpus.set(cpu, (c = { lastPid: -1, depth: 0, enterFuncs: [] }));
    return c;
  };

  const out: string[] = [];
  if (o.header) out.push(functionGraphHeader(options));

  /** verif_pid() + the context columns (print_graph_prologue). */
  const prologue = (e: TraceEvent, ts: number): string => {
    const c = cpuData(e.cpu);
    let s = '';
    if (c.lastPid !== e.pid) {
      const prev = c.lastPid;
      c.lastPid = e.pid;
      if (prev !== -1) {
        s += ' ------------------------------------------\n';
        s += printCpu(e.cpu, cpuWidth);
        s += formatGraphProc(findCmdline(prev), prev);
        s += ' => ';
        s += formatGraphProc(findCmdline(e.pid), e.pid);
        s += '\n ------------------------------------------\n\n';
      }
    }
    if (o.abstime) s += formatAbsTime(ts);
    if (o.cpu) s += printCpu(e.cpu, cpuWidth);
    if (o.proc) s += formatGraphProc(findCmdline(e.pid), e.pid) + ' | ';
    return s;
  };
  /** print_graph_duration() with FLAGS_FILL_FULL: no time on this line. */
  const fillFull = (): string => (o.duration ? '              |  ' : '');
  const durationCol = (ns: number | null): string => {
    if (!o.duration) return '';
    if (ns === null) return fillFull();
    return (o.overhead ? traceFindMark(ns) + ' ' : '  ') + formatGraphDuration(ns) + '|  ';
  };
  const indent = (d: number): string => ' '.repeat(d * TRACE_GRAPH_INDENT);
  const callName = (e: EnterEvent): string =>
    o.showArgs && o.argsStyle === 'inline' ? `${e.fn}(${formatArgs(e.args)})` : `${e.fn}()`;
  const entryNotes = (e: EnterEvent): string[] => {
    const notes: string[] = [];
    if (o.noinstr === 'mark' && isNoinstr(e)) notes.push(NOINSTR_NOTE);
    if (o.showArgs && o.argsStyle === 'comment') {
      const a = formatArgs(e.args);
      if (a) notes.push(a);
    }
    return notes;
  };
  const comment = (notes: string[]): string => (notes.length > 0 ? ` /* ${notes.join('; ')} */` : '');

  const consumed: boolean[] = new Array<boolean>(stream.length).fill(false);
  for (let i = 0; i < stream.length; i++) {
    if (consumed[i]) continue;
    const e = stream[i]!;
    const c = cpuData(e.cpu);

    if (e.kind === 'enter') {
      const d = depth[i]!;
      const j = nextOnCpu[i]!;
      const next = j >= 0 ? stream[j] : undefined;
      if (next && next.kind === 'exit' && next.pid === e.pid && next.fn === e.fn) {
        // print_graph_entry_leaf(): call and return in one line, timed from the pair
        let line = prologue(e, e.ts);
        c.depth = d - 1;
        if (d < FTRACE_RETFUNC_DEPTH) c.enterFuncs[d] = undefined;
        line += durationCol(next.ts - e.ts) + indent(d) + callName(e) + ';';
        const notes = entryNotes(e);
        if (o.retval && next.ret !== undefined) notes.push(`ret=${next.ret}`);
        line += comment(notes);
        out.push(line + '\n');
        // The return was consumed with the entry.  Events of other CPUs may sit between the
        // two in the merged stream, so mark it instead of jumping ahead.
        consumed[j] = true;
        continue;
      }
      // print_graph_entry_nested()
      let line = prologue(e, e.ts);
      c.depth = d;
      if (d < FTRACE_RETFUNC_DEPTH) c.enterFuncs[d] = e.fn;
      line += fillFull() + indent(d) + callName(e) + ' {' + comment(entryNotes(e));
      out.push(line + '\n');
      continue;
    }

    if (e.kind === 'exit') {
      // print_graph_return()
      const d = depth[i]!;
      let funcMatch = true;
      c.depth = d - 1;
      if (d < FTRACE_RETFUNC_DEPTH) {
        if (c.enterFuncs[d] !== e.fn) funcMatch = false;
        c.enterFuncs[d] = undefined;
      }
      const ent = entryOf[i]!;
      let line = prologue(e, e.ts);
      line += durationCol(ent >= 0 ? e.ts - stream[ent]!.ts : null) + indent(d);
      if (o.retval) line += `} /* ${e.fn}${e.ret !== undefined ? ` ret=${e.ret}` : ''} */`;
      else if (funcMatch && !o.tail) line += '}';
      else line += `} /* ${e.fn} */`;
      out.push(line + '\n');
      continue;
    }

    // print_graph_comment(): any other event, at the current depth + 1 (none at depth 0)
    let line = prologue(e, e.ts);
    line += fillFull();
    if (c.depth > 0) line += ' '.repeat((c.depth + 1) * TRACE_GRAPH_INDENT);
    line += '/* ' + commentText(e, o.eventSystem).replace(/\n$/, '') + ' */';
    out.push(line + '\n');
  }
  return out.join('');
}
