/**
 * Chrome trace-event JSON ("JSON Object Format"), which ui.perfetto.dev and chrome://tracing
 * open directly.
 *
 * Layout:
 *  - one track per task: pid = tid = the task's pid, named by `process_name`/`thread_name`
 *    metadata (`ph:"M"`); kernel threads (oom_reaper, kswapd0, kworker/…, or pid ≤ 0) get their
 *    own processes, sorted after the user tasks and labelled "kernel thread";
 *  - modeled function calls are `B`/`E` slices on their task's track, always balanced: a return
 *    that closes a deeper frame first closes the frames above it, a return without an entry is
 *    dropped, and frames still open at the end are closed at the last timestamp of the trace;
 *  - tracepoints, exceptions, signals, printk, OOM decisions and the other model records are
 *    thread-scoped instants (`ph:"i"`, `s:"t"`) carrying their fields as args;
 *  - memcg usage from `charge` events is a counter (`ph:"C"`) per memcg on a synthetic
 *    "memcg" process (a failed charge is also an instant on the charging task).
 * Timestamps are microseconds (floats) as the format requires; `displayTimeUnit` is "ns".
 */
import type { TraceEvent } from '../events.js';
import { eventName, eventText } from './function-graph.js';
import { toJsonObject } from './jsonl.js';

export interface ChromeTraceEvent {
  name: string;
  ph: 'B' | 'E' | 'i' | 'C' | 'M';
  /** microseconds */
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ns';
}

export interface PerfettoOptions {
  /** decides which tasks are kernel threads (default: pid ≤ 0 or a well-known kthread comm) */
  isKernelThread?: (pid: number, comm: string) => boolean;
}

/**
 * PID_MAX_LIMIT (include/linux/threads.h, 4M on 64-bit): no real pid reaches it, so synthetic
 * track ids start there and can never collide with a guest task.
 */
const PID_MAX_LIMIT = 4 * 1024 * 1024;
const MEMCG_TRACK_PID = PID_MAX_LIMIT;

const KTHREAD_COMM =
  /^(kthreadd|oom_reaper|kswapd\d*|kcompactd\d*|khugepaged|ksmd|kworker\/.*|ksoftirqd\/.*|migration\/.*|rcu_.*|swapper(\/\d+)?|cpuhp\/.*|idle_inject\/.*|irq\/.*|watchdogd?(\/.*)?|kauditd|khungtaskd|writeback|kblockd|kthrotld|mm_percpu_wq)$/;

export function defaultIsKernelThread(pid: number, comm: string): boolean {
  return pid <= 0 || KTHREAD_COMM.test(comm);
}

const usec = (ns: number): number => ns / 1000;

interface Track {
  /** the task's pid as the model reported it */
  taskPid: number;
  id: number;
  comm: string;
  kernel: boolean;
  stack: { fn: string }[];
}

export function toPerfetto(events: readonly TraceEvent[], opts: PerfettoOptions = {}): ChromeTrace {
  const isKthread = opts.isKernelThread ?? defaultIsKernelThread;
  const tracks = new Map<number, Track>();
  let nextSynthetic = PID_MAX_LIMIT + 1;
  const track = (e: TraceEvent): Track => {
    let t = tracks.get(e.pid);
    if (!t) {
      // Perfetto's JSON importer wants positive ids; pid 0 (idle) and negative model ids move up.
      const id = e.pid > 0 ? e.pid : nextSynthetic++;
      t = { taskPid: e.pid, id, comm: e.comm, kernel: isKthread(e.pid, e.comm), stack: [] };
      tracks.set(e.pid, t);
    }
    t.comm = e.comm; // exec renames a task; the track takes the latest name
    return t;
  };

  const body: ChromeTraceEvent[] = [];
  const memcgs = new Set<string>();
  let lastTs = 0;

  for (const e of events) {
    lastTs = Math.max(lastTs, e.ts);
    const t = track(e);
    const ts = usec(e.ts);
    const at = { ts, pid: t.id, tid: t.id };

    if (e.kind === 'enter') {
      const args: Record<string, unknown> = { ...(e.args ?? {}) };
      for (const k of Object.keys(args)) if (args[k] === undefined) delete args[k];
      if (e.noinstr) args.noinstr = true;
      t.stack.push({ fn: e.fn });
      body.push({ name: e.fn, ph: 'B', cat: 'function', ...at, ...(Object.keys(args).length > 0 ? { args } : {}) });
      continue;
    }
    if (e.kind === 'exit') {
      let k = t.stack.length - 1;
      while (k >= 0 && t.stack[k]!.fn !== e.fn) k--;
      if (k < 0) continue; // entry not in the trace: nothing to close
      while (t.stack.length - 1 > k) {
        // lost return of a deeper frame: close it here to keep the track nested
        const lost = t.stack.pop()!;
        body.push({ name: lost.fn, ph: 'E', cat: 'function', ...at, args: { lost_return: true } });
      }
      t.stack.pop();
      body.push({
        name: e.fn,
        ph: 'E',
        cat: 'function',
        ...at,
        ...(e.ret !== undefined ? { args: { ret: e.ret } } : {}),
      });
      continue;
    }
    if (e.kind === 'charge') {
      memcgs.add(e.memcg);
      const args: Record<string, unknown> = { usage_pages: e.usage };
      if (typeof e.max === 'number') args.max_pages = e.max;
      body.push({
        name: `memcg ${e.memcg}`,
        ph: 'C',
        cat: 'memcg',
        ts,
        pid: MEMCG_TRACK_PID,
        tid: MEMCG_TRACK_PID,
        args,
      });
      if (e.ok) continue;
      // a failed charge is also worth a marker on the task that hit the limit
    }
    const { system, name } = eventName(e);
    const fields = toJsonObject(e);
    for (const k of ['ts', 'cpu', 'pid', 'comm', 'kind']) delete fields[k];
    const label =
      e.kind === 'tracepoint'
        ? `${system}:${name}`
        : e.kind === 'exception'
          ? `exception ${e.vector}`
          : e.kind === 'signal'
            ? `signal ${e.name}`
            : e.kind === 'syscall'
              ? `syscall ${e.name}`
              : e.kind === 'charge'
                ? 'memcg charge failed'
                : e.kind === 'oom'
                  ? 'oom decision'
                  : name;
    body.push({
      name: label,
      ph: 'i',
      s: 't',
      cat: e.kind,
      ...at,
      args: { ...fields, cpu: e.cpu, text: eventText(e) },
    });
  }

  // Close frames still open at the end (the guest was killed mid-fault, or the trace was cut).
  const endTs = usec(lastTs);
  for (const t of [...tracks.values()].sort((a, b) => a.id - b.id)) {
    while (t.stack.length > 0) {
      const fr = t.stack.pop()!;
      body.push({ name: fr.fn, ph: 'E', cat: 'function', ts: endTs, pid: t.id, tid: t.id, args: { unfinished: true } });
    }
  }

  // Metadata first: user tasks by pid, then kernel threads, then the memcg counters.
  const meta: ChromeTraceEvent[] = [];
  const ordered = [...tracks.values()].sort((a, b) => Number(a.kernel) - Number(b.kernel) || a.id - b.id);
  ordered.forEach((t, n) => {
    const m = { ph: 'M' as const, ts: 0, pid: t.id, tid: t.id };
    meta.push({ name: 'process_name', ...m, args: { name: t.comm } });
    meta.push({ name: 'process_sort_index', ...m, args: { sort_index: n } });
    if (t.kernel || t.taskPid !== t.id) {
      const labels = [t.kernel ? 'kernel thread' : '', t.taskPid !== t.id ? `model pid ${t.taskPid}` : '']
        .filter(Boolean)
        .join(', ');
      meta.push({ name: 'process_labels', ...m, args: { labels } });
    }
    meta.push({ name: 'thread_name', ...m, args: { name: t.comm } });
    meta.push({ name: 'thread_sort_index', ...m, args: { sort_index: n } });
  });
  if (memcgs.size > 0) {
    const m = { ph: 'M' as const, ts: 0, pid: MEMCG_TRACK_PID, tid: MEMCG_TRACK_PID };
    meta.push({ name: 'process_name', ...m, args: { name: 'memcg' } });
    meta.push({ name: 'process_sort_index', ...m, args: { sort_index: ordered.length } });
  }
  return { traceEvents: [...meta, ...body], displayTimeUnit: 'ns' };
}

/** The trace as JSON text, one trace event per line (valid JSON, diff-friendly). */
export function formatPerfetto(events: readonly TraceEvent[], opts: PerfettoOptions = {}): string {
  const t = toPerfetto(events, opts);
  const lines = t.traceEvents.map((e) => JSON.stringify(e));
  return `{"traceEvents":[\n${lines.join(',\n')}\n],"displayTimeUnit":"ns"}\n`;
}
