/** `faultpath run` and `faultpath scenario`: build the scenario, run it, print what was asked. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkExpectations } from '../scenario/expect.js';
import { runScenario, type RunOptions, type RunResult } from '../scenario/run.js';
import { parseScenario, type Scenario } from '../scenario/schema.js';
import { applyFilters, formatTrace, summarize, type TraceFilters, type TraceFormat } from '../trace/index.js';
import type { EventKind, TraceEvent } from '../trace/events.js';
import type { Machine } from '../machine/machine.js';

/** Bad usage the user can fix (flags, files): main() prints it and exits 2. */
export class UsageError extends Error {}

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
  traceLimit?: number;
}

function parseSysctls(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of list) {
    const m = /^([a-z0-9_.\-/]+)=(-?\d+)$/i.exec(s);
    if (!m) throw new UsageError(`invalid --sysctl '${s}' (expected key=integer, e.g. vm.panic_on_oom=1)`);
    out[m[1]!.replace(/\//g, '.')] = Number(m[2]);
  }
  return out;
}

/** Builds the scenario `faultpath run` means. */
export function scenarioFromFlags(prog: string, args: string[], f: RunFlags): Scenario {
  const cg = f.cgroup?.replace(/^\/+/, '');
  return {
    name: `run ${prog}`,
    machine: {
      arch: f.arch,
      kernel: f.kernel,
      mem: f.mem,
      swap: f.swap,
      rootfs: f.rootfs,
      sysctls: parseSysctls(f.sysctl),
      machine: f.machine,
      oom_notifiers: [],
    },
    cgroups: cg ? [{ path: cg, ...(f.memoryMax ? { 'memory.max': f.memoryMax } : {}) }] : [],
    processes: [
      {
        id: 'main',
        program: prog,
        args,
        ...(cg ? { cgroup: cg } : {}),
        ...(f.oomScoreAdj !== undefined ? { oom_score_adj: f.oomScoreAdj } : {}),
        start: 'immediate',
        wait: true,
      },
    ],
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

/** The --filter-* / --max-depth / --only-fatal flags as TraceFilters; null when none is given. */
function traceFilters(f: RunFlags): TraceFilters | null {
  const t: TraceFilters = {
    ...(f.filterFunc?.length ? { functions: f.filterFunc } : {}),
    ...(f.filterTask?.length ? { tasks: f.filterTask.map((x) => (/^\d+$/.test(x) ? Number(x) : x)) } : {}),
    ...(f.filterKind?.length ? { kinds: f.filterKind as EventKind[] } : {}),
    ...(f.maxDepth !== undefined ? { maxDepth: f.maxDepth } : {}),
    ...(f.onlyFatal ? { onlyFatal: true } : {}),
  };
  return Object.keys(t).length ? t : null;
}

/* ------------------------------------------------------------------------------------------ */
/* progress on long runs (stderr is a terminal only, so piped/redirected output stays exact)  */
/* ------------------------------------------------------------------------------------------ */

export interface ProgressSample {
  instructions: number;
  faults: number;
  simulatedNs: number;
}

/** 999, 1.2K, 12.3M, 4.0G */
export function humanCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

/** `[faultpath] 12.3M instructions, 4096 faults, simulated 0.35s` */
export function formatProgress(p: ProgressSample): string {
  return `[faultpath] ${humanCount(p.instructions)} instructions, ${p.faults} faults, simulated ${(p.simulatedNs / 1e9).toFixed(3)}s`;
}

export function progressSample(m: Machine): ProgressSample {
  return { instructions: m.sys.totalExecuted, faults: m.k.mm.events.pgfault, simulatedNs: m.k.sched.clock };
}

export interface ProgressStream {
  isTTY?: boolean;
  write(s: string): unknown;
}

export interface ProgressReporter {
  /** for runScenario's onProgress option; undefined when progress is off (stream is not a TTY) */
  onProgress?: (m: Machine) => void;
  /** erases the progress line (call before printing anything else) */
  done(): void;
}

/**
 * Every `intervalMs` (default 250) of wall time, rewrites one status line on `stream` with
 * `\r`.  Does nothing at all unless `stream.isTTY`, so output redirected to a file or a pipe is
 * byte-for-byte the same as without progress.  A run shorter than one interval prints nothing.
 */
export function progressReporter(
  stream: ProgressStream = process.stderr,
  opts: { intervalMs?: number; now?: () => number; sample?: (m: Machine) => ProgressSample } = {},
): ProgressReporter {
  if (!stream.isTTY) return { done() {} };
  const interval = opts.intervalMs ?? 250;
  const now = opts.now ?? (() => performance.now());
  const sample = opts.sample ?? progressSample;
  let next = now() + interval;
  let shown = false;
  return {
    onProgress(m: Machine) {
      const t = now();
      if (t < next) return;
      next = t + interval;
      stream.write(`\r${formatProgress(sample(m))}\x1b[K`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * Prints the requested views and returns the formatted trace (empty without --trace).  All the
 * filters apply to --trace; --summary counts whole fault episodes, so only the episode-level
 * ones (--filter-task, --only-fatal) apply to it (a function or kind filter would cut the
 * exception events episodes are found by).  --dmesg and --json always cover the whole run.
 */
export function emitOutputs(r: RunResult, f: RunFlags): string {
  const events: readonly TraceEvent[] = r.machine.tracer.events;
  const filters = traceFilters(f);
  let traceText = '';
  if (f.trace) {
    traceText = formatTrace(filters ? applyFilters(events, filters) : events, f.trace);
    if (f.traceOut) writeFileSync(f.traceOut, traceText);
    else if (traceText) process.stdout.write(traceText.endsWith('\n') ? traceText : traceText + '\n');
  }
  if (f.summary) {
    const episodeFilters: TraceFilters = {
      ...(filters?.tasks ? { tasks: filters.tasks } : {}),
      ...(filters?.onlyFatal ? { onlyFatal: true } : {}),
    };
    process.stdout.write(
      summarize(Object.keys(episodeFilters).length ? applyFilters(events, episodeFilters) : events) + '\n',
    );
  }
  if (f.dmesg) process.stdout.write(r.dmesg.join('\n') + (r.dmesg.length ? '\n' : ''));
  if (f.json) process.stdout.write(JSON.stringify(resultJson(r), null, 2) + '\n');
  if (!f.trace && !f.summary && !f.dmesg && !f.json) {
    // Everything the guests wrote to stdout/stderr, in order — forked children included.
    for (const c of r.machine.output_) (c.fd === 2 ? process.stderr : process.stdout).write(c.text);
    for (const p of r.processes) {
      const o = p.outcome;
      const what =
        o.kind === 'signal'
          ? `killed by ${o.name}${p.oom_killed ? ' (OOM killer)' : ''}`
          : o.kind === 'exit'
            ? `exited with status ${o.code}`
            : o.kind;
      process.stderr.write(
        `faultpath: ${p.comm || p.id}[${p.pid ?? '-'}] ${what}; minflt ${p.minflt}, majflt ${p.majflt}\n`,
      );
    }
  }
  if (r.end.kind !== 'exited') process.stderr.write(`faultpath: ${describeEnd(r)}\n`);
  const dropped = r.machine.tracer.dropped;
  if (dropped && (f.trace || f.summary))
    process.stderr.write(
      `faultpath: warning: the trace is incomplete: ${dropped} events past the ${r.machine.tracer.limit}-event limit were dropped (raise --trace-limit; the --filter-* flags apply after collection)\n`,
    );
  return traceText;
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
    output: r.output,
  };
}

/** The RunOptions both `run` and `scenario` take from their flags. */
function runOptions(f: RunFlags, progress: ReturnType<typeof progressReporter>): RunOptions {
  return {
    ...(f.budget !== undefined ? { budget: f.budget } : {}),
    ...(f.traceLimit !== undefined ? { traceLimit: f.traceLimit } : {}),
    ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
  };
}

export async function runCommand(prog: string, args: string[], f: RunFlags): Promise<number> {
  if (f.memoryMax !== undefined && !f.cgroup)
    throw new UsageError('--memory-max needs --cgroup (the cgroup whose memory.max it sets)');
  const s = scenarioFromFlags(prog, args, f);
  const progress = progressReporter();
  let r: RunResult;
  try {
    r = await runScenario(s, { trace: tracing(f), ...runOptions(f, progress) });
  } finally {
    progress.done();
  }
  try {
    emitOutputs(r, f);
  } finally {
    r.machine.close();
  }
  return endCode(r);
}

export async function scenarioCommand(file: string, f: RunFlags & { check?: boolean }): Promise<number> {
  const s = parseScenario(readFileSync(file, 'utf8'), file);
  const wantTrace = tracing(f) || !!s.expect?.trace_contains?.length;
  const progress = progressReporter();
  let r: RunResult;
  try {
    r = await runScenario(s, { trace: wantTrace, baseDir: dirname(file), ...runOptions(f, progress) });
  } finally {
    progress.done();
  }
  let fails: string[] = [];
  try {
    emitOutputs(r, f);
    // trace_contains is matched against the whole function_graph trace, whatever --trace,
    // --filter-* or --only-fatal select for display: the verdict must not depend on the view.
    if (f.check)
      fails = checkExpectations(
        s,
        r,
        s.expect?.trace_contains?.length ? formatTrace(r.machine.tracer.events, 'function_graph') : '',
      );
  } finally {
    r.machine.close();
  }
  if (f.check) {
    for (const x of fails) process.stderr.write(`FAIL ${x}\n`);
    if (fails.length) return 1;
    process.stderr.write(`faultpath: ${file}: all expectations met\n`);
  }
  // A scenario that expects the panic it got succeeded; any other end keeps its own exit code.
  return s.expect?.panic && r.end.kind === 'panic' ? 0 : endCode(r);
}
