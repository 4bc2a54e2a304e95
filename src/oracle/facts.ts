/**
 * Facts of a run in the shape of shared/oracle/results/<arch>/<case>.json, and the flat
 * "fact keys" (the scheme of results/stability.json) the comparison works on.  Our facts are
 * parsed from the kernel log we print, with the same rules as a real log, so a formatting
 * mistake shows up as a mismatch.  OOM reports are read by the one OOM-report parser
 * (src/explain/oom-report.ts, also behind `faultpath explain oom`); user-fault and panic lines here.
 *
 * Normalisation (the one documented place, see docs/oracle.md): pids are replaced by the
 * case's process ids; timestamps, CPU numbers and boot-time processes (init, the runner's
 * shells and sleeps) in task tables are not compared; facts stability.json lists as varying
 * between real runs are not compared.
 */
import {
  parseKilledLine,
  parseOomReports,
  type MemcgCounterLine,
  type OomKilledLine,
  type OomReport,
} from '../explain/oom-report.js';

export type Facts = Record<string, string | number>;

export interface OracleResultJson {
  processes: {
    id: string;
    pid: number;
    wait_status: number | null;
    outcome: { kind: string; signal?: number; code?: number; name?: string };
    runner_terminated?: boolean;
  }[];
  user_faults: Record<string, unknown>[];
  oom_events: OomEventJson[];
  panics: { message: string }[];
  cgroups: Record<string, Record<string, unknown>>;
}

export interface OomEventJson {
  invoker: string;
  gfp_mask: string;
  gfp_flags: string;
  order: number;
  invoker_oom_score_adj: number;
  call_trace: string[];
  tasks: {
    pid: number;
    uid: number;
    tgid: number;
    total_vm: number;
    rss: number;
    pgtables_bytes: number;
    swapents: number;
    adj: number;
    name: string;
    process_id?: string | null;
  }[];
  memcg_usage?: {
    memory: { usage: number; limit: number; failcnt: number };
    swap: { usage: number; limit: number; failcnt: number };
  };
  memcg_stats?: Record<string, number>;
  memcg_stats_for?: string;
  kills: {
    msg: string;
    pid: number;
    comm: string;
    total_vm: number;
    anon_rss: number;
    file_rss: number;
    shmem_rss: number;
    uid: number;
    pgtables: number;
    adj: number;
    process_id?: string | null;
  }[];
  constraint?: Record<string, string>;
  kind: string;
}

/** memcg stat keys the model accounts (others are kernel internals it does not model). */
export const MODELED_MEMCG_STATS = ['anon', 'kernel', 'pagetables'] as const;

const RE_ARM64_UNHANDLED =
  /^(\S+)\[(\d+)\]: unhandled exception: (.+?), ESR 0x([0-9a-f]+), (.+?)(?: in (\S+\[[0-9a-f]+\+[0-9a-f]+\]))?$/;
const RE_X86_SEGFAULT =
  /^(\S+)\[(\d+)\]: segfault at ([0-9a-f]+) ip ([0-9a-f]+) sp ([0-9a-f]+) error ([0-9a-f]+)(?: in (\S+\[[0-9a-f]+\+[0-9a-f]+\]))?(?: likely on CPU (\d+) \(core (\d+), socket (\d+)\))?$/;
const RE_PANIC = /^Kernel panic - not syncing: (.+)$/;

/** arm64 "unhandled exception" (arm64_show_signal()) with pstate and registers of the 20 lines after it. */
function arm64UserFault(m: RegExpExecArray, lines: string[], i: number, pidToId: Map<number, string>) {
  const f: Record<string, unknown> = {
    comm: m[1],
    pid: Number(m[2]),
    class: m[3],
    esr: `0x${m[4]}`,
    name: m[5],
    vma: m[6] ?? null,
    kind: 'arm64_unhandled',
    process_id: pidToId.get(Number(m[2])) ?? null,
  };
  const regs: Record<string, string> = {};
  for (let j = i + 1; j < Math.min(lines.length, i + 20); j++) {
    const l = lines[j]!;
    const pm = /^pstate: (.+)$/.exec(l);
    if (pm) f.pstate = pm[1];
    const rm = /^(pc|lr|sp) : ([0-9a-f]{16})$/.exec(l);
    if (rm) regs[rm[1]!] = `0x${rm[2]}`;
    for (const g of l.matchAll(/x(\d+)\s*: ([0-9a-f]{16})/g)) regs[`x${g[1]}`] = `0x${g[2]}`;
  }
  f.regs = regs;
  return f;
}

/** x86 "segfault at" (show_signal_msg()) with the "Code:" line after it. */
function x86UserFault(m: RegExpExecArray, next: string, pidToId: Map<number, string>): Record<string, unknown> {
  return {
    comm: m[1],
    pid: Number(m[2]),
    addr: m[3],
    ip: m[4],
    sp: m[5],
    error: m[6],
    vma: m[7] ?? null,
    kind: 'x86_page_fault',
    code: next.startsWith('Code: ') ? next.slice(6) : null,
    process_id: pidToId.get(Number(m[2])) ?? null,
  };
}

/** One OOM report in the oracle's oom_events shape (the report is read by the one OOM-report parser). */
function oomEventOf(r: OomReport, pidToId: Map<number, string>): OomEventJson {
  const memory = r.counters.memory;
  const e: OomEventJson = {
    invoker: r.header.comm,
    gfp_mask: r.header.gfpMaskText,
    gfp_flags: r.header.gfpText ?? '',
    order: r.header.order,
    invoker_oom_score_adj: r.header.oomScoreAdj,
    call_trace: [...r.frames],
    tasks: r.tasks.map((t) => ({
      pid: t.pid,
      uid: t.uid,
      tgid: t.tgid,
      total_vm: t.totalVm,
      rss: t.rss,
      pgtables_bytes: t.pgtablesBytes,
      swapents: t.swapents,
      adj: t.oomScoreAdj,
      name: t.name,
      process_id: pidToId.get(t.pid) ?? null,
    })),
    // a ratelimited dump_header() leaves later kills without a report: they count for this event
    kills: [...r.killed, ...r.laterKills.map(parseKilledLine)].filter(isFullKill).map((k) => ({
      msg: k.message,
      pid: k.pid,
      comm: k.comm,
      total_vm: k.totalVmKb,
      anon_rss: k.anonRssKb,
      file_rss: k.fileRssKb,
      shmem_rss: k.shmemRssKb,
      uid: k.uid,
      pgtables: k.pgtablesKb,
      adj: k.oomScoreAdj,
      process_id: pidToId.get(k.pid) ?? null,
    })),
    kind: memory ? 'memcg' : 'global',
  };
  const counter = (c: MemcgCounterLine) => ({ usage: c.usageKb, limit: c.limitKb, failcnt: c.failcnt });
  if (memory)
    e.memcg_usage = {
      memory: counter(memory),
      swap: r.counters.swap ? counter(r.counters.swap) : { usage: 0, limit: 0, failcnt: 0 },
    };
  if (r.statsFor.length) {
    e.memcg_stats_for = r.statsFor[0]!;
    e.memcg_stats = { ...r.stats };
  }
  if (r.summary) e.constraint = { ...r.summary };
  return e;
}

type FullKill = OomKilledLine & {
  [K in 'message' | 'shmemRssKb' | 'uid' | 'pgtablesKb' | 'oomScoreAdj']: NonNullable<OomKilledLine[K]>;
};

/** A 6.1 "Killed process" line with every field (the only layout the oracle records). */
function isFullKill(k: OomKilledLine | null): k is FullKill {
  return (
    !!k &&
    k.message !== null &&
    k.shmemRssKb !== null &&
    k.uid !== null &&
    k.pgtablesKb !== null &&
    k.oomScoreAdj !== null
  );
}

/** Parses kernel log lines (without timestamps) into the oracle's result facts. */
export function parseKernelLog(
  lines: string[],
  pidToId: Map<number, string>,
): Pick<OracleResultJson, 'user_faults' | 'oom_events' | 'panics'> {
  const user_faults: Record<string, unknown>[] = [];
  const panics: { message: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if ((m = RE_ARM64_UNHANDLED.exec(line))) user_faults.push(arm64UserFault(m, lines, i, pidToId));
    else if ((m = RE_X86_SEGFAULT.exec(line))) user_faults.push(x86UserFault(m, lines[i + 1] ?? '', pidToId));
    else if ((m = RE_PANIC.exec(line))) panics.push({ message: m[1]! });
  }
  const reports = parseOomReports(lines.map((text) => ({ text, ts: null })));
  return { user_faults, oom_events: reports.map((r) => oomEventOf(r, pidToId)), panics };
}

/** Flattens a result into fact keys (the stability.json scheme). */
export function flatten(r: OracleResultJson): Facts {
  const f: Facts = {};
  for (const p of r.processes) {
    const o = p.outcome ?? { kind: 'none' };
    f[`proc/${p.id}/outcome`] =
      o.kind === 'signal' ? `signal ${o.signal}` : o.kind === 'exit' ? `exit ${o.code}` : o.kind;
    if (p.wait_status !== null && p.wait_status !== undefined) f[`proc/${p.id}/wait_status`] = p.wait_status;
    if (p.runner_terminated !== undefined) f[`proc/${p.id}/runner_terminated`] = String(p.runner_terminated);
  }
  r.user_faults.forEach((u, i) => {
    for (const key of ['comm', 'class', 'esr', 'name', 'vma', 'pstate', 'addr', 'ip', 'sp', 'error', 'code']) {
      if (u[key] !== undefined && u[key] !== null) f[`fault/${i}/${key}`] = String(u[key]);
    }
    const regs = u.regs as Record<string, string> | undefined;
    if (regs) for (const [rk, rv] of Object.entries(regs)) f[`fault/${i}/regs/${rk}`] = rv;
  });
  r.oom_events.forEach((e, i) => {
    const b = `oom/${i}`;
    f[`${b}/kind`] = e.kind;
    f[`${b}/invoker`] = e.invoker;
    f[`${b}/gfp_mask`] = e.gfp_mask;
    f[`${b}/gfp_flags`] = e.gfp_flags;
    f[`${b}/order`] = e.order;
    f[`${b}/invoker_oom_score_adj`] = e.invoker_oom_score_adj;
    // Only the reliable frames: x86 '? symbol' entries are unwinder leftovers that vary by run.
    f[`${b}/call_trace`] = e.call_trace.filter((fr) => !fr.startsWith('?')).join(' < ');
    if (e.memcg_stats_for) f[`${b}/memcg_stats_for`] = e.memcg_stats_for;
    if (e.memcg_usage) {
      for (const [k1, v1] of Object.entries(e.memcg_usage))
        for (const [k2, v2] of Object.entries(v1)) f[`${b}/memcg_usage/${k1}/${k2}`] = v2;
    }
    if (e.memcg_stats)
      for (const k of MODELED_MEMCG_STATS)
        if (e.memcg_stats[k] !== undefined) f[`${b}/memcg_stat/${k}`] = e.memcg_stats[k]!;
    if (e.constraint)
      for (const [k, v] of Object.entries(e.constraint)) if (k !== 'pid') f[`${b}/constraint/${k}`] = String(v);
    for (const t of e.tasks) {
      if (!t.process_id) continue; // boot-time and runner processes are outside the model
      for (const k of ['uid', 'total_vm', 'rss', 'pgtables_bytes', 'swapents', 'adj', 'name'] as const)
        f[`${b}/tasks/${t.process_id}/${k}`] = t[k];
    }
    e.kills.forEach((kl, j) => {
      f[`${b}/kill/${j}/process_id`] = kl.process_id ?? '(other)';
      for (const k of [
        'msg',
        'comm',
        'total_vm',
        'anon_rss',
        'file_rss',
        'shmem_rss',
        'uid',
        'pgtables',
        'adj',
      ] as const)
        f[`${b}/kill/${j}/${k}`] = kl[k];
    });
  });
  (r.panics ?? []).forEach((p, i) => (f[`panic/${i}/message`] = p.message));
  for (const [path, cg] of Object.entries(r.cgroups)) {
    if (path === '/') continue;
    const key = path.replace(/^\//, '');
    for (const ev of ['memory.events', 'memory.events.local'] as const) {
      const v = cg[ev] as Record<string, number> | undefined;
      if (v) for (const [k, n] of Object.entries(v)) f[`cg/${key}/${ev}/${k}`] = n;
    }
    for (const k of ['memory.current', 'memory.peak'] as const)
      if (typeof cg[k] === 'number') f[`cg/${key}/${k}`] = cg[k] as number;
  }
  return f;
}

export interface FactDiff {
  key: string;
  expected: string | number | undefined;
  actual: string | number | undefined;
  match: boolean;
}

/** Compares every expected fact that is not listed as varying between real runs. */
export function compareFacts(expected: Facts, actual: Facts, varying: Set<string>): FactDiff[] {
  const out: FactDiff[] = [];
  for (const key of Object.keys(expected).sort()) {
    if (varying.has(key)) continue;
    out.push({ key, expected: expected[key], actual: actual[key], match: expected[key] === actual[key] });
  }
  return out;
}
