/** `faultpath run` and `faultpath scenario`: build the scenario, run it, print what was asked. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkExpectations } from '../scenario/expect.js';
import { runScenario, type RunResult } from '../scenario/run.js';
import { parseScenario, type Scenario } from '../scenario/schema.js';
import { applyFilters, formatTrace, summarize, type TraceFormat } from '../trace/index.js';
import type { EventKind } from '../trace/events.js';

export interface RunFlags {
  arch: 'aarch64' | 'x86_64';
  kernel: '6.1' | '4.19' | '3.12';
  mem: string;
  swap: string;
  cgroup?: string;
  memoryMax?: string;
  oomScoreAdj?: number;
  sysctl: string[];
  machine: 'qemu-virt' | 'bare';
  rootfs: 'tmpfs' | 'disk';
  trace?: TraceFormat;
  traceOut?: string;
  summary?: boolean;
  dmesg?: boolean;
  json?: boolean;
  filterFunc: string[];
  filterTask: string[];
  filterKind: string[];
  maxDepth?: number;
  onlyFatal?: boolean;
  budget?: number;
}

function parseSysctls(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of list) {
    const m = /^([a-z0-9_.\-/]+)=(-?\d+)$/i.exec(s);
    if (!m) throw new Error(`invalid --sysctl '${s}' (expected key=integer, e.g. vm.panic_on_oom=1)`);
    out[m[1]!.replace(/\//g, '.')] = Number(m[2]);
  }
  return out;
}

/** Builds the scenario `faultpath run` means. */
export function scenarioFromFlags(prog: string, args: string[], f: RunFlags): Scenario {
  const cg = f.cgroup?.replace(/^\/+/, '');
  return {
    name: `run ${prog}`,
    machine: { arch: f.arch, kernel: f.kernel, mem: f.mem, swap: f.swap, rootfs: f.rootfs, sysctls: parseSysctls(f.sysctl), machine: f.machine, oom_notifiers: [] },
    cgroups: cg ? [{ path: cg, ...(f.memoryMax ? { 'memory.max': f.memoryMax } : {}) }] : [],
    processes: [{ id: 'main', program: prog, args, ...(cg ? { cgroup: cg } : {}), ...(f.oomScoreAdj !== undefined ? { oom_score_adj: f.oomScoreAdj } : {}), start: 'immediate', wait: true }],
    actions: [],
  };
}

export function endCode(r: RunResult): number {
  switch (r.end.kind) {
    case 'exited':
      return 0;
    case 'panic':
      return 3;
    default:
      return 4;
  }
}

export function describeEnd(r: RunResult): string {
  const e = r.end;
  switch (e.kind) {
    case 'exited':
      return 'all processes exited';
    case 'panic':
      return `the kernel panicked: ${e.text}`;
    case 'budget':
      return `instruction budget exhausted after ${e.executed} instructions (raise --budget)`;
    case 'deadlock':
      return `every task is blocked: ${e.blocked.map((b) => `${b.comm}[${b.pid}] on ${b.waitq}`).join(', ')}`;
    case 'livelock':
      return `livelock: ${e.comm}[${e.pid}] faults at ${e.address} again and again without progress (the kernel would loop forever)`;
  }
}

function tracing(f: RunFlags): boolean {
  return !!(f.trace || f.summary);
}

/** Prints the requested views; returns the formatted trace text (for expectations). */
export function emitOutputs(r: RunResult, f: RunFlags): string {
  const events = r.machine.tracer.events;
  let traceText = '';
  if (f.trace) {
    const filtered = applyFilters(events, {
      ...(f.filterFunc.length ? { functions: f.filterFunc } : {}),
      ...(f.filterTask.length ? { tasks: f.filterTask.map((t) => (/^\d+$/.test(t) ? Number(t) : t)) } : {}),
      ...(f.filterKind.length ? { kinds: f.filterKind as EventKind[] } : {}),
      ...(f.maxDepth !== undefined ? { maxDepth: f.maxDepth } : {}),
      ...(f.onlyFatal ? { onlyFatal: true } : {}),
    });
    traceText = formatTrace(filtered, f.trace);
    if (f.traceOut) writeFileSync(f.traceOut, traceText);
    else process.stdout.write(traceText.endsWith('\n') ? traceText : traceText + '\n');
  }
  if (f.summary) process.stdout.write(summarize(events) + '\n');
  if (f.dmesg) process.stdout.write(r.dmesg.join('\n') + (r.dmesg.length ? '\n' : ''));
  if (f.json) process.stdout.write(JSON.stringify(resultJson(r), null, 2) + '\n');
  if (!f.trace && !f.summary && !f.dmesg && !f.json) {
    for (const p of r.processes) {
      if (p.stdout) process.stdout.write(p.stdout);
      const o = p.outcome;
      const what = o.kind === 'signal' ? `killed by ${o.name}${p.oom_killed ? ' (OOM killer)' : ''}` : o.kind === 'exit' ? `exited with status ${o.code}` : o.kind;
      process.stderr.write(`faultpath: ${p.comm || p.id}[${p.pid ?? '-'}] ${what}; minflt ${p.minflt}, majflt ${p.majflt}\n`);
    }
  }
  if (r.end.kind !== 'exited') process.stderr.write(`faultpath: ${describeEnd(r)}\n`);
  return traceText || (events.length ? formatTrace(events, 'jsonl') : '');
}

export function resultJson(r: RunResult): object {
  return {
    name: r.name,
    arch: r.arch,
    kernel: r.kernel,
    end: r.end,
    simulated_ns: r.simulated_ns,
    instructions: r.instructions,
    processes: r.processes,
    cgroups: r.cgroups,
    dmesg: r.dmesg,
  };
}

export async function runCommand(prog: string, args: string[], f: RunFlags): Promise<number> {
  const s = scenarioFromFlags(prog, args, f);
  const r = await runScenario(s, { trace: tracing(f), ...(f.budget ? { budget: f.budget } : {}) });
  emitOutputs(r, f);
  r.machine.close();
  return endCode(r);
}

export async function scenarioCommand(file: string, f: RunFlags & { check?: boolean }): Promise<number> {
  const s = parseScenario(readFileSync(file, 'utf8'), file);
  const wantTrace = tracing(f) || !!s.expect?.trace_contains?.length;
  const r = await runScenario(s, { trace: wantTrace, baseDir: dirname(file), ...(f.budget ? { budget: f.budget } : {}) });
  const traceText = emitOutputs(r, f);
  r.machine.close();
  if (f.check) {
    const fails = checkExpectations(s, r, traceText || formatTrace(r.machine.tracer.events, 'function_graph'));
    for (const x of fails) process.stderr.write(`FAIL ${x}\n`);
    if (fails.length) return 1;
    process.stderr.write(`faultpath: ${file}: all expectations met\n`);
  }
  return s.expect?.panic ? 0 : endCode(r);
}
