/**
 * Helpers for the end-to-end tests: run guest programs and scenarios in-process (runScenario),
 * sample /proc and cgroup files while the guest runs, read the trace.
 *
 * Programs are assembled once per (arch, name) and handed to runScenario through its `programs`
 * option, so a test pays only for the run.
 */
import { join } from 'node:path';
import { trueMmCounter } from '../../src/mm/memory.js';
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES } from '../../src/include/linux/mm_types.js';
import type { Machine } from '../../src/machine/machine.js';
import { runScenario, type RunResult } from '../../src/scenario/run.js';
import { parseScenario, type Scenario } from '../../src/scenario/schema.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { cgRead, fileText, guestProgram, withoutStamp, type Arch, type Program as Prog } from '../helpers/guest.js';
import { REPO_ROOT } from '../helpers/oracle.js';

export { ARCHES, cgRead, type Arch } from '../helpers/guest.js';

export const PROGRAMS_DIR = join(REPO_ROOT, 'guest-programs');
export const SCENARIOS_DIR = join(PROGRAMS_DIR, 'scenarios');

/** A guest program of guest-programs/<arch>/, assembled once. */
export function program(arch: Arch, name: string): Promise<Prog> {
  return guestProgram(arch, name, REPO_ROOT);
}

/** Scenario fields with defaults (the schema fills in the rest). */
export interface Spec {
  arch: Arch;
  kernel?: '6.1' | '4.19' | '3.12';
  mem?: string;
  sysctls?: Record<string, number>;
  cgroups?: Record<string, unknown>[];
  processes: Record<string, unknown>[];
  actions?: Record<string, unknown>[];
}

export function scenarioOf(spec: Spec): Scenario {
  const { arch, kernel, mem, sysctls, ...rest } = spec;
  return parseScenario(
    JSON.stringify({
      machine: { arch, ...(kernel ? { kernel } : {}), ...(mem ? { mem } : {}), ...(sysctls ? { sysctls } : {}) },
      ...rest,
    }),
    'e2e',
  );
}

export interface Run extends Omit<RunResult, 'machine'> {
  /** trace events (empty unless trace was on) */
  events: TraceEvent[];
  /** every write to fd 1/2 of every task, forked children included */
  output: { pid: number; fd: number; text: string }[];
}

/** Runs a scenario in-process (programs pre-assembled); the engines are closed before returning. */
export async function runSpec(
  s: Scenario,
  o: { trace?: boolean; onProgress?: (m: Machine) => void; programs?: Map<string, Prog> } = {},
): Promise<Run> {
  const programs = o.programs ?? new Map<string, Prog>();
  for (const p of s.processes)
    if (!programs.has(p.program)) programs.set(p.program, await program(s.machine.arch, p.program));
  const r = await runScenario(s, {
    trace: o.trace ?? false,
    programs,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  try {
    const { machine, ...rest } = r;
    return { ...rest, events: machine.tracer.events, output: [...machine.output_] };
  } finally {
    r.machine.close();
  }
}

/** One program, one process `p`, with exception-trace on (arm64's default is 0). */
export function runOne(
  arch: Arch,
  prog: string,
  args: (string | number)[] = [],
  o: { trace?: boolean; cgroup?: Record<string, unknown>; onProgress?: (m: Machine) => void } = {},
): Promise<Run> {
  const s = scenarioOf({
    arch,
    sysctls: { 'debug.exception-trace': 1 },
    cgroups: [{ path: 't', ...(o.cgroup ?? {}) }],
    processes: [{ id: 'p', program: prog, args, cgroup: 't' }],
  });
  return runSpec(s, o);
}

export function proc(r: Run, id: string): Run['processes'][number] {
  const p = r.processes.find((x) => x.id === id);
  if (!p) throw new Error(`no process ${id}`);
  return p;
}

/** The kernel log without the printk timestamps. */
export function log(r: Pick<Run, 'dmesg'>): string[] {
  return r.dmesg.map(withoutStamp);
}

// ------------------------------------------------------------------------------------------------
// Sampling while the guest runs
// ------------------------------------------------------------------------------------------------

/**
 * /proc/<pid>/status memory lines in kB (VmRSS, RssAnon, VmStk, ...), with the Rss* values taken
 * from the page tables' true counts: 6.1 prints the synced mm counters (get_mm_counter), which
 * lag the faulting thread's cached ones by up to 64 pages (SPLIT_RSS_COUNTING), and these tests
 * check what the program mapped, not that lag.
 */
export function procStatus(m: Machine, pid: number): Record<string, number> {
  const text = fileText(m, `/proc/${pid}/status`) ?? '';
  const out: Record<string, number> = {};
  for (const mm of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[mm[1]!] = Number(mm[2]);
  const mm = m.k.sched.tasks.get(pid)?.mm;
  if (mm) {
    out.RssAnon = trueMmCounter(m.k, mm, MM_ANONPAGES) * 4;
    out.RssFile = trueMmCounter(m.k, mm, MM_FILEPAGES) * 4;
    out.RssShmem = trueMmCounter(m.k, mm, MM_SHMEMPAGES) * 4;
    out.VmRSS = out.RssAnon + out.RssFile + out.RssShmem;
  }
  return out;
}

/** memory.stat of a cgroup as numbers. */
export function memoryStat(m: Machine, cg: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of cgRead(m, cg, 'memory.stat').split('\n')) {
    const mm = /^(\S+) (\d+)$/.exec(l);
    if (mm) out[mm[1]!] = Number(mm[2]);
  }
  return out;
}

export interface Sample {
  status: Record<string, number>;
  current: number;
  stat: Record<string, number>;
  pid: number;
}

/**
 * Samples process `id` (and its cgroup `cg`) whenever it has just completed a line of output:
 * the returned map is keyed by that line ('' = before it ran).  The scheduler calls onProgress
 * after every system call, so a sample keyed by a marker line shows the state right after the
 * program printed it.
 */
export function lineSampler(
  id: string,
  cg: string,
): { samples: Map<string, Sample>; onProgress: (m: Machine) => void } {
  const samples = new Map<string, Sample>();
  let seen = -1;
  const onProgress = (m: Machine) => {
    const t = [...m.k.sched.tasks.values()].find((x) => x.label === id);
    if (!t?.mm) return;
    const out = t.stdout.join('');
    if (out.length === seen) return;
    if (seen !== -1 && !out.endsWith('\n')) return;
    seen = out.length;
    const key = out === '' ? '' : out.slice(0, -1).split('\n').pop()!;
    samples.set(key, {
      status: procStatus(m, t.pid),
      current: Number(cgRead(m, cg, 'memory.current')),
      stat: memoryStat(m, cg),
      pid: t.pid,
    });
  };
  return { samples, onProgress };
}

/** Samples every task sleeping in nanosleep once ("ready"): pid → /proc/<pid>/status. */
export function readySampler(): { ready: Map<number, Record<string, number>>; onProgress: (m: Machine) => void } {
  const ready = new Map<number, Record<string, number>>();
  const onProgress = (m: Machine) => {
    for (const t of m.k.sched.tasks.values()) {
      if (t.pid < 100 || !t.mm || ready.has(t.pid)) continue;
      if (t.state === 'S' && t.wake?.waitq === 'hrtimer_nanosleep') ready.set(t.pid, procStatus(m, t.pid));
    }
  };
  return { ready, onProgress };
}

// ------------------------------------------------------------------------------------------------
// Trace helpers
// ------------------------------------------------------------------------------------------------

/** The modeled functions open (outermost first) when the first event matching `pred` happened. */
export function stackAt(events: readonly TraceEvent[], pred: (e: TraceEvent) => boolean): string[] | null {
  const stack: string[] = [];
  for (const e of events) {
    if (pred(e)) return [...stack, ...(e.kind === 'enter' ? [e.fn] : [])];
    if (e.kind === 'enter') stack.push(e.fn);
    else if (e.kind === 'exit') stack.pop();
  }
  return null;
}

/** true if `needles` occur in `hay` in this order (not necessarily adjacent). */
export function isSubsequence(needles: readonly string[], hay: readonly string[]): boolean {
  let i = 0;
  for (const h of hay) if (h === needles[i]) i++;
  return i === needles.length;
}

/** The pid's first mmap() return value (the syscall trace event). */
export function firstMmap(events: readonly TraceEvent[], pid: number): number {
  for (const e of events) if (e.kind === 'syscall' && e.pid === pid && e.name === 'mmap') return Number(e.ret);
  throw new Error(`pid ${pid} made no mmap call`);
}

export const hexAddr = (s: string): number => Number.parseInt(s.replace(/^0x/, ''), 16);
