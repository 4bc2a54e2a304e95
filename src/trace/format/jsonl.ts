/**
 * JSON lines: one event per line, keys in a fixed order so that two runs of the same guest diff
 * cleanly and `jq`/`grep` pipelines can rely on the layout.  Order: `ts, cpu, pid, comm, kind`,
 * then the kind's own fields in the order of its interface in ../events.ts.  Optional fields that
 * are absent are omitted (never `null`).  Documented in docs/trace-format.md.
 */
import type { EventKind, OomCandidate, TraceEvent } from '../events.js';

type Payload<K extends EventKind> = Omit<Extract<TraceEvent, { kind: K }>, 'ts' | 'cpu' | 'pid' | 'comm' | 'kind'>;

export const BASE_KEYS = ['ts', 'cpu', 'pid', 'comm', 'kind'] as const;

/** Per kind, its fields in interface order.  The type below makes a missing/extra field a tsc error. */
export const KIND_KEYS = {
  enter: ['fn', 'args', 'noinstr'],
  exit: ['fn', 'ret'],
  tracepoint: ['system', 'name', 'fields', 'text'],
  exception: ['arch', 'vector', 'address', 'pc', 'esr', 'errorCode', 'decoded'],
  pte: ['address', 'level', 'old', 'new', 'why'],
  alloc: ['pfn', 'order', 'gfp', 'ok'],
  charge: ['memcg', 'pages', 'ok', 'usage', 'max'],
  reclaim: ['scope', 'nrToReclaim', 'nrReclaimed'],
  oom: ['constraint', 'totalpages', 'candidates', 'victim', 'rule'],
  signal: ['sig', 'name', 'code', 'target', 'address'],
  sched_switch: ['prevPid', 'prevState', 'nextPid', 'nextComm'],
  syscall: ['nr', 'name', 'args', 'ret'],
  printk: ['level', 'text'],
} as const satisfies { [K in EventKind]: readonly (keyof Payload<K>)[] };

/** OomCandidate fields in interface order. */
export const OOM_CANDIDATE_KEYS = [
  'pid',
  'comm',
  'rssAnon',
  'rssFile',
  'rssShmem',
  'swapents',
  'pgtablesPages',
  'oomScoreAdj',
  'adjPoints',
  'points',
  'excluded',
] as const satisfies readonly (keyof OomCandidate)[];

// Compile-time completeness: every field of every kind (and of OomCandidate) is listed.
type Missing<K extends EventKind> = Exclude<keyof Payload<K>, (typeof KIND_KEYS)[K][number]>;
type AllListed = { [K in EventKind]: Missing<K> extends never ? true : Missing<K> }[EventKind];
const allListed: AllListed = true;
const candidatesListed: Exclude<keyof OomCandidate, (typeof OOM_CANDIDATE_KEYS)[number]> extends never ? true : false =
  true;
void allListed;
void candidatesListed;

function ordered(obj: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  // Fields added to the model later still come out, after the known ones, sorted by name.
  const known = new Set(keys);
  for (const k of Object.keys(obj)
    .filter((k) => !known.has(k))
    .sort())
    if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

/** The event as a plain object with the documented key order. */
export function toJsonObject(e: TraceEvent): Record<string, unknown> {
  const rec = e as unknown as Record<string, unknown>;
  const keys: readonly string[] = [...BASE_KEYS, ...(KIND_KEYS[e.kind] ?? [])];
  const out = ordered(rec, keys);
  if (e.kind === 'oom') {
    out.candidates = e.candidates.map((c) => ordered(c as unknown as Record<string, unknown>, OOM_CANDIDATE_KEYS));
  }
  return out;
}

/** One JSON object per line, each line terminated by '\n'. */
export function formatJsonl(events: readonly TraceEvent[]): string {
  let s = '';
  for (const e of events) s += JSON.stringify(toJsonObject(e)) + '\n';
  return s;
}

/** Reads JSON lines back (blank lines ignored).  No validation beyond JSON syntax and `kind`. */
export function parseJsonl(text: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  text.split('\n').forEach((line, n) => {
    if (line.trim() === '') return;
    const v: unknown = JSON.parse(line);
    const kind = typeof v === 'object' && v !== null ? (v as { kind?: unknown }).kind : undefined;
    if (typeof kind !== 'string' || !Object.hasOwn(KIND_KEYS, kind)) {
      throw new Error(`trace jsonl line ${n + 1}: not a trace event`);
    }
    out.push(v as TraceEvent);
  });
  return out;
}
