/**
 * Shared plumbing of the peer suites (test/peer-suites/*.test.ts): runs scenarios built from the
 * `memtool` guest program (programs/<arch>/memtool.S), parses its output, re-implements the
 * selftests' read helpers with their exact C semantics (cgroup_util.c), records each test's
 * checks, and writes the parity table docs/peer-suites.md from the recorded results.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario, type RunResult } from '../../src/scenario/run.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { ARCHES, guestProgram, type Arch } from '../helpers/guest.js';
import { REPO_ROOT } from '../helpers/oracle.js';

export { ARCHES, type Arch } from '../helpers/guest.js';
export const MB = 1 << 20;

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(HERE, 'results');
export const DOC_PATH = join(REPO_ROOT, 'docs', 'peer-suites.md');

// ------------------------------------------------------------------------------ running

/** The assembled memtool of an arch (assembled once per test file). */
async function memtoolFor(arch: Arch) {
  const r = await guestProgram(arch, join(HERE, 'programs', arch, 'memtool.S'), HERE);
  return { path: '/bin/memtool', bytes: r.bytes };
}

export interface Proc {
  id: string;
  /** memtool ops (see programs/aarch64/memtool.S) */
  ops: (string | number)[];
  /** placed there at spawn by the runner (the tests mostly let the guest enter with `e`) */
  cgroup?: string;
  oom_score_adj?: number;
  start?: Scenario['processes'][number]['start'];
  wait?: boolean;
}

export interface Machine {
  mem: string;
  swap?: string | number;
  rootfs?: 'tmpfs' | 'disk';
  sysctls?: Record<string, number>;
}

/**
 * Runs one scenario: every process runs memtool; `files` become regular files of the rootfs
 * (zero-filled, like the sparse O_TMPFILE files the selftests grow with ftruncate).
 */
export async function run(
  arch: Arch,
  o: { machine: Machine; cgroups?: Scenario['cgroups']; procs: Proc[]; files?: Record<string, number> },
): Promise<RunResult> {
  const programs = new Map<string, { path: string; bytes: Uint8Array }>();
  programs.set('memtool', await memtoolFor(arch));
  for (const [path, size] of Object.entries(o.files ?? {}))
    programs.set(`file:${path}`, { path, bytes: new Uint8Array(size) });
  const scenario: Scenario = {
    machine: {
      arch,
      kernel: '6.1',
      mem: o.machine.mem,
      swap: o.machine.swap ?? 0,
      rootfs: o.machine.rootfs ?? 'tmpfs',
      sysctls: o.machine.sysctls ?? {},
      budget: 4_000_000_000,
    },
    cgroups: o.cgroups ?? [],
    processes: o.procs.map((p) => ({
      id: p.id,
      program: 'memtool',
      args: p.ops.map(String),
      ...(p.cgroup ? { cgroup: p.cgroup } : {}),
      ...(p.oom_score_adj !== undefined ? { oom_score_adj: p.oom_score_adj } : {}),
      start: p.start ?? 'immediate',
      wait: p.wait ?? true,
    })),
    actions: [],
  };
  const cpu0 = process.cpuUsage();
  const r = await runScenario(scenario, { programs });
  r.machine.close();
  if (process.env.PEER_SUITES_CPU) {
    const u = process.cpuUsage(cpu0);
    process.stderr.write(
      `[peer-suites] ${arch} ${o.procs
        .map((p) => p.id)
        .join(',')
        .slice(0, 60)}: ${((u.user + u.system) / 1000).toFixed(0)} ms CPU\n`,
    );
  }
  return r;
}

// ------------------------------------------------------------------------------ memtool output

export type Item =
  | { kind: 'cat'; path: string; content: string; openErr: number | null }
  | { kind: 'op'; op: string; value: number };

/** Splits memtool's stdout into cat blocks (">>> path" … "<<<") and "<op> <number>" lines. */
export function parseOut(s: string): Item[] {
  const out: Item[] = [];
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('>>> ', i)) {
      const nl = s.indexOf('\n', i);
      const path = s.slice(i + 4, nl);
      const end = s.indexOf('<<<\n', nl + 1);
      if (end < 0) throw new Error(`unterminated cat block for ${path} in memtool output`);
      const content = s.slice(nl + 1, end);
      const m = /^! (-?\d+)\n$/.exec(content);
      out.push({ kind: 'cat', path, content: m ? '' : content, openErr: m ? Number(m[1]) : null });
      i = end + 4;
      continue;
    }
    const nl = s.indexOf('\n', i);
    const line = s.slice(i, nl < 0 ? s.length : nl);
    const m = /^(\S) (-?\d+)$/.exec(line);
    if (!m) throw new Error(`unexpected memtool output line ${JSON.stringify(line)}`);
    out.push({ kind: 'op', op: m[1]!, value: Number(m[2]) });
    i = nl < 0 ? s.length : nl + 1;
  }
  return out;
}

/** The output of one scenario process, with accessors in the order the guest produced it. */
export class Out {
  readonly items: Item[];
  constructor(
    readonly r: RunResult,
    readonly id: string,
  ) {
    const p = r.processes.find((x) => x.id === id);
    if (!p) throw new Error(`no process ${id}`);
    this.items = parseOut(p.stdout);
  }
  get proc() {
    return this.r.processes.find((x) => x.id === this.id)!;
  }
  /** the n-th (0-based) cat of a path whose name ends with `suffix` */
  cat(suffix: string, n = 0): { content: string; openErr: number | null } | undefined {
    const c = this.items.filter(
      (x): x is Extract<Item, { kind: 'cat' }> => x.kind === 'cat' && x.path.endsWith(suffix),
    );
    return c[n];
  }
  cats(suffix: string) {
    return this.items.filter((x): x is Extract<Item, { kind: 'cat' }> => x.kind === 'cat' && x.path.endsWith(suffix));
  }
  ops(op: string): number[] {
    return this.items
      .filter((x): x is Extract<Item, { kind: 'op' }> => x.kind === 'op' && x.op === op)
      .map((x) => x.value);
  }
}

// ------------------------------------------------------------------------------ cgroup_util.c

/** atol(): leading whitespace, optional sign, digits; anything else ends the number. */
export function atol(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** values_close(a, b, err): labs(a - b) <= (a + b) / 100 * err, in C long arithmetic. */
export function valuesClose(a: number, b: number, err: number): boolean {
  return Math.abs(a - b) <= Math.trunc((a + b) / 100) * err;
}

type Read = { content: string; openErr: number | null } | undefined;

/** cg_read_long(): read_text() of at most 127 bytes, then atol; -1 when the read fails. */
export function cgReadLong(r: Read): number {
  if (!r || r.openErr !== null) return -1;
  return atol(r.content.slice(0, 127));
}

/** cg_read_key_long(): strstr(buf, key) in the first 4095 bytes, atol after it; else -1. */
export function cgReadKeyLong(r: Read, key: string): number {
  if (!r || r.openErr !== null) return -1;
  const buf = r.content.slice(0, 4095);
  const i = buf.indexOf(key);
  return i < 0 ? -1 : atol(buf.slice(i + key.length));
}

/**
 * cg_read_strcmp(): reads strlen(expected) bytes and strcmp()s them with expected; 0 when equal.
 * (For expected == "" it reads nothing, so it returns 0 whatever the file holds — as in C.)
 */
export function cgReadStrcmp(r: Read, expected: string): number {
  if (!r || r.openErr !== null) return -1;
  return r.content.slice(0, expected.length) === expected ? 0 : 1;
}

/** cg_read_strstr(): 0 when needle occurs in the first 4095 bytes, else -1. */
export function cgReadStrstr(r: Read, needle: string): number {
  if (!r || r.openErr !== null) return -1;
  return r.content.slice(0, 4095).includes(needle) ? 0 : -1;
}

/**
 * cg_run()'s return value for a scenario process: WEXITSTATUS when it exited, -1 when a signal
 * ended it (the selftests only test for zero / non-zero).
 */
export function cgRunRet(r: RunResult, id: string): number {
  const p = r.processes.find((x) => x.id === id)!;
  if (p.outcome.kind === 'exit') return p.outcome.code;
  return -1;
}

export function outcomeText(r: RunResult, id: string): string {
  const p = r.processes.find((x) => x.id === id)!;
  const o = p.outcome;
  if (o.kind === 'exit') return `exit ${o.code}`;
  if (o.kind === 'signal')
    return `${o.name}${p.oom_killed ? ' (OOM kill)' : ''}${p.runner_terminated ? ' (runner)' : ''}`;
  return o.kind;
}

/** A wait status as the F op prints it, decoded. */
export function waitStatus(st: number): {
  exited: boolean;
  code: number;
  signaled: boolean;
  sig: number;
  text: string;
} {
  const sig = st & 0x7f;
  const signaled = sig !== 0 && sig !== 0x7f;
  const exited = sig === 0;
  const code = (st >> 8) & 0xff;
  return {
    exited,
    code,
    signaled,
    sig,
    text: exited ? `exited ${code}` : signaled ? `killed by signal ${sig}` : `status ${st}`,
  };
}

export const cg = (path: string, file: string) => `/sys/fs/cgroup${path}/${file}`;

// ------------------------------------------------------------------------------ checks and results

export interface Check {
  what: string;
  ok: boolean;
  /** a check that documents the scenario rather than an assertion of the original test */
  fidelity?: boolean;
}

export class Checks {
  readonly list: Check[] = [];
  notes: string[] = [];
  add(what: string, ok: boolean, fidelity = false): boolean {
    this.list.push({ what, ok, ...(fidelity ? { fidelity } : {}) });
    return ok;
  }
  note(s: string): void {
    this.notes.push(s);
  }
  get failed(): Check[] {
    return this.list.filter((c) => !c.ok);
  }
}

export interface RowSpec {
  name: string;
  checks: string;
  notModeled: string;
  /**
   * A known disagreement between the model and Linux 6.1: the row's tests are `it.fails` and the
   * text (what the model does, what 6.1 does, where) goes into the doc's "Model bugs" section.
   */
  bug?: string;
}

export interface ArchResult {
  /** FIDELITY: every assertion of the original holds, but a (fidelity) check does not */
  status: 'PASS' | 'FAIL' | 'FIDELITY' | 'NOT MODELED';
  checks: Check[];
  notes: string[];
}

interface SuiteFile {
  suite: string;
  title: string;
  source: string;
  rows: (RowSpec & { results: Partial<Record<Arch, ArchResult>> })[];
  extra: string[];
  /** row names in table order (rows not listed go last, in declaration order) */
  order: string[];
}

/** Collects one suite's rows (in declaration order) and writes its results in afterAll. */
export class Suite {
  private readonly rows: SuiteFile['rows'] = [];
  constructor(
    readonly id: string,
    readonly title: string,
    readonly source: string,
    readonly extra: string[] = [],
    readonly order: string[] = [],
  ) {}

  bugOf(name: string): string | undefined {
    return this.rows.find((r) => r.name === name)?.bug;
  }

  row(spec: RowSpec): RowSpec {
    if (!this.rows.some((r) => r.name === spec.name)) this.rows.push({ ...spec, results: {} });
    return spec;
  }

  record(name: string, arch: Arch, c: Checks, status?: ArchResult['status']): void {
    const row = this.rows.find((r) => r.name === name);
    if (!row) throw new Error(`unknown row ${name}`);
    const failed = c.failed;
    const computed = failed.some((f) => !f.fidelity) ? 'FAIL' : failed.length ? 'FIDELITY' : 'PASS';
    row.results[arch] = { status: failed.length ? computed : (status ?? computed), checks: c.list, notes: c.notes };
  }

  /**
   * Writes results/<suite>.json, then regenerates docs/peer-suites.md from every suite's file.
   * A partial run (a `-t` filter, a crash) leaves both alone, so the table always shows a full run.
   */
  write(): void {
    const missing = this.rows.flatMap((r) => ARCHES.filter((a) => !r.results[a]).map((a) => `${r.name} (${a})`));
    if (missing.length) {
      process.stderr.write(
        `peer-suites: ${this.id}: partial run (${missing.length} results missing), docs/peer-suites.md not regenerated\n`,
      );
      return;
    }
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file: SuiteFile = {
      suite: this.id,
      title: this.title,
      source: this.source,
      rows: this.rows,
      extra: this.extra,
      order: this.order,
    };
    atomicWrite(join(RESULTS_DIR, `${this.id}.json`), JSON.stringify(file, null, 1) + '\n');
    writeDoc();
  }
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

const SUITE_ORDER = ['kselftest-memcontrol', 'kselftest-memcontrol-protection', 'ltp-oom'];

/** Suites with the same title (one external suite split over several test files) become one table. */
function mergeByTitle(files: SuiteFile[]): SuiteFile[] {
  const out: SuiteFile[] = [];
  for (const f of files) {
    const g = out.find((x) => x.title === f.title);
    if (!g) {
      out.push({ ...f, rows: [...f.rows], extra: [...f.extra] });
      continue;
    }
    g.rows.push(...f.rows.filter((r) => !g.rows.some((x) => x.name === r.name)));
    for (const e of f.extra) if (!g.extra.includes(e)) g.extra.push(e);
  }
  for (const g of out) {
    const rank = (n: string) => (g.order.includes(n) ? g.order.indexOf(n) : g.order.length);
    g.rows = g.rows
      .map((r, i) => ({ r, i }))
      .sort((a, b) => rank(a.r.name) - rank(b.r.name) || a.i - b.i)
      .map((x) => x.r);
  }
  return out;
}

function cell(r: ArchResult | undefined): string {
  if (!r) return 'not run';
  const f = r.checks.filter((c) => !c.ok);
  if (r.status === 'FAIL') {
    const first = f.find((c) => !c.fidelity) ?? f[0]!;
    return `**FAIL** (${f.length} of ${r.checks.length} checks): ${esc(first.what)}`;
  }
  if (r.status === 'FIDELITY')
    return `assertions PASS; **fidelity FAIL** (${f.length} of ${r.checks.length} checks): ${esc(f[0]!.what)}`;
  return r.status;
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The markdown parity table of all suites with results on disk (deterministic: no times). */
export function renderDoc(files: SuiteFile[]): string {
  const suites = mergeByTitle(files);
  const L: string[] = [];
  L.push("# Peer suites: the kernel's memcg selftests and LTP's OOM tests on faultpath");
  L.push('');
  L.push(
    '<!-- Generated by test/peer-suites/*.test.ts (afterAll → harness.ts renderDoc). Do not edit by hand: run `npx vitest run test/peer-suites`. -->',
  );
  L.push('');
  L.push(
    "faultpath re-runs two external test suites as scenarios: the Linux cgroup selftest `tools/testing/selftests/cgroup/test_memcontrol.c` and LTP's `testcases/kernel/mem/oom/oom0[1-5].c`. Each C test is rebuilt from the same steps: a guest program (`test/peer-suites/programs/<arch>/memtool.S`) does what the C helper does in the guest (`alloc_anon` writes one byte per 4 KiB page, `alloc_anon_noexit` touches then sleeps, `cg_run` forks a child that writes its pid into `cgroup.procs` before running the helper, LTP's `oom()` forks a child at `oom_score_adj` 0 while the parent protects itself with -1000); the selftest's parent-side reads are guest reads of the same `/sys/fs/cgroup` and `/proc` files, compared in TypeScript with the C helpers' exact semantics (`values_close(a, b, err)` = `labs(a - b) <= (a + b) / 100 * err` in integer arithmetic, `cg_read_long` = `atol`, `cg_read_key_long` = `strstr` + `atol`, `cg_read_strcmp` compares `strlen(expected)` bytes). Every test runs on both modeled architectures with the 6.1 kernel profile.",
  );
  L.push('');
  L.push(
    "Legend: **PASS** – every assertion of the original holds in the model; **FAIL** – an assertion of the original fails: the model disagrees with Linux (the first failing check is shown, every check is listed under *Details*, the cause is under *Model bugs*); **fidelity FAIL** – the original's assertions hold, but a *(fidelity)* check does not: such checks are not assertions of the original but what Linux 6.1 does in the same scenario and the original relies on or leaves unasserted (for example that a `cg_run_nowait` child really entered its cgroup); **NOT MODELED** – the test needs something faultpath does not model (last column).",
  );
  for (const s of suites) {
    L.push('');
    L.push(`## ${s.title}`);
    L.push('');
    L.push(s.source);
    L.push('');
    L.push('| test | what it checks | aarch64 | x86_64 | not modeled and why |');
    L.push('|---|---|---|---|---|');
    for (const r of s.rows)
      L.push(
        `| \`${r.name}\` | ${esc(r.checks)} | ${cell(r.results.aarch64)} | ${cell(r.results.x86_64)} | ${esc(r.notModeled) || '–'} |`,
      );
    for (const e of s.extra) {
      L.push('');
      L.push(e);
    }
  }
  const bugs = suites.flatMap((s) => s.rows.filter((r) => r.bug));
  if (bugs.length) {
    L.push('');
    L.push('## Model bugs');
    L.push('');
    L.push(
      'The rows below fail because the model differs from Linux 6.1; their tests are marked `it.fails` with this text, so they turn red once the model is fixed (then the marker comes off).',
    );
    for (const r of bugs) {
      const res = [r.results.aarch64, r.results.x86_64];
      const where =
        ARCHES.filter((a) => r.results[a] && r.results[a]!.status !== 'PASS').join(' and ') || 'no arch in this run';
      L.push('');
      L.push(
        `- **${r.name}** (${where}${res.some((x) => x?.status === 'PASS') ? '; passes elsewhere' : ''}): ${r.bug}`,
      );
    }
  }
  L.push('');
  L.push('## Details');
  for (const s of suites) {
    for (const r of s.rows) {
      const a = r.results.aarch64;
      const x = r.results.x86_64;
      if (!a && !x) continue;
      L.push('');
      L.push(`### ${r.name}`);
      const same = a && x && JSON.stringify(a) === JSON.stringify(x);
      const blocks: [string, ArchResult | undefined][] = same
        ? [['aarch64 and x86_64', a]]
        : [
            ['aarch64', a],
            ['x86_64', x],
          ];
      for (const [label, res] of blocks) {
        L.push('');
        if (!res) {
          L.push(`${label}: not run`);
          continue;
        }
        L.push(`${label}: **${res.status}**`);
        L.push('');
        for (const c of res.checks) L.push(`- ${c.ok ? '✓' : '✗'} ${c.fidelity ? '*(fidelity)* ' : ''}${c.what}`);
        for (const n of res.notes) L.push(`- note: ${n}`);
      }
    }
  }
  L.push('');
  return L.join('\n');
}

function writeDoc(): void {
  const suites: SuiteFile[] = [];
  for (const id of SUITE_ORDER) {
    const p = join(RESULTS_DIR, `${id}.json`);
    if (!existsSync(p)) continue;
    const f = JSON.parse(readFileSync(p, 'utf8')) as SuiteFile;
    suites.push({ ...f, order: f.order ?? [] });
  }
  mkdirSync(dirname(DOC_PATH), { recursive: true });
  const doc = renderDoc(suites);
  atomicWrite(DOC_PATH, doc);
  // The README carries the same tables between its peer-suites markers.
  const readme = join(dirname(DOC_PATH), '..', 'README.md');
  if (existsSync(readme)) {
    const text = readFileSync(readme, 'utf8');
    const start = '<!-- peer-suites:start -->';
    const end = '<!-- peer-suites:end -->';
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    const tables = doc
      .split('\n')
      .filter((l) => l.startsWith('|') || l.startsWith('## ') || l === '')
      .join('\n')
      .replace(/^## /gm, '#### ')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    if (i >= 0 && j > i)
      atomicWrite(
        readme,
        `${text.slice(0, i + start.length)}\n${tables}\n\nDetails and the original assertions: [docs/peer-suites.md](docs/peer-suites.md).\n${text.slice(j)}`,
      );
  }
}
