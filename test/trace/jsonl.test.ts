import { describe, expect, it } from 'vitest';
import type { EventKind, TraceEvent } from '../../src/trace/events.js';
import {
  BASE_KEYS,
  formatJsonl,
  KIND_KEYS,
  OOM_CANDIDATE_KEYS,
  parseJsonl,
  toJsonObject,
} from '../../src/trace/format/jsonl.js';
import { mixedTrace } from './fixtures.js';

/** The expected key order of one line: base keys, then the kind's interface order, absent ones skipped. */
function expectedKeys(e: TraceEvent): string[] {
  const rec = e as unknown as Record<string, unknown>;
  return [...BASE_KEYS, ...KIND_KEYS[e.kind]].filter((k) => rec[k] !== undefined);
}

describe('JSON lines', () => {
  const events = mixedTrace();
  const text = formatJsonl(events);
  const lines = text.split('\n');

  it('writes one parseable object per event, newline-terminated', () => {
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(events.length);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  });

  it('uses the stable key order ts, cpu, pid, comm, kind, then the kind fields', () => {
    lines.forEach((l, i) => {
      const obj = JSON.parse(l) as Record<string, unknown>;
      expect(Object.keys(obj)).toEqual(expectedKeys(events[i]!));
      expect(Object.keys(obj).slice(0, 5)).toEqual(['ts', 'cpu', 'pid', 'comm', 'kind']);
    });
  });

  it('orders OOM candidate fields like the OomCandidate interface', () => {
    const oom = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o.kind === 'oom')!;
    const cands = oom.candidates as Record<string, unknown>[];
    expect(Object.keys(cands[0]!)).toEqual(OOM_CANDIDATE_KEYS.filter((k) => k !== 'excluded'));
    expect(Object.keys(cands[1]!)).toEqual([...OOM_CANDIDATE_KEYS]);
  });

  it('orders keys the same even when the event object was built in another order', () => {
    const scrambled = {
      text: 'hi',
      level: 6,
      kind: 'printk',
      comm: 'c',
      pid: 1,
      cpu: 0,
      ts: 5,
    } as unknown as TraceEvent;
    expect(formatJsonl([scrambled])).toBe(
      '{"ts":5,"cpu":0,"pid":1,"comm":"c","kind":"printk","level":6,"text":"hi"}\n',
    );
  });

  it('omits absent optional fields instead of writing null', () => {
    const first = JSON.parse(lines.find((l) => l.includes('"lock_mm_and_find_vma"'))!) as Record<string, unknown>;
    expect('args' in first).toBe(false);
    expect('noinstr' in first).toBe(false);
  });

  it('keeps fields a later model adds, after the known ones', () => {
    const e = {
      ts: 1,
      cpu: 0,
      pid: 1,
      comm: 'c',
      kind: 'exit',
      fn: 'f',
      ret: '0',
      zeta: 1,
      alpha: 2,
    } as unknown as TraceEvent;
    expect(Object.keys(toJsonObject(e))).toEqual(['ts', 'cpu', 'pid', 'comm', 'kind', 'fn', 'ret', 'alpha', 'zeta']);
  });

  it('round-trips through parseJsonl', () => {
    const back = parseJsonl(text);
    expect(back).toEqual(JSON.parse(JSON.stringify(events)));
  });

  it('covers every kind in KIND_KEYS', () => {
    const kinds: EventKind[] = [
      'enter',
      'exit',
      'tracepoint',
      'exception',
      'pte',
      'alloc',
      'charge',
      'reclaim',
      'oom',
      'signal',
      'sched_switch',
      'syscall',
      'printk',
    ];
    expect(Object.keys(KIND_KEYS).sort()).toEqual([...kinds].sort());
  });

  it('is deterministic', () => {
    expect(formatJsonl(mixedTrace())).toBe(text);
  });
});
