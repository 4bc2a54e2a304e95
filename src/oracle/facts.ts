/**
 * Facts of a run in the shape of shared/oracle/results/<arch>/<case>.json, and the flat
 * "fact keys" (the scheme of results/stability.json) the comparison works on.  Our facts are
 * parsed from the kernel log we print, with the same rules as a real log, so a formatting
 * mistake shows up as a mismatch.
 *
 * Normalisation (the one documented place, see docs/oracle.md): pids are replaced by the
 * case's process ids; timestamps, CPU numbers and boot-time processes (init, the runner's
 * shells and sleeps) in task tables are not compared; facts stability.json lists as varying
 * between real runs are not compared.
 */
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

/** Parses kernel log lines (without timestamps) into the oracle's result facts. */
export function parseKernelLog(
  lines: string[],
  pidToId: Map<number, string>,
): Pick<OracleResultJson, 'user_faults' | 'oom_events' | 'panics'> {
  const user_faults: Record<string, unknown>[] = [];
  const oom_events: OomEventJson[] = [];
  const panics: { message: string }[] = [];
  let cur: OomEventJson | null = null;
  let inTrace = false;
  let inStats = false;
  let inTasks = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m =
      /^(\S+)\[(\d+)\]: unhandled exception: (.+?), ESR 0x([0-9a-f]+), (.+?)(?: in (\S+\[[0-9a-f]+\+[0-9a-f]+\]))?$/.exec(
        line,
      );
    if (m) {
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
      user_faults.push(f);
      continue;
    }
    m =
      /^(\S+)\[(\d+)\]: segfault at ([0-9a-f]+) ip ([0-9a-f]+) sp ([0-9a-f]+) error ([0-9a-f]+)(?: in (\S+\[[0-9a-f]+\+[0-9a-f]+\]))?(?: likely on CPU (\d+) \(core (\d+), socket (\d+)\))?$/.exec(
        line,
      );
    if (m) {
      const next = lines[i + 1] ?? '';
      user_faults.push({
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
      });
      continue;
    }
    m = /^Kernel panic - not syncing: (.+)$/.exec(line);
    if (m) {
      panics.push({ message: m[1]! });
      continue;
    }
    m =
      /^(\S+) invoked oom-killer: gfp_mask=(0x[0-9a-f]+)\(([^)]*)\),(?: nodemask=\S+,)? order=(-?\d+), oom_score_adj=(-?\d+)$/.exec(
        line,
      );
    if (m) {
      cur = {
        invoker: m[1]!,
        gfp_mask: m[2]!,
        gfp_flags: m[3]!,
        order: Number(m[4]),
        invoker_oom_score_adj: Number(m[5]),
        call_trace: [],
        tasks: [],
        kills: [],
        kind: 'global',
      };
      oom_events.push(cur);
      inTrace = inStats = inTasks = false;
      continue;
    }
    if (!cur) continue;
    if (line === 'Call trace:' || line === 'Call Trace:') {
      inTrace = true;
      continue;
    }
    if (inTrace) {
      const fm = /^ (\S+?)(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?$/.exec(line);
      if (fm && !fm[1]!.startsWith('<') && !fm[1]!.startsWith('?')) {
        cur.call_trace.push(fm[1]!);
        continue;
      }
      if (/^(RIP|RSP|RAX|RDX|RBP|R10|R13|Code):|^ <\/?TASK>$/.test(line)) continue;
      inTrace = false;
    }
    m = /^memory: usage (\d+)kB, limit (\d+)kB, failcnt (\d+)$/.exec(line);
    if (m) {
      cur.kind = 'memcg';
      cur.memcg_usage = {
        memory: { usage: Number(m[1]), limit: Number(m[2]), failcnt: Number(m[3]) },
        swap: { usage: 0, limit: 0, failcnt: 0 },
      };
      continue;
    }
    m = /^swap: usage (\d+)kB, limit (\d+)kB, failcnt (\d+)$/.exec(line);
    if (m && cur.memcg_usage) {
      cur.memcg_usage.swap = { usage: Number(m[1]), limit: Number(m[2]), failcnt: Number(m[3]) };
      continue;
    }
    m = /^Memory cgroup stats for (\S+):$/.exec(line);
    if (m) {
      cur.memcg_stats_for = m[1]!;
      cur.memcg_stats = {};
      inStats = true;
      continue;
    }
    if (inStats) {
      const sm = /^([a-z_]+) (\d+)$/.exec(line);
      if (sm) {
        cur.memcg_stats![sm[1]!] = Number(sm[2]);
        continue;
      }
      inStats = false;
    }
    if (line === 'Tasks state (memory values in pages):') {
      inTasks = true;
      continue;
    }
    if (inTasks) {
      if (line.startsWith('[  pid  ]')) continue;
      const tm = /^\[\s*(\d+)\]\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(-?\d+) (.+)$/.exec(line);
      if (tm) {
        const pid = Number(tm[1]);
        cur.tasks.push({
          pid,
          uid: Number(tm[2]),
          tgid: Number(tm[3]),
          total_vm: Number(tm[4]),
          rss: Number(tm[5]),
          pgtables_bytes: Number(tm[6]),
          swapents: Number(tm[7]),
          adj: Number(tm[8]),
          name: tm[9]!,
          process_id: pidToId.get(pid) ?? null,
        });
        continue;
      }
      inTasks = false;
    }
    m = /^oom-kill:(.+)$/.exec(line);
    if (m) {
      const c: Record<string, string> = {};
      const body = m[1]!;
      for (const part of body.split(',')) {
        const eq = part.indexOf('=');
        if (eq < 0) c[part] = 'true';
        else c[part.slice(0, eq)] = part.slice(eq + 1);
      }
      cur.constraint = c;
      continue;
    }
    m =
      /^(.+?): Killed process (\d+) \((.+)\) total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB, UID:(\d+) pgtables:(\d+)kB oom_score_adj:(-?\d+)$/.exec(
        line,
      );
    if (m) {
      const pid = Number(m[2]);
      cur.kills.push({
        msg: m[1]!,
        pid,
        comm: m[3]!,
        total_vm: Number(m[4]),
        anon_rss: Number(m[5]),
        file_rss: Number(m[6]),
        shmem_rss: Number(m[7]),
        uid: Number(m[8]),
        pgtables: Number(m[9]),
        adj: Number(m[10]),
        process_id: pidToId.get(pid) ?? null,
      });
      continue;
    }
  }
  return { user_faults, oom_events, panics };
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
