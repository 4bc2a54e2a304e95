/**
 * Tracing benchmark: what trace collection and each output format cost on the fault path.
 *
 * Workload: bench/programs/<arch>/touch.S with 16384 pages (16k minor anonymous faults through
 * the whole modeled path, memcg /bench, machine 'bare'; see bench/faults.ts, whose runner this
 * reuses), both architectures.
 *
 *   off:         Machine({ trace: false }); faults/s of the store loop;
 *   collect:     Machine({ trace: true }): events collected in memory, nothing formatted;
 *   <format>:    the events of that same collecting run formatted with formatTrace(events,
 *                format) for function_graph, jsonl, perfetto and dmesg; faults/s counts the
 *                loop plus formatting the whole trace of the run (what `faultpath run --trace
 *                <format> --trace-out F` does minus the file write).
 *
 * Each number is the best of REPEAT runs (the trace-off runs of both arches first, before any
 * trace exists), on two clocks: host wall clock and the process's CPU time (process.cpuUsage;
 * comparable when the machine is shared with other work).  dmesg keeps only printk records and
 * this run logs none, so its row is collection alone.
 * Writes bench/results/tracing.json and prints a table.
 * Run: npx tsx bench/tracing.ts   (re-executes itself with a fixed malloc mmap threshold like
 * bench/faults.ts; --default-malloc keeps glibc's default)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Arch } from '../src/hw/cpu.js';
import { formatTrace, TRACE_FORMATS, type TraceFormat } from '../src/trace/index.js';
import { mallocPolicy, reexecWithFixedMalloc, runTouch, touchProgram, type TouchProgram } from './faults.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PAGES = 16384;
const REPEAT = 3;
const ARCHES: Arch[] = ['aarch64', 'x86_64'];

type Mode = 'off' | 'collect' | TraceFormat;

interface Row {
  arch: Arch;
  mode: Mode;
  /** host ns of the store loop (best run) */
  loop_ns: number;
  /** host ns formatting the run's whole trace (formats only) */
  format_ns: number;
  /** process CPU ns of loop + formatting */
  cpu_ns: number;
  cpu_ns_per_fault: number;
  cpu_vs_off: number;
  faults_per_s: number;
  ns_per_fault: number;
  /** cost relative to tracing off */
  vs_off: number;
  events: number;
  output_bytes: number;
  output_lines: number;
  format_ns_per_event: number;
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

async function main(): Promise<void> {
  if (reexecWithFixedMalloc()) return;
  const started = Date.now();
  const loadStart = loadavg()[0]!;
  const rows: Row[] = [];
  const progs = new Map<Arch, TouchProgram>();
  for (const arch of ARCHES) progs.set(arch, await touchProgram(arch));
  // Phase 1: tracing off, both arches, before any trace exists (a trace-on run leaves hundreds
  // of MiB of garbage that a later run would collect on its clock).
  const offs = new Map<Arch, { ns: number; cpu: number }>();
  for (const arch of ARCHES) {
    const prog = progs.get(arch)!;
    for (let i = 0; i < 2; i++) runTouch(prog, 2048, false);
    const best = { ns: Infinity, cpu: Infinity };
    for (let i = 0; i < REPEAT; i++) {
      const o = runTouch(prog, PAGES, false);
      best.ns = Math.min(best.ns, o.ns);
      best.cpu = Math.min(best.cpu, o.cpu_ns);
    }
    offs.set(arch, best);
  }
  // Phase 2: collect, then each formatter on the collected events of that same run.
  for (const arch of ARCHES) {
    const prog = progs.get(arch)!;
    for (let i = 0; i < 2; i++) {
      runTouch(prog, 2048, true, (m) => {
        for (const f of TRACE_FORMATS) formatTrace(m.tracer.events, f);
      });
    }
    const { ns: off, cpu: offCpu } = offs.get(arch)!;
    let collect = Infinity;
    let collectCpu = Infinity;
    let events = 0;
    const fmt = new Map<TraceFormat, { ns: number; cpu: number; bytes: number; lines: number }>();
    for (let i = 0; i < REPEAT; i++) {
      const r = runTouch(prog, PAGES, true, (m) => {
        events = m.tracer.events.length;
        for (const f of TRACE_FORMATS) {
          const c0 = process.cpuUsage();
          const t0 = process.hrtime.bigint();
          const text = formatTrace(m.tracer.events, f);
          const ns = Number(process.hrtime.bigint() - t0);
          const c1 = process.cpuUsage(c0);
          const cpu = (c1.user + c1.system) * 1000;
          const prev = fmt.get(f);
          let lines = 0;
          for (let j = text.indexOf('\n'); j >= 0; j = text.indexOf('\n', j + 1)) lines++;
          fmt.set(f, {
            ns: Math.min(ns, prev?.ns ?? Infinity),
            cpu: Math.min(cpu, prev?.cpu ?? Infinity),
            bytes: Buffer.byteLength(text),
            lines,
          });
        }
      });
      collect = Math.min(collect, r.ns);
      collectCpu = Math.min(collectCpu, r.cpu_ns);
    }
    const row = (mode: Mode, loop: number, format: number, cpu: number, bytes: number, lines: number): Row => ({
      arch,
      mode,
      loop_ns: loop,
      format_ns: format,
      cpu_ns: cpu,
      cpu_ns_per_fault: round(cpu / PAGES, 1),
      cpu_vs_off: round(cpu / offCpu),
      faults_per_s: Math.round((PAGES * 1e9) / (loop + format)),
      ns_per_fault: round((loop + format) / PAGES, 1),
      vs_off: round((loop + format) / off),
      events,
      output_bytes: bytes,
      output_lines: lines,
      format_ns_per_event: round(format / events, 1),
    });
    rows.push(row('off', off, 0, offCpu, 0, 0), row('collect', collect, 0, collectCpu, 0, 0));
    for (const f of TRACE_FORMATS) {
      const x = fmt.get(f)!;
      rows.push(row(f, collect, x.ns, collectCpu + x.cpu, x.bytes, x.lines));
    }
    process.stderr.write(`  ${arch}: done\n`);
  }
  const table = formatTable(rows);
  console.log(table);
  const seconds = round((Date.now() - started) / 1000, 1);
  const out = {
    benchmark: 'tracing',
    workload: `touch.S ${PAGES} pages: ${PAGES} minor anonymous faults, kernel 6.1, machine bare, memcg /bench (best of ${REPEAT})`,
    modes: {
      off: 'trace: false',
      collect: 'trace: true, events collected, not formatted',
      function_graph: 'collect + formatTrace(events, "function_graph") of the whole run',
      jsonl: 'collect + formatTrace(events, "jsonl")',
      perfetto: 'collect + formatTrace(events, "perfetto")',
      dmesg: 'collect + formatTrace(events, "dmesg") (printk records only)',
    },
    node: process.version,
    host: `${process.platform}-${process.arch}`,
    malloc: mallocPolicy(),
    cpus: cpus().length,
    loadavg_1min: { start: round(loadStart), end: round(loadavg()[0]!) },
    results: rows,
    seconds,
  };
  const file = join(HERE, 'results', 'tracing.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  console.log(
    `load average ${out.loadavg_1min.start} → ${out.loadavg_1min.end} on ${out.cpus} CPUs${out.loadavg_1min.start > out.cpus + 1 ? ' (machine busy: compare the cpu columns)' : ''}`,
  );
  console.log(`wrote ${file} (${seconds} s)`);
}

const formatted = (r: Row) => r.mode !== 'off' && r.mode !== 'collect';

function formatTable(rows: Row[]): string {
  const head = [
    'arch',
    'mode',
    'faults/s',
    'ns/fault',
    'vs off',
    'cpu ns/fault',
    'cpu vs off',
    'format ms',
    'ns/event',
    'output',
  ];
  const size = (b: number) =>
    b < 1024 ? `${b} B` : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`;
  const lines = rows.map((r) => [
    r.arch,
    r.mode,
    r.faults_per_s.toLocaleString('en-US'),
    r.ns_per_fault.toFixed(0),
    r.vs_off.toFixed(2),
    r.cpu_ns_per_fault.toFixed(0),
    r.cpu_vs_off.toFixed(2),
    formatted(r) ? (r.format_ns / 1e6).toFixed(1) : '-',
    formatted(r) ? r.format_ns_per_event.toFixed(0) : '-',
    formatted(r) ? `${size(r.output_bytes)}, ${r.output_lines.toLocaleString('en-US')} lines` : '-',
  ]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  const left = (i: number) => i < 2 || i === 9;
  const fmt = (l: string[]) =>
    '| ' + l.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  return [
    fmt(head),
    '|' + widths.map((w, i) => (left(i) ? ':' : '-') + '-'.repeat(w) + (left(i) ? '-' : ':')).join('|') + '|',
    ...lines.map(fmt),
  ].join('\n');
}

await main();
