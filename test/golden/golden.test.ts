/**
 * Golden outputs of one small fault → memcg → OOM run per architecture, in every trace format,
 * regenerated in-process and compared byte for byte with test/golden/<arch>/*:
 *
 *   function_graph.txt  formatTrace(--only-fatal events, 'function_graph')
 *   trace.jsonl         formatTrace(--only-fatal events, 'jsonl')
 *   perfetto.json       formatTrace(--only-fatal events, 'perfetto')
 *   dmesg.txt           formatTrace(all events, 'dmesg')
 *   summary.txt         summarize(all events)
 *
 * The run is test/cli/programs/<arch>/hog.S (mmap 64 pages, write one byte per page, forever) in
 * cgroup /t with memory.max 1M on a 256M machine, i.e. exactly
 *   faultpath run test/cli/programs/<arch>/hog.S --arch <arch> --cgroup t --memory-max 1M …
 * (test/cli/cli.test.ts checks that the CLI prints the same bytes).  The trace formats keep only
 * the fatal fault episode (--only-fatal) so the files stay small; the full trace is checked for
 * validity and determinism instead.
 *
 * `UPDATE_GOLDEN=1 npx vitest run test/golden` rewrites the files; review the diff first.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/schema.js';
import { REPO_ROOT, runScenario } from '../../src/scenario/run.js';
import { applyFilters, formatTrace, parseJsonl, summarize, TRACE_FORMATS, type TraceFormat } from '../../src/trace/index.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { validatePerfetto } from './perfetto-validate.js';

const DIR = dirname(fileURLToPath(import.meta.url));
const ARCHES = ['aarch64', 'x86_64'] as const;
type Arch = (typeof ARCHES)[number];
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** The scenario `faultpath run …hog.S --cgroup t --memory-max 1M` builds (process id "main", 256M). */
export function goldenScenarioYaml(arch: Arch): string {
  return [
    'name: golden memcg oom',
    'machine:',
    `  arch: ${arch}`,
    "  kernel: '6.1'",
    '  mem: 256M',
    '  swap: 0',
    'cgroups:',
    '  - path: t',
    '    memory.max: 1M',
    'processes:',
    '  - id: main',
    `    program: test/cli/programs/${arch}/hog.S`,
    '    cgroup: t',
    '',
  ].join('\n');
}

interface Outputs {
  files: Record<string, string>;
  /** every format over the whole, unfiltered trace (for validity and determinism) */
  full: Record<TraceFormat | 'summary', string>;
  result: string;
  events: readonly TraceEvent[];
}

async function generate(arch: Arch): Promise<Outputs> {
  const s = parseScenario(goldenScenarioYaml(arch), `golden-${arch}.yaml`);
  const r = await runScenario(s, { trace: true, baseDir: REPO_ROOT });
  try {
    const events = r.machine.tracer.events.slice();
    const fatal = applyFilters(events, { onlyFatal: true });
    const files = {
      'function_graph.txt': formatTrace(fatal, 'function_graph'),
      'trace.jsonl': formatTrace(fatal, 'jsonl'),
      'perfetto.json': formatTrace(fatal, 'perfetto'),
      'dmesg.txt': formatTrace(events, 'dmesg'),
      'summary.txt': summarize(events) + '\n',
    };
    const full = { summary: files['summary.txt'] } as Outputs['full'];
    for (const f of TRACE_FORMATS) full[f] = formatTrace(events, f);
    const { machine: _m, ...rest } = r;
    return { files, full, result: JSON.stringify(rest), events };
  } finally {
    r.machine.close();
  }
}

function compareGolden(arch: Arch, name: string, actual: string): void {
  const file = join(DIR, arch, name);
  if (UPDATE) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file missing: ${file} (run with UPDATE_GOLDEN=1)`);
  const want = readFileSync(file, 'utf8');
  if (actual === want) return;
  // Name the first differing line: a 40 kB toBe() diff is unreadable.
  const a = actual.split('\n');
  const w = want.split('\n');
  let i = 0;
  while (i < Math.min(a.length, w.length) && a[i] === w[i]) i++;
  expect.fail(`${arch}/${name} differs from the golden file at line ${i + 1}:\n  golden: ${JSON.stringify(w[i])}\n  actual: ${JSON.stringify(a[i])}\n(${w.length} vs ${a.length} lines; UPDATE_GOLDEN=1 rewrites it)`);
}

const runs = new Map<Arch, Promise<Outputs>>();
const first = (arch: Arch) => {
  if (!runs.has(arch)) runs.set(arch, generate(arch));
  return runs.get(arch)!;
};

for (const arch of ARCHES) {
  describe(`golden ${arch}: hog in /t, memory.max 1M`, () => {
    it('the run is the memcg OOM it is meant to be', async () => {
      const o = await first(arch);
      const r = JSON.parse(o.result) as { end: { kind: string }; processes: { outcome: { kind: string; signal?: number }; oom_killed: boolean }[]; cgroups: Record<string, { 'memory.events': Record<string, number> }> };
      expect(r.end.kind).toBe('exited');
      expect(r.processes[0]!.outcome).toMatchObject({ kind: 'signal', signal: 9 });
      expect(r.processes[0]!.oom_killed).toBe(true);
      expect(r.cgroups['/t']!['memory.events']).toMatchObject({ oom: 1, oom_kill: 1 });
      expect(o.files['dmesg.txt']).toContain('Memory cgroup out of memory: Killed process');
      expect(o.files['function_graph.txt']).toContain('mem_cgroup_out_of_memory() {');
    });

    for (const name of ['function_graph.txt', 'trace.jsonl', 'perfetto.json', 'dmesg.txt', 'summary.txt']) {
      it(`${name} matches test/golden/${arch}/${name}`, async () => {
        const o = await first(arch);
        expect(o.files[name]!.length).toBeLessThan(200 * 1024);
        compareGolden(arch, name, o.files[name]!);
      });
    }

    it('trace.jsonl is valid JSON lines that round-trip through parseJsonl', async () => {
      const o = await first(arch);
      const lines = o.files['trace.jsonl']!.trimEnd().split('\n');
      for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
      expect(parseJsonl(o.files['trace.jsonl']!)).toHaveLength(lines.length);
      expect(formatTrace(parseJsonl(o.files['trace.jsonl']!), 'jsonl')).toBe(o.files['trace.jsonl']);
    });

    it('perfetto.json (and the unfiltered Perfetto trace) are valid trace-event JSON', async () => {
      const o = await first(arch);
      for (const [what, text] of [
        ['perfetto.json', o.files['perfetto.json']!],
        ['full trace', o.full.perfetto],
      ] as const) {
        const { problems, stats } = validatePerfetto(text);
        expect(problems, what).toEqual([]);
        expect(stats.slices, what).toBeGreaterThan(10);
        expect(stats.counters, what).toBeGreaterThan(0); // memcg usage
        expect([...stats.processNames.values()], what).toContain('hog');
        expect(stats.maxDepth, what).toBeGreaterThan(10); // el0/exc entry … try_charge_memcg … oom_kill_process
      }
      const doc = JSON.parse(o.files['perfetto.json']!) as { traceEvents: { name: string; ph: string }[] };
      expect(doc.traceEvents.some((e) => e.ph === 'B' && e.name === 'mem_cgroup_out_of_memory')).toBe(true);
      expect(doc.traceEvents.some((e) => e.ph === 'i' && e.name === 'oom decision')).toBe(true);
    });
  });
}

describe('determinism', () => {
  for (const arch of ARCHES) {
    it(`${arch}: a second in-process run produces byte-identical output in every format`, async () => {
      // The other architecture ran in between (the golden tests above): no state leaks across runs.
      await first(ARCHES[0]);
      await first(ARCHES[1]);
      const a = await first(arch);
      const b = await generate(arch);
      expect(b.result).toBe(a.result);
      for (const f of [...TRACE_FORMATS, 'summary'] as const) {
        expect(b.full[f].length, f).toBe(a.full[f].length);
        expect(b.full[f] === a.full[f], `${arch} ${f} differs between two runs`).toBe(true);
      }
      for (const [name, text] of Object.entries(a.files)) expect(b.files[name] === text, `${arch} ${name} differs between two runs`).toBe(true);
      expect(b.events.length).toBe(a.events.length);
    });
  }
});
