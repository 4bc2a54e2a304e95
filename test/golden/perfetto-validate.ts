/**
 * A validator for Chrome trace-event JSON ("JSON Object Format", the format ui.perfetto.dev and
 * chrome://tracing import), strict enough to catch what makes Perfetto drop or mis-nest slices:
 *
 *  - the document is `{ "traceEvents": [...] }` and every event has name (string), ph (a known
 *    phase), ts (finite µs ≥ 0), pid and tid (integers);
 *  - duration events: per track (pid, tid) every `E` closes the innermost open `B` of the same
 *    name, no `E` without a `B`, no `E` earlier than its `B`, timestamps never go backwards on a
 *    track, and nothing is left open at the end;
 *  - instants have a scope `s` of t/p/g; counters carry numeric args;
 *  - metadata: every pid used has a `process_name`, and every (pid, tid) that carries thread-scoped
 *    events (B/E/X/i) has a `thread_name` (counters are process-scoped and need only the process).
 *
 * Returns the problems found (empty = valid) plus a few statistics for the caller's checks.
 */
export interface PerfettoStats {
  events: number;
  slices: number;
  instants: number;
  counters: number;
  tracks: number;
  maxDepth: number;
  processNames: Map<number, string>;
  threadNames: Map<string, string>;
}

const PHASES = new Set(['B', 'E', 'X', 'i', 'I', 'C', 'M', 'b', 'e', 'n', 's', 't', 'f', 'P', 'O', 'N', 'D']);

export function validatePerfetto(text: string): { problems: string[]; stats: PerfettoStats } {
  const problems: string[] = [];
  const stats: PerfettoStats = { events: 0, slices: 0, instants: 0, counters: 0, tracks: 0, maxDepth: 0, processNames: new Map(), threadNames: new Map() };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { problems: [`not JSON: ${(e as Error).message}`], stats };
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray((doc as { traceEvents?: unknown }).traceEvents)) {
    return { problems: ['not a JSON Object Format trace: no traceEvents array'], stats };
  }
  const events = (doc as { traceEvents: unknown[] }).traceEvents;
  stats.events = events.length;
  const stacks = new Map<string, { name: string; ts: number; at: number }[]>();
  const lastTs = new Map<string, number>();
  const usedPids = new Set<number>();
  const usedThreads = new Set<string>();
  const say = (i: number, msg: string) => {
    if (problems.length < 50) problems.push(`traceEvents[${i}]: ${msg}`);
  };

  events.forEach((raw, i) => {
    if (!raw || typeof raw !== 'object') return say(i, 'not an object');
    const e = raw as Record<string, unknown>;
    if (typeof e.name !== 'string') say(i, 'name is missing or not a string');
    if (typeof e.ph !== 'string' || !PHASES.has(e.ph)) return say(i, `bad ph ${JSON.stringify(e.ph)}`);
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts) || e.ts < 0) say(i, `bad ts ${JSON.stringify(e.ts)}`);
    if (!Number.isInteger(e.pid)) say(i, `bad pid ${JSON.stringify(e.pid)}`);
    if (!Number.isInteger(e.tid)) say(i, `bad tid ${JSON.stringify(e.tid)}`);
    if (e.args !== undefined && (typeof e.args !== 'object' || e.args === null || Array.isArray(e.args))) say(i, 'args is not an object');
    const pid = e.pid as number;
    const tid = e.tid as number;
    const ts = e.ts as number;
    const name = e.name as string;
    const key = `${pid}/${tid}`;
    const args = (e.args ?? {}) as Record<string, unknown>;

    if (e.ph === 'M') {
      if (name === 'process_name') {
        if (typeof args.name !== 'string' || !args.name) say(i, 'process_name without args.name');
        else stats.processNames.set(pid, args.name);
      } else if (name === 'thread_name') {
        if (typeof args.name !== 'string' || !args.name) say(i, 'thread_name without args.name');
        else stats.threadNames.set(key, args.name);
      }
      return;
    }
    usedPids.add(pid);
    if (e.ph === 'C') {
      stats.counters++;
      if (Object.keys(args).length === 0) say(i, 'counter without values');
      for (const [k, v] of Object.entries(args)) if (typeof v !== 'number') say(i, `counter value ${k} is not a number`);
      return;
    }
    usedThreads.add(key);
    const prev = lastTs.get(key);
    if (prev !== undefined && ts < prev) say(i, `ts ${ts} goes backwards on track ${key} (previous ${prev})`);
    lastTs.set(key, ts);
    if (e.ph === 'i' || e.ph === 'I') {
      stats.instants++;
      if (e.s !== undefined && e.s !== 't' && e.s !== 'p' && e.s !== 'g') say(i, `bad instant scope ${JSON.stringify(e.s)}`);
      return;
    }
    if (e.ph === 'X') {
      stats.slices++;
      if (typeof e.dur !== 'number' || e.dur < 0) say(i, 'X event without a non-negative dur');
      return;
    }
    let stack = stacks.get(key);
    if (!stack) stacks.set(key, (stack = []));
    if (e.ph === 'B') {
      stack.push({ name, ts, at: i });
      stats.slices++;
      stats.maxDepth = Math.max(stats.maxDepth, stack.length);
    } else if (e.ph === 'E') {
      const top = stack.pop();
      if (!top) say(i, `E "${name}" on track ${key} without an open B`);
      else {
        if (top.name !== name) say(i, `E "${name}" on track ${key} closes "${top.name}" (B at traceEvents[${top.at}]): not properly nested`);
        if (ts < top.ts) say(i, `E "${name}" at ${ts} before its B at ${top.ts}`);
      }
    }
  });

  for (const [key, stack] of stacks) {
    for (const open of stack) problems.push(`track ${key}: B "${open.name}" (traceEvents[${open.at}]) is never closed`);
  }
  for (const pid of usedPids) if (!stats.processNames.has(pid)) problems.push(`pid ${pid} has events but no process_name metadata`);
  for (const key of usedThreads) if (!stats.threadNames.has(key)) problems.push(`track ${key} has events but no thread_name metadata`);
  stats.tracks = usedThreads.size;
  return { problems, stats };
}
