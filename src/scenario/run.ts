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
import { scenarioSchema, sizeBytes, type Scenario, type ScenarioInput } from './schema.js';
import { MEMCG_EVENTS } from '../include/linux/memcontrol.js';
import { printk } from '../kernel/printk/printk.js';

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

export async function runScenario(input: Scenario | ScenarioInput, o: RunOptions = {}): Promise<RunResult> {
  // Fills in defaults (and validates objects built in code, which did not come from YAML).
  const s: Scenario = scenarioSchema.parse(input);
  const arch = s.machine.arch;
  const programs = o.programs ?? new Map<string, { path: string; bytes: Uint8Array }>();
  for (const p of s.processes)
    if (!programs.has(p.program))
      programs.set(p.program, await loadProgram(p.program, arch, o.baseDir ?? process.cwd()));
  const m = new Machine({
    arch,
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
  for (const p of programs.values()) m.addProgram(p.path, p.bytes);
  for (const cg of s.cgroups) {
    const memcg = m.k.memcg.create(cg.path);
    // "+memory" in this cgroup's cgroup.subtree_control (the oracle runner enables it on every parent)
    if (cg['cgroup.subtree_control'])
      for (const w of cg['cgroup.subtree_control'].split(/\s+/))
        if (w === '+memory') memcg.subtreeControl.add('memory');
    const w = (file: string, v: string | number | undefined) => {
      if (v === undefined) return;
      const vf = m.sys.vfs.lookup(`/sys/fs/cgroup${memcg.path}/${file}`, null);
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
  const tasks = new Map<string, Task>();
  const startProc = (p: Scenario['processes'][number]) => {
    const prog = programs.get(p.program)!;
    const t = m.spawn({
      path: prog.path,
      argv: [prog.path, ...p.args.map(String)],
      cgroup: p.cgroup,
      oomScoreAdj: p.oom_score_adj,
      label: p.id,
      uid: p.uid,
    });
    tasks.set(p.id, t);
  };
  const ready = (id: string) => {
    const t = tasks.get(id);
    return !!t && t.state === 'S' && t.wake?.waitq === 'hrtimer_nanosleep';
  };
  const exited = (id: string) => {
    const t = tasks.get(id);
    return !!t && (t.state === 'Z' || t.state === 'X');
  };
  const pending = [...s.processes];
  const pendingActions = s.actions.filter((a) => a.after_ready !== undefined);
  const doAction = (a: Scenario['actions'][number]) => {
    if (a.write) {
      const vf = m.sys.vfs.lookup(a.write.file, null);
      const r = vf?.write?.(String(a.write.value));
      printk(
        m.k,
        6,
        `faultpath: scenario action: echo ${a.write.value} > ${a.write.file}${r === undefined || r < 0 ? ` failed (${r === undefined ? 'no such file' : `errno ${-r}`})` : ''}`,
      );
    } else if (a.signal) {
      const t = tasks.get(a.signal.process);
      if (t) m.sys.procs.sendSignal(t, a.signal.sig);
    } else if (a.sysrq) {
      m.sysrqF();
    }
  };
  for (const a of s.actions)
    if (a.at_ms !== undefined) m.sys.addTimer(a.at_ms * 1e6, 'scenario action', () => doAction(a));
  const startReady = () => {
    for (let i = 0; i < pending.length; ) {
      const p = pending[i]!;
      const st = p.start;
      const go =
        st === 'immediate' ||
        ('after_ready' in st && ready(st.after_ready)) ||
        ('after_exit' in st && exited(st.after_exit));
      if (go) {
        pending.splice(i, 1);
        startProc(p);
      } else i++;
    }
    for (let i = 0; i < pendingActions.length; ) {
      const a = pendingActions[i]!;
      if (ready(a.after_ready!)) {
        pendingActions.splice(i, 1);
        doAction(a);
      } else i++;
    }
  };
  // Set once every waited process has ended: nothing starts after that, the rest get SIGTERM.
  let terminated = false;
  for (const p of [...pending]) {
    if (typeof p.start === 'object' && 'at_ms' in p.start) {
      pending.splice(pending.indexOf(p), 1);
      m.sys.addTimer(p.start.at_ms * 1e6, `start ${p.id}`, () => {
        if (!terminated) startProc(p);
      });
    }
  }
  startReady();
  m.sys.pendingWork = () =>
    pending.length > 0 &&
    pending.some((p) =>
      typeof p.start === 'object' && 'after_ready' in p.start ? !exited(p.start.after_ready) : true,
    );
  m.sys.onProgress = () => {
    startReady();
    if (!terminated && s.processes.filter((p) => p.wait).every((p) => exited(p.id))) {
      terminated = true;
      pending.length = 0;
      for (const [id, t] of tasks) {
        if (!exited(id)) m.sys.procs.sendSignal(t, 15);
      }
    }
    o.onProgress?.(m);
  };
  // Background holders (after_ready waiters) keep running until the others finish; then end.
  const end = m.run();
  return collect(s, m, tasks, end);
}

function collect(s: Scenario, m: Machine, tasks: Map<string, Task>, end: RunEnd): RunResult {
  const k = m.k;
  const oomKilled = new Set<number>();
  for (const r of k.printk.records) {
    const mm = /Killed process (\d+) \(/.exec(r.text);
    if (mm) oomKilled.add(Number(mm[1]));
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
