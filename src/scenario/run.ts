/**
 * Runs a scenario on a fresh Machine and collects the result every output format and the
 * expectation checker read: per-process outcome, cgroup counters, the kernel log, the trace.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble } from '../asm/assemble.js';
import { Machine } from '../machine/machine.js';
import type { RunEnd } from '../machine/system.js';
import type { Task } from '../include/linux/sched.js';
import { trueMmCounter } from '../mm/memory.js';
import { Printk } from '../kernel/printk/printk.js';
import { parseKilledLine } from '../explain/oom-report.js';
import { scenarioSchema, sizeBytes, type Scenario, type ScenarioInput } from './schema.js';
import { MEMCG_EVENTS } from '../include/linux/memcontrol.js';
import { printk } from '../kernel/printk/printk.js';
import { cgroup_mkdir } from '../kernel/cgroup/cgroup.js';
import { filename_lookup } from '../fs/namei.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ProcessResult {
  id: string;
  pid: number | null;
  comm: string;
  /** 'signal' | 'exit' | 'running' | 'not-started' */
  outcome:
    | { kind: 'signal'; signal: number; name: string }
    | { kind: 'exit'; code: number }
    | { kind: 'running' }
    | { kind: 'not-started' };
  wait_status: number | null;
  oom_killed: boolean;
  runner_terminated?: boolean;
  minflt: number;
  majflt: number;
  rss_anon_kb: number;
  rss_file_kb: number;
  rss_shmem_kb: number;
  stdout: string;
}

export interface CgroupResult {
  'memory.current': number;
  'memory.peak': number;
  'memory.max': number | 'max';
  'memory.events': Record<string, number>;
  'memory.events.local': Record<string, number>;
}

export interface RunResult {
  name: string;
  arch: string;
  kernel: string;
  end: RunEnd;
  simulated_ns: number;
  instructions: number;
  processes: ProcessResult[];
  cgroups: Record<string, CgroupResult>;
  dmesg: string[];
  /** every write of every guest task to fd 1/2, in order */
  output: { pid: number; fd: number; text: string }[];
  machine: Machine;
}

const SIGNAMES: Record<number, string> = {
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  15: 'SIGTERM',
};

/** Finds a program: a guest-program name, a .S/.s file (assembled in-process) or an ELF file. */
export async function loadProgram(
  program: string,
  arch: string,
  baseDir: string,
): Promise<{ path: string; bytes: Uint8Array }> {
  const candidates = [
    resolve(baseDir, program),
    resolve(program),
    join(REPO_ROOT, 'guest-programs', arch, `${program}.S`),
    join(REPO_ROOT, 'guest-programs', arch, program),
  ];
  const found = candidates.find((c) => existsSync(c) && !c.endsWith('/'));
  if (!found)
    throw new Error(
      `program '${program}' not found (looked for a guest program guest-programs/${arch}/${program}.S, or a file)`,
    );
  const bytes = readFileSync(found);
  if (/\.(S|s|asm)$/.test(found)) {
    const r = await assemble(arch as 'aarch64' | 'x86_64', bytes.toString('utf8'), found);
    const name = found
      .split('/')
      .pop()!
      .replace(/\.(S|s|asm)$/, '');
    return { path: `/prog/${name}`, bytes: r.elf };
  }
  return { path: `/prog/${found.split('/').pop()}`, bytes };
}

export interface RunOptions {
  trace?: boolean;
  traceLimit?: number;
  baseDir?: string;
  budget?: number;
  /** replaces program resolution (the oracle runner passes its own binaries) */
  programs?: Map<string, { path: string; bytes: Uint8Array }>;
  onProgress?: (m: Machine) => void;
}

type Program = { path: string; bytes: Uint8Array };
type ScenarioProcess = Scenario['processes'][number];
type ScenarioAction = Scenario['actions'][number];

/** A fresh machine with the scenario's machine settings. */
function newMachine(s: Scenario, o: RunOptions): Machine {
  return new Machine({
    arch: s.machine.arch,
    kernel: s.machine.kernel,
    memBytes: sizeBytes(s.machine.mem) ?? 128 * 1024 * 1024,
    swapBytes: sizeBytes(s.machine.swap) ?? 0,
    sysctls: s.machine.sysctls,
    trace: o.trace ?? false,
    ...(o.traceLimit !== undefined ? { traceLimit: o.traceLimit } : {}),
    budget: o.budget ?? s.machine.budget ?? 2_000_000_000,
    seed: s.machine.seed ?? 1,
    rootfs: s.machine.rootfs,
    machine: s.machine.machine ?? 'qemu-virt',
    oomNotifiers: s.machine.oom_notifiers ?? [],
  });
}

/** Creates a cgroup and writes its files through the model's /sys/fs/cgroup, as a shell would. */
function setupCgroup(m: Machine, cg: Scenario['cgroups'][number]): void {
  const memcg = cgroup_mkdir(m.k, cg.path);
  // "+memory" in this cgroup's cgroup.subtree_control (the oracle runner enables it on every parent)
  if (cg['cgroup.subtree_control'])
    for (const w of cg['cgroup.subtree_control'].split(/\s+/)) if (w === '+memory') memcg.subtreeControl.add('memory');
  const w = (file: string, v: string | number | undefined) => {
    if (v === undefined) return;
    const vf = filename_lookup(m.sys.vfs, `/sys/fs/cgroup${memcg.path}/${file}`, null);
    const r = vf?.write?.(String(v));
    if (r === undefined || r < 0)
      throw new Error(`cgroup ${cg.path}: cannot set ${file}=${v} (errno ${r === undefined ? 'ENOENT' : -r})`);
  };
  w('memory.max', cg['memory.max']);
  w('memory.high', cg['memory.high']);
  w('memory.low', cg['memory.low']);
  w('memory.min', cg['memory.min']);
  w('memory.swap.max', cg['memory.swap.max']);
  w('memory.oom.group', cg['memory.oom.group']);
  w('memory.priority', cg['memory.priority']);
  w('memory.use_priority_oom', cg['memory.use_priority_oom']);
  if (cg['memory.oom_control']) w('memory.oom_control', cg['memory.oom_control'].oom_kill_disable);
}

/**
 * Starts the scenario's processes and runs its actions when their conditions hold (immediately,
 * at a time, after another process sleeps or exits), and ends the run like the oracle runner:
 * once every waited process has ended, nothing more starts and the rest get SIGTERM.
 */
class ScenarioDriver {
  readonly tasks = new Map<string, Task>();
  private readonly pending: ScenarioProcess[];
  private readonly pendingActions: ScenarioAction[];
  /** Set once every waited process has ended: nothing starts after that, the rest get SIGTERM. */
  private terminated = false;

  constructor(
    private readonly m: Machine,
    private readonly s: Scenario,
    private readonly programs: Map<string, Program>,
  ) {
    this.pending = [...s.processes];
    this.pendingActions = s.actions.filter((a) => a.after_ready !== undefined);
  }

  /** Arms the timed starts and actions, starts what can start, and hooks into the scheduler. */
  install(onProgress?: (m: Machine) => void): void {
    const { m, s, pending } = this;
    for (const a of s.actions)
      if (a.at_ms !== undefined) m.sys.addTimer(a.at_ms * 1e6, 'scenario action', () => this.doAction(a));
    for (const p of [...pending]) {
      if (typeof p.start === 'object' && 'at_ms' in p.start) {
        pending.splice(pending.indexOf(p), 1);
        m.sys.addTimer(p.start.at_ms * 1e6, `start ${p.id}`, () => {
          if (!this.terminated) this.startProc(p);
        });
      }
    }
    this.startReady();
    m.sys.pendingWork = () =>
      pending.length > 0 &&
      pending.some((p) =>
        typeof p.start === 'object' && 'after_ready' in p.start ? !this.exited(p.start.after_ready) : true,
      );
    m.sys.onProgress = () => {
      this.startReady();
      this.terminateWhenDone();
      onProgress?.(m);
    };
  }

  private startProc(p: ScenarioProcess): void {
    const prog = this.programs.get(p.program)!;
    const t = this.m.spawn({
      path: prog.path,
      argv: [prog.path, ...p.args.map(String)],
      cgroup: p.cgroup,
      oomScoreAdj: p.oom_score_adj,
      label: p.id,
      uid: p.uid,
    });
    this.tasks.set(p.id, t);
  }

  /** The process sleeps in nanosleep: it has set up what it holds. */
  private ready(id: string): boolean {
    const t = this.tasks.get(id);
    return !!t && t.state === 'S' && t.wake?.waitq === 'hrtimer_nanosleep';
  }

  private exited(id: string): boolean {
    const t = this.tasks.get(id);
    return !!t && (t.state === 'Z' || t.state === 'X');
  }

  private doAction(a: ScenarioAction): void {
    const m = this.m;
    if (a.write) {
      const vf = filename_lookup(m.sys.vfs, a.write.file, null);
      const r = vf?.write?.(String(a.write.value));
      printk(
        m.k,
        6,
        `faultpath: scenario action: echo ${a.write.value} > ${a.write.file}${r === undefined || r < 0 ? ` failed (${r === undefined ? 'no such file' : `errno ${-r}`})` : ''}`,
      );
    } else if (a.signal) {
      const t = this.tasks.get(a.signal.process);
      if (t) m.sys.procs.sendSignal(t, a.signal.sig);
    } else if (a.sysrq) {
      m.sysrqF();
    }
  }

  /** Starts the processes and runs the after_ready actions whose condition now holds. */
  private startReady(): void {
    const { pending, pendingActions } = this;
    for (let i = 0; i < pending.length; ) {
      const p = pending[i]!;
      const st = p.start;
      const go =
        st === 'immediate' ||
        ('after_ready' in st && this.ready(st.after_ready)) ||
        ('after_exit' in st && this.exited(st.after_exit));
      if (go) {
        pending.splice(i, 1);
        this.startProc(p);
      } else i++;
    }
    for (let i = 0; i < pendingActions.length; ) {
      const a = pendingActions[i]!;
      if (this.ready(a.after_ready!)) {
        pendingActions.splice(i, 1);
        this.doAction(a);
      } else i++;
    }
  }

  private terminateWhenDone(): void {
    if (this.terminated || !this.s.processes.filter((p) => p.wait).every((p) => this.exited(p.id))) return;
    this.terminated = true;
    this.pending.length = 0;
    for (const [id, t] of this.tasks) {
      if (!this.exited(id)) this.m.sys.procs.sendSignal(t, 15);
    }
  }
}

export async function runScenario(input: Scenario | ScenarioInput, o: RunOptions = {}): Promise<RunResult> {
  // Fills in defaults (and validates objects built in code, which did not come from YAML).
  const s: Scenario = scenarioSchema.parse(input);
  const arch = s.machine.arch;
  const programs = o.programs ?? new Map<string, Program>();
  for (const p of s.processes)
    if (!programs.has(p.program))
      programs.set(p.program, await loadProgram(p.program, arch, o.baseDir ?? process.cwd()));
  const m = newMachine(s, o);
  for (const p of programs.values()) m.addProgram(p.path, p.bytes);
  for (const cg of s.cgroups) setupCgroup(m, cg);
  const driver = new ScenarioDriver(m, s, programs);
  driver.install(o.onProgress);
  // Background holders (after_ready waiters) keep running until the others finish; then end.
  const end = m.run();
  return collect(s, m, driver.tasks, end);
}

function collect(s: Scenario, m: Machine, tasks: Map<string, Task>, end: RunEnd): RunResult {
  const k = m.k;
  const oomKilled = new Set<number>();
  for (const r of k.printk.records) {
    const killed = parseKilledLine(r.text);
    if (killed) oomKilled.add(killed.pid);
  }
  const processes: ProcessResult[] = s.processes.map((p) => {
    const t = tasks.get(p.id);
    if (!t)
      return {
        id: p.id,
        pid: null,
        comm: '',
        outcome: { kind: 'not-started' },
        wait_status: null,
        oom_killed: false,
        minflt: 0,
        majflt: 0,
        rss_anon_kb: 0,
        rss_file_kb: 0,
        rss_shmem_kb: 0,
        stdout: '',
      };
    const done = t.state === 'Z' || t.state === 'X';
    const outcome: ProcessResult['outcome'] = !done
      ? { kind: 'running' }
      : t.termSignal
        ? { kind: 'signal', signal: t.termSignal, name: SIGNAMES[t.termSignal] ?? `SIG${t.termSignal}` }
        : { kind: 'exit', code: t.exitCode ?? 0 };
    const mm = t.mm;
    return {
      id: p.id,
      pid: t.pid,
      runner_terminated: t.termSignal === 15 && !p.wait,
      comm: t.comm,
      outcome,
      wait_status: t.exitStatus,
      oom_killed: oomKilled.has(t.pid),
      minflt: t.minFlt,
      majflt: t.majFlt,
      rss_anon_kb: mm ? trueMmCounter(k, mm, 1) * 4 : 0,
      rss_file_kb: mm ? trueMmCounter(k, mm, 0) * 4 : 0,
      rss_shmem_kb: mm ? trueMmCounter(k, mm, 3) * 4 : 0,
      stdout: t.stdout.join(''),
    };
  });
  const cgroups: Record<string, CgroupResult> = {};
  for (const cg of k.memcg.all()) {
    if (cg.isRoot) continue;
    const ev = (src: Record<string, number>) =>
      Object.fromEntries(
        MEMCG_EVENTS.filter((e) => k.profile.hasOomGroupKill || e !== 'oom_group_kill').map((e) => [e, src[e]!]),
      );
    cgroups[cg.path] = {
      'memory.current': cg.memory.usage * 4096,
      'memory.peak': cg.memory.watermark * 4096,
      'memory.max': cg.memory.max === null ? 'max' : cg.memory.max * 4096,
      'memory.events': ev(cg.events),
      'memory.events.local': ev(cg.eventsLocal),
    };
  }
  return {
    name: s.name ?? 'scenario',
    arch: s.machine.arch,
    kernel: s.machine.kernel,
    end,
    simulated_ns: k.sched.clock,
    instructions: m.sys.totalExecuted,
    processes,
    cgroups,
    dmesg: k.printk.records.map((r) => `${Printk.stamp(r.ts)} ${r.text}`),
    output: m.output_.map((c) => ({ pid: c.pid, fd: c.fd, text: c.text })),
    machine: m,
  };
}
