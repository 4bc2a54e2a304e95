import { describe, expect, it } from 'vitest';
import type { ChromeTraceEvent } from '../../src/trace/format/perfetto.js';
import { formatPerfetto, toPerfetto } from '../../src/trace/format/perfetto.js';
import { mixedTrace, Sim } from './fixtures.js';
import type { ModeledFunction } from '../../src/trace/functions.js';

interface Parsed {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: string;
}

/** Checks B/E balance and nesting per (pid, tid) track, in timestamp order as Perfetto sees it. */
function checkNesting(evs: readonly ChromeTraceEvent[]): void {
  const stacks = new Map<string, { name: string; ts: number }[]>();
  const lastTs = new Map<string, number>();
  for (const e of evs) {
    if (e.ph !== 'B' && e.ph !== 'E') continue;
    const key = `${e.pid}/${e.tid}`;
    expect(e.ts).toBeGreaterThanOrEqual(lastTs.get(key) ?? -Infinity);
    lastTs.set(key, e.ts);
    let st = stacks.get(key);
    if (!st) stacks.set(key, (st = []));
    if (e.ph === 'B') st.push({ name: e.name, ts: e.ts });
    else {
      const top = st.pop();
      expect(top, `E ${e.name} without B on ${key}`).toBeDefined();
      expect(top!.name).toBe(e.name);
      expect(e.ts).toBeGreaterThanOrEqual(top!.ts);
    }
  }
  for (const [key, st] of stacks) expect(st, `open frames on ${key}`).toEqual([]);
}

describe('Perfetto / Chrome trace-event JSON', () => {
  const text = formatPerfetto(mixedTrace());
  const parsed = JSON.parse(text) as Parsed;
  const evs = parsed.traceEvents;

  it('parses, and has displayTimeUnit ns', () => {
    expect(parsed.displayTimeUnit).toBe('ns');
    expect(Array.isArray(evs)).toBe(true);
    expect(evs.length).toBeGreaterThan(50);
  });

  it('gives every event ph, ts, pid, tid and name', () => {
    for (const e of evs) {
      expect(typeof e.ph).toBe('string');
      expect(typeof e.ts).toBe('number');
      expect(Number.isInteger(e.pid) && e.pid > 0).toBe(true);
      expect(Number.isInteger(e.tid) && e.tid > 0).toBe(true);
      expect(typeof e.name).toBe('string');
      expect(['B', 'E', 'i', 'C', 'M']).toContain(e.ph);
      if (e.ph === 'i') expect(e.s).toBe('t');
    }
  });

  it('has balanced, properly nested B/E per track', () => {
    checkNesting(evs);
  });

  it('has process/thread metadata for each task, kernel threads on their own labelled track', () => {
    const meta = (name: string, pid: number) => evs.find((e) => e.ph === 'M' && e.name === name && e.pid === pid);
    for (const [pid, comm] of [
      [123, 'prog'],
      [124, 'other'],
      [45, 'oom_reaper'],
    ] as const) {
      expect(meta('process_name', pid)?.args).toEqual({ name: comm });
      expect(meta('thread_name', pid)?.args).toEqual({ name: comm });
    }
    expect(meta('process_labels', 45)?.args).toEqual({ labels: 'kernel thread' });
    expect(meta('process_labels', 123)).toBeUndefined();
    // every task that has events has metadata
    const pids = new Set(evs.filter((e) => e.ph !== 'M' && e.ph !== 'C').map((e) => e.pid));
    for (const pid of pids) expect(meta('thread_name', pid)).toBeDefined();
  });

  it('uses microsecond timestamps', () => {
    const first = evs.find((e) => e.ph === 'B' && e.name === 'el0t_64_sync')!;
    expect(first.ts).toBe(5_000_000.04); // 5 000 000 040 ns
  });

  it('emits instants for tracepoints, exceptions, signals, printk and the OOM decision, with args', () => {
    const inst = evs.filter((e) => e.ph === 'i');
    expect(inst.find((e) => e.name === 'oom:mark_victim')?.args).toMatchObject({
      system: 'oom',
      name: 'mark_victim',
      fields: { pid: 123 },
    });
    expect(inst.find((e) => e.name === 'exception el0_da')?.args).toMatchObject({ esr: '0x92000047' });
    expect(inst.find((e) => e.name === 'signal SIGKILL')?.args).toMatchObject({ sig: 9, target: 123 });
    expect(inst.find((e) => e.name === 'console' && e.pid === 45)).toBeDefined();
    const oom = inst.find((e) => e.name === 'oom decision')!;
    expect(oom.args).toMatchObject({ constraint: 'CONSTRAINT_MEMCG', victim: 123 });
    expect((oom.args!.candidates as unknown[]).length).toBe(2);
  });

  it('emits a memcg usage counter per charge', () => {
    const c = evs.filter((e) => e.ph === 'C');
    expect(c.map((e) => e.args!.usage_pages)).toEqual([4095, 4096, 4096]);
    expect(new Set(c.map((e) => e.name))).toEqual(new Set(['memcg /sys/fs/cgroup/job']));
    const memcgPid = c[0]!.pid;
    expect(evs.find((e) => e.ph === 'M' && e.name === 'process_name' && e.pid === memcgPid)?.args).toEqual({
      name: 'memcg',
    });
  });

  it('closes frames still open at the end at the last timestamp, and drops returns without entry', () => {
    const sim = new Sim(1000);
    sim.run(9, 'cut');
    sim.fn('early', 100);
    const before = sim.events();
    sim.tracer.enter('a' as ModeledFunction);
    sim.step(500);
    sim.tracer.enter('b' as ModeledFunction);
    sim.step(250);
    sim.tracer.emit('printk', { level: 6, text: 'x' });
    const events = sim.events().slice(1); // also lose early's entry
    const t = toPerfetto(events);
    checkNesting(t.traceEvents);
    const closes = t.traceEvents.filter((e) => e.ph === 'E');
    expect(closes.map((e) => [e.name, e.ts])).toEqual([
      ['b', 1.85],
      ['a', 1.85],
    ]);
    expect(before.length).toBe(2);
  });

  it('closes frames whose return was lost when an outer frame returns', () => {
    const sim = new Sim(0);
    sim.run(3, 'lost');
    sim.tracer.enter('outer' as ModeledFunction);
    sim.tracer.enter('inner' as ModeledFunction);
    sim.step(100);
    const evs2 = sim.events();
    // an exit for outer while inner is open (inner's return lost)
    evs2.push({ ts: 100, cpu: 0, pid: 3, comm: 'lost', kind: 'exit', fn: 'outer', ret: '0' });
    const t = toPerfetto(evs2);
    checkNesting(t.traceEvents);
    expect(t.traceEvents.filter((e) => e.ph === 'E').map((e) => e.name)).toEqual(['inner', 'outer']);
  });

  it('moves pid 0 / negative model pids to synthetic positive ids', () => {
    const t = toPerfetto([
      { ts: 0, cpu: 0, pid: 0, comm: 'swapper/0', kind: 'printk', level: 6, text: 'boot' },
      { ts: 1, cpu: 0, pid: -2, comm: 'kswapd0', kind: 'printk', level: 6, text: 'kswapd' },
    ]);
    for (const e of t.traceEvents) expect(e.pid).toBeGreaterThan(0);
    const labels = t.traceEvents.filter((e) => e.name === 'process_labels').map((e) => e.args!.labels);
    expect(labels).toEqual(['kernel thread, model pid 0', 'kernel thread, model pid -2']);
  });

  it('is deterministic', () => {
    expect(formatPerfetto(mixedTrace())).toBe(text);
  });
});
