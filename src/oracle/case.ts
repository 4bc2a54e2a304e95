/**
 * Runs a shared/oracle case description with the very binaries the real kernel ran, the way the
 * oracle's init script set the machine up (its sysctls, cgroups, start order), and produces the
 * facts in the oracle's JSON shape.  New cases need no code: everything comes from the JSON.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Scenario } from '../scenario/schema.js';
import { runScenario, type RunResult } from '../scenario/run.js';
import { compareFacts, flatten, parseKernelLog, type FactDiff, type Facts, type OracleResultJson } from './facts.js';

const caseSchema = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    cmdline_extra: z.array(z.string()).optional(),
    timeout_s: z.number().optional(),
    thp: z.string().optional(),
    sysctls: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    cgroups: z.array(z.record(z.string(), z.union([z.string(), z.number()]))).default([]),
    processes: z.array(
      z
        .object({
          id: z.string(),
          prog: z.string(),
          args: z.array(z.union([z.string(), z.number()])).default([]),
          cgroup: z.string().optional(),
          oom_score_adj: z.number().optional(),
          start: z
            .union([z.literal('immediate'), z.object({ after_ready: z.string() }), z.object({ delay_s: z.number() })])
            .optional(),
          wait: z.boolean().optional(),
          timeout_s: z.number().optional(),
        })
        .passthrough(),
    ),
  })
  .passthrough();

export type OracleCase = z.infer<typeof caseSchema>;

/** The sysctls the oracle's init script sets before every case (shared/oracle/README.md). */
export const ORACLE_INIT_SYSCTLS: Record<string, number> = {
  'debug.exception-trace': 1,
  'vm.oom_dump_tasks': 1,
  'vm.panic_on_oom': 0,
  'vm.oom_kill_allocating_task': 0,
  'vm.overcommit_memory': 0,
};

/** QEMU's -m 256M, or the kernel's mem= limit from the case's command line. */
export function machineMemory(c: OracleCase): string {
  for (const a of c.cmdline_extra ?? []) {
    const m = /^mem=(\d+[KMG]?)$/i.exec(a);
    if (m) return m[1]!.toUpperCase();
  }
  return '256M';
}

export function loadCase(path: string): OracleCase {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const r = caseSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${path}: ${i.path.join('.') || '(top level)'}: ${i.message}`);
  }
  return r.data;
}

/** Converts a case into a faultpath scenario for one arch. */
export function caseToScenario(c: OracleCase, arch: 'aarch64' | 'x86_64'): Scenario {
  const sysctls: Record<string, number> = { ...ORACLE_INIT_SYSCTLS };
  for (const [k, v] of Object.entries(c.sysctls ?? {})) sysctls[k] = Number(v);
  return {
    name: c.name,
    description: c.description,
    machine: {
      arch,
      kernel: '6.1',
      mem: machineMemory(c),
      swap: 0,
      rootfs: 'tmpfs',
      sysctls,
      machine: 'qemu-virt',
      oom_notifiers: [],
    },
    cgroups: c.cgroups.map((g) => {
      const out: Record<string, unknown> = { path: String(g.path) };
      // the oracle's init writes "+memory" into every parent's cgroup.subtree_control
      if (c.cgroups.some((o) => String(o.path).startsWith(`${String(g.path)}/`)))
        out['cgroup.subtree_control'] = '+memory';
      for (const key of ['memory.max', 'memory.swap.max', 'memory.high', 'memory.low', 'memory.min'])
        if (g[key] !== undefined) out[key] = String(g[key]);
      if (g['memory.oom.group'] !== undefined) out['memory.oom.group'] = Number(g['memory.oom.group']);
      return out;
    }) as Scenario['cgroups'],
    processes: c.processes.map((p) => ({
      id: p.id,
      program: p.prog,
      args: p.args.map(String),
      ...(p.cgroup ? { cgroup: p.cgroup } : {}),
      ...(p.oom_score_adj !== undefined ? { oom_score_adj: p.oom_score_adj } : {}),
      start:
        !p.start || p.start === 'immediate'
          ? 'immediate'
          : 'after_ready' in p.start
            ? { after_ready: p.start.after_ready }
            : { at_ms: p.start.delay_s * 1000 },
      wait: p.wait ?? true,
    })),
    actions: [],
  };
}

export interface OracleRun {
  facts: OracleResultJson;
  flat: Facts;
  run: RunResult;
}

export async function runOracleCase(
  c: OracleCase,
  arch: 'aarch64' | 'x86_64',
  binDir: string,
  opts: { trace?: boolean } = {},
): Promise<OracleRun> {
  const programs = new Map<string, { path: string; bytes: Uint8Array }>();
  for (const p of c.processes) {
    const file = join(binDir, p.prog);
    if (!existsSync(file)) throw new Error(`binary ${file} not found (case ${c.name} needs '${p.prog}')`);
    programs.set(p.prog, { path: `/prog/${p.prog}`, bytes: readFileSync(file) });
  }
  const run = await runScenario(caseToScenario(c, arch), { programs, trace: opts.trace ?? false });
  const pidToId = new Map<number, string>();
  for (const p of run.processes) if (p.pid !== null) pidToId.set(p.pid, p.id);
  const log = run.machine.k.printk.records.map((r) => r.text);
  const parsed = parseKernelLog(log, pidToId);
  const facts: OracleResultJson = {
    processes: run.processes.map((p) => ({
      // a process the machine never reported on (the kernel panicked) has no outcome
      id: p.id,
      pid: p.pid ?? -1,
      // the runner records the shell's $?: 128+signal, or the exit code
      wait_status:
        p.outcome.kind === 'signal' ? 128 + p.outcome.signal : p.outcome.kind === 'exit' ? p.outcome.code : null,
      outcome:
        p.outcome.kind === 'signal'
          ? { kind: 'signal', signal: p.outcome.signal, name: p.outcome.name }
          : p.outcome.kind === 'exit'
            ? { kind: 'exit', code: p.outcome.code }
            : { kind: run.end.kind === 'panic' ? 'none' : p.outcome.kind },
      runner_terminated: p.runner_terminated ?? false,
    })),
    ...parsed,
    cgroups: Object.fromEntries(Object.entries(run.cgroups).map(([k, v]) => [k, { ...v }])),
  };
  return { facts, flat: flatten(facts), run };
}

/** The facts stability.json lists as varying between three real runs of this case/arch. */
export function varyingFacts(resultFile: string, caseName: string, arch: string): Set<string> {
  const stab = join(dirname(dirname(resultFile)), 'stability.json');
  if (!existsSync(stab)) return new Set();
  const s = JSON.parse(readFileSync(stab, 'utf8')) as { cases: Record<string, { varying: Record<string, unknown> }> };
  return new Set(Object.keys(s.cases[`${arch}/${caseName}`]?.varying ?? {}));
}

/** Expected facts from a real result file, with pids mapped to process ids. */
export function expectedFacts(resultFile: string): Facts {
  const r = JSON.parse(readFileSync(resultFile, 'utf8')) as OracleResultJson;
  const pidToId = new Map(r.processes.map((p) => [p.pid, p.id]));
  // The oracle's processes outcome for runner-terminated holders is SIGTERM (143).
  for (const e of r.oom_events)
    for (const t of e.tasks) if (t.process_id === undefined) t.process_id = pidToId.get(t.pid) ?? null;
  return flatten(r);
}

export function compareWithResult(run: OracleRun, resultFile: string, caseName: string, arch: string): FactDiff[] {
  return compareFacts(expectedFacts(resultFile), run.flat, varyingFacts(resultFile, caseName, arch));
}
