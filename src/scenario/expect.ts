/**
 * Checks a scenario's expectations against a run: process outcomes, which processes the OOM
 * killer killed, memory.events counters, kernel-log lines and trace content.  Every failure is
 * one readable line naming the expectation.
 */
import type { RunResult } from './run.js';
import type { Scenario } from './schema.js';

const SIG: Record<string, number> = {
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGBUS: 7,
  SIGTERM: 15,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGFPE: 8,
};

export function checkExpectations(s: Scenario, r: RunResult, traceText: string): string[] {
  const e = s.expect;
  if (!e) return [];
  const fails: string[] = [];
  const proc = (id: string) => r.processes.find((p) => p.id === id);
  for (const [id, want] of Object.entries(e.outcome ?? {})) {
    const p = proc(id);
    if (!p) {
      fails.push(`outcome.${id}: no such process`);
      continue;
    }
    const got =
      p.outcome.kind === 'signal'
        ? `signal ${p.outcome.signal}`
        : p.outcome.kind === 'exit'
          ? `exit ${p.outcome.code}`
          : p.outcome.kind;
    let exp: string;
    if (want === 'running') exp = 'running';
    else if ('signal' in want)
      exp = `signal ${typeof want.signal === 'string' ? (SIG[want.signal] ?? want.signal) : want.signal}`;
    else exp = `exit ${want.exit}`;
    if (got !== exp) fails.push(`outcome.${id}: expected ${exp}, got ${got}`);
  }
  const killed = new Set(r.processes.filter((p) => p.oom_killed).map((p) => p.id));
  for (const id of e.killed_by_oom ?? [])
    if (!killed.has(id)) fails.push(`killed_by_oom: ${id} was not killed by the OOM killer`);
  if (e.killed_by_oom)
    for (const id of killed)
      if (!e.killed_by_oom.includes(id))
        fails.push(`killed_by_oom: ${id} was killed by the OOM killer but is not listed`);
  for (const id of e.survives ?? []) {
    const p = proc(id);
    if (!p || p.oom_killed || (p.outcome.kind === 'signal' && p.outcome.signal !== 15))
      fails.push(`survives: ${id} did not survive (${p ? JSON.stringify(p.outcome) : 'missing'})`);
  }
  const counters = (
    which: 'memory.events' | 'memory.events.local',
    want: Record<string, Record<string, number>> | undefined,
  ) => {
    for (const [cg, evs] of Object.entries(want ?? {})) {
      const path = cg.startsWith('/') ? cg : `/${cg}`;
      const c = r.cgroups[path];
      if (!c) {
        fails.push(`${which}: no cgroup ${path}`);
        continue;
      }
      for (const [ev, n] of Object.entries(evs)) {
        const got = c[which][ev];
        if (got !== n) fails.push(`${which}: ${path} ${ev} expected ${n}, got ${got}`);
      }
    }
  };
  counters('memory.events', e.events);
  counters('memory.events.local', e.events_local);
  const log = r.dmesg.join('\n');
  for (const needle of e.dmesg_contains ?? [])
    if (!log.includes(needle)) fails.push(`dmesg_contains: no line contains ${JSON.stringify(needle)}`);
  for (const needle of e.dmesg_not_contains ?? [])
    if (log.includes(needle)) fails.push(`dmesg_not_contains: the log contains ${JSON.stringify(needle)}`);
  for (const needle of e.trace_contains ?? [])
    if (!traceText.includes(needle)) fails.push(`trace_contains: the trace has no ${JSON.stringify(needle)}`);
  if (e.panic !== undefined && (r.end.kind === 'panic') !== e.panic)
    fails.push(`panic: expected ${e.panic ? 'a kernel panic' : 'no panic'}, got ${r.end.kind}`);
  return fails;
}
