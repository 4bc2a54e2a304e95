/**
 * The course labs (docs/labs/) as tests, so the docs cannot drift from the model.
 *
 * Every fenced block opened with "```sh ID" in docs/labs/NN-*.md holds exactly one command.  The
 * answer key docs/labs/answers/NN-*.md holds, for every ID, an HTML comment
 *
 *   <!-- expect ID
 *   exit 0
 *   contains some text the answer quotes
 *   -->
 *
 * whose directives (one per line) are checked against the command's result:
 *
 *   exit N                 faultpath's exit status (bash -o pipefail: of the whole pipeline)
 *   contains TEXT          TEXT occurs in stdout + stderr
 *   lacks TEXT             TEXT does not occur
 *   matches /RE/FLAGS      the regular expression matches stdout + stderr
 *   count N TEXT           exactly N lines contain TEXT
 *   order A ;; B ;; …      A, B, … occur in this order
 *   block A ;; B ;; …      consecutive lines equal to A, B, … (dmesg timestamp removed, trimmed):
 *                          a call trace, frame by frame
 *   json PATH OP VALUE     stdout is JSON; PATH like processes[0].outcome.name or
 *                          cgroups["/t"]["memory.peak"]; OP one of = != < <= > >=; VALUE is JSON
 *   number /RE/ OP VALUE   the first group of RE, as a number, compared with VALUE
 *   badness COMM           recomputes Linux 6.1 oom_badness() for every row of the (last) OOM
 *                          report's task table (totalpages = the memcg limit, no swap), applies
 *                          oom_evaluate_task()'s tie rule, and requires the victim to be COMM and
 *                          to be the process the report says was killed
 *   threshold COMM ADJ     from the same table: the largest oom_score_adj COMM could have had
 *                          without being chosen is ADJ
 *
 * Commands run with the repository root as cwd, through `bash -o pipefail -c`.
 *
 * One fact of lab 3's answer key cannot be seen with a command (a program cannot print another
 * process's /proc file here): `<!-- expect-oom-score SCENARIO totalram=N COMM=SCORE … -->`.  The
 * test runs SCENARIO (relative to docs/labs/) through the TypeScript API and reads
 * /proc/<pid>/oom_score of each COMM while all of them sleep, and totalram_pages().
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logLines, parseKilledLine, parseOomReports, type OomTaskRow } from '../../src/explain/oom-report.js';
import { scoreTaskTable } from '../../src/explain/oom-victim.js';
import { runScenario } from '../../src/scenario/run.js';
import { REPO_ROOT as ROOT } from '../helpers/oracle.js';
import { parseScenario } from '../../src/scenario/schema.js';
import { filename_lookup } from '../../src/fs/namei.js';

const LABS = join(ROOT, 'docs', 'labs');
const ANSWERS = join(LABS, 'answers');
const MAX_COMMANDS = 40;

// ---------------------------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------------------------

interface LabCommand {
  lab: string;
  id: string;
  cmd: string;
  line: number;
}

interface Directive {
  op: string;
  arg: string;
  line: number;
}

interface Expectation {
  id: string;
  file: string;
  line: number;
  directives: Directive[];
}

const LAB_FILES = readdirSync(LABS)
  .filter((f) => /^\d\d-.*\.md$/.test(f))
  .sort();

function extractCommands(file: string): { commands: LabCommand[]; problems: string[] } {
  const lines = readFileSync(join(LABS, file), 'utf8').split('\n');
  const commands: LabCommand[] = [];
  const problems: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(?:[ \t]+(\S+))?\s*$/.exec(lines[i]!);
    if (!open || open[1] === '') {
      // a fence without a language: skip the whole block
      if (open) for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++);
      continue;
    }
    const lang = open[1]!;
    const id = open[2];
    const body: string[] = [];
    const start = i + 1;
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (lang !== 'sh' && lang !== 'bash' && lang !== 'shell' && lang !== 'console') continue;
    if (!id) {
      problems.push(`${file}:${start}: a \`${lang}\` block without an id (write \`\`\`${lang} ID)`);
      continue;
    }
    const joined = body.join('\n').replace(/\\\n/g, ' ');
    const cmds = joined
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    if (cmds.length !== 1) problems.push(`${file}:${start}: block ${id} holds ${cmds.length} commands; one per block`);
    else commands.push({ lab: file, id, cmd: cmds[0]!, line: start });
  }
  return { commands, problems };
}

function extractExpectations(file: string): Expectation[] {
  const text = readFileSync(join(ANSWERS, file), 'utf8');
  const out: Expectation[] = [];
  const re = /<!--\s*expect\s+(\S+)\s*\n([\s\S]*?)-->/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const line = text.slice(0, m.index).split('\n').length;
    const directives: Directive[] = [];
    m[2]!.split('\n').forEach((raw, k) => {
      const l = raw.trim();
      if (!l || l.startsWith('#')) return;
      const sp = l.indexOf(' ');
      directives.push({
        op: sp < 0 ? l : l.slice(0, sp),
        arg: sp < 0 ? '' : l.slice(sp + 1).trim(),
        line: line + 1 + k,
      });
    });
    out.push({ id: m[1]!, file, line, directives });
  }
  return out;
}

const PROBLEMS: string[] = [];
const COMMANDS: LabCommand[] = [];
for (const f of LAB_FILES) {
  const r = extractCommands(f);
  COMMANDS.push(...r.commands);
  PROBLEMS.push(...r.problems);
}
const EXPECTATIONS = new Map<string, Expectation>();
for (const f of LAB_FILES) {
  if (!existsSync(join(ANSWERS, f))) continue;
  for (const e of extractExpectations(f)) {
    if (EXPECTATIONS.has(e.id)) PROBLEMS.push(`answers/${f}:${e.line}: a second expect block for ${e.id}`);
    EXPECTATIONS.set(e.id, e);
  }
}

// ---------------------------------------------------------------------------------------------
// OOM report arithmetic (Linux 6.1 mm/oom_kill.c)
// ---------------------------------------------------------------------------------------------

/** A printk timestamp at the start of a dmesg line. */
const STAMP = /^\[\s*\d+\.\d+\]\s?/;

/** The last OOM report of the output that has a task table (the production parser), its memcg limit (pages) and killed process. */
function lastOomReport(out: string): {
  rows: OomTaskRow[];
  totalpages: number;
  killed: { pid: number; name: string } | null;
} {
  const rep = parseOomReports(logLines(out))
    .filter((r) => r.tasksHeaderSeen)
    .at(-1);
  if (!rep) throw new Error('no "Tasks state" table in the output');
  if (rep.tasksColumn !== 'pgtables_bytes') throw new Error('not a 6.1 task table header');
  const limit = rep.counters.memory;
  if (!limit) throw new Error('no "memory: usage …, limit …" line (not a memcg OOM report?)');
  const kills = [...rep.killed, ...rep.laterKills.map(parseKilledLine)].filter((k) => k !== null);
  const k = kills[kills.length - 1];
  return { rows: rep.tasks, totalpages: limit.limitKb / 4, killed: k ? { pid: k.pid, name: k.comm } : null };
}

/** The task table with one task's oom_score_adj replaced (what-if). */
const withAdj = (rows: OomTaskRow[], override?: { name: string; adj: number }) =>
  rows.map((t) => (override && t.name === override.name ? { ...t, oomScoreAdj: override.adj } : t));

/** 6.1 oom_badness() of a row (the production function); null = never chosen. */
function badness(t: OomTaskRow, totalpages: number, adj = t.oomScoreAdj): number | null {
  return scoreTaskTable('6.1', [{ ...t, oomScoreAdj: adj }], totalpages).candidates[0]!.points;
}

/** select_bad_process() over a memcg in table (scan) order, with the production 6.1 tie rule. */
function chooseVictim(
  rows: OomTaskRow[],
  totalpages: number,
  override?: { name: string; adj: number },
): OomTaskRow | null {
  const v = scoreTaskTable('6.1', withAdj(rows, override), totalpages).victim;
  return v ? rows.find((t) => t.pid === v.pid)! : null;
}

// ---------------------------------------------------------------------------------------------
// Directive checks
// ---------------------------------------------------------------------------------------------

function parseRegex(s: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/.exec(s);
  if (!m) throw new Error(`expected /regex/flags, got ${s}`);
  return new RegExp(m[1]!, m[2]);
}

function jsonPath(v: unknown, path: string): unknown {
  const re = /^(?:\.?([A-Za-z_$][\w$]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\])/;
  let rest = path.trim();
  let cur = v;
  while (rest) {
    const m = re.exec(rest);
    if (!m) throw new Error(`bad JSON path at "${rest}"`);
    const key = m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(`"${m[3]}"`));
    cur = cur === null || cur === undefined ? undefined : (cur as Record<string | number, unknown>)[key];
    rest = rest.slice(m[0].length);
  }
  return cur;
}

function compare(actual: unknown, op: string, expected: unknown): boolean {
  switch (op) {
    case '=':
      return JSON.stringify(actual) === JSON.stringify(expected);
    case '!=':
      return JSON.stringify(actual) !== JSON.stringify(expected);
    case '<':
      return (actual as number) < (expected as number);
    case '<=':
      return (actual as number) <= (expected as number);
    case '>':
      return (actual as number) > (expected as number);
    case '>=':
      return (actual as number) >= (expected as number);
    default:
      throw new Error(`unknown comparison ${op}`);
  }
}

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function check(d: Directive, r: Result): void {
  const all = `${r.stdout}\n${r.stderr}`;
  const where = `(directive "${d.op} ${d.arg}", answers line ${d.line})`;
  switch (d.op) {
    case 'exit':
      expect(r.status, `exit status ${where}\n--- stderr:\n${r.stderr.slice(-2000)}`).toBe(Number(d.arg));
      return;
    case 'contains':
      expect(all.includes(d.arg), `output should contain ${JSON.stringify(d.arg)} ${where}`).toBe(true);
      return;
    case 'lacks':
      expect(all.includes(d.arg), `output should not contain ${JSON.stringify(d.arg)} ${where}`).toBe(false);
      return;
    case 'matches':
      expect(parseRegex(d.arg).test(all), `output should match ${d.arg} ${where}`).toBe(true);
      return;
    case 'count': {
      const m = /^(\d+)\s+(.+)$/.exec(d.arg)!;
      const n = all.split('\n').filter((l) => l.includes(m[2]!)).length;
      expect(n, `lines containing ${JSON.stringify(m[2])} ${where}`).toBe(Number(m[1]));
      return;
    }
    case 'order': {
      const parts = d.arg.split(' ;; ').map((s) => s.trim());
      let at = 0;
      for (const p of parts) {
        const i = all.indexOf(p, at);
        expect(i, `${JSON.stringify(p)} should occur after the previous item ${where}`).toBeGreaterThanOrEqual(0);
        at = i + p.length;
      }
      return;
    }
    case 'block': {
      const want = d.arg.split(' ;; ').map((x) => x.trim());
      const lines = all.split('\n').map((l) => l.replace(STAMP, '').trim());
      const found = lines.some((_, i) => want.every((w, k) => lines[i + k] === w));
      expect(found, `consecutive lines ${JSON.stringify(want)} ${where}`).toBe(true);
      return;
    }
    case 'json': {
      const m = /^(\S+)\s+(=|!=|<=|>=|<|>)\s+(.+)$/.exec(d.arg);
      if (!m) throw new Error(`bad json directive ${where}`);
      const actual = jsonPath(JSON.parse(r.stdout), m[1]!);
      const expected = JSON.parse(m[3]!);
      expect(
        compare(actual, m[2]!, expected),
        `${m[1]} is ${JSON.stringify(actual)}, expected ${m[2]} ${m[3]} ${where}`,
      ).toBe(true);
      return;
    }
    case 'number': {
      const m = /^(\/.*\/[a-z]*)\s+(=|!=|<=|>=|<|>)\s+(\S+)$/.exec(d.arg);
      if (!m) throw new Error(`bad number directive ${where}`);
      const got = parseRegex(m[1]!).exec(all);
      expect(got, `output should match ${m[1]} ${where}`).not.toBeNull();
      const actual = Number(got![1]);
      expect(
        compare(actual, m[2]!, Number(m[3])),
        `${m[1]} captured ${actual}, expected ${m[2]} ${m[3]} ${where}`,
      ).toBe(true);
      return;
    }
    case 'badness': {
      const rep = lastOomReport(r.stdout);
      expect(rep.rows.length, `task table rows ${where}`).toBeGreaterThan(0);
      const victim = chooseVictim(rep.rows, rep.totalpages);
      expect(victim?.name, `recomputed victim ${where}`).toBe(d.arg);
      expect(rep.killed, `a "Killed process" line ${where}`).not.toBeNull();
      expect(rep.killed!.pid, `the killed process is the recomputed victim ${where}`).toBe(victim!.pid);
      return;
    }
    case 'threshold': {
      const m = /^(\S+)\s+(-?\d+)$/.exec(d.arg)!;
      const rep = lastOomReport(r.stdout);
      const name = m[1]!;
      expect(
        rep.rows.some((t) => t.name === name),
        `${name} in the task table ${where}`,
      ).toBe(true);
      let best: number | null = null;
      for (let adj = 1000; adj >= -1000; adj--) {
        if (chooseVictim(rep.rows, rep.totalpages, { name, adj })?.name !== name) {
          best = adj;
          break;
        }
      }
      expect(best, `largest oom_score_adj that spares ${name} ${where}`).toBe(Number(m[2]));
      return;
    }
    default:
      throw new Error(`unknown directive "${d.op}" ${where}`);
  }
}

function runCommand(cmd: string): Result {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 110_000,
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('course labs: structure', () => {
  it('every lab has an answer key and an entry in the index', () => {
    const index = readFileSync(join(LABS, 'README.md'), 'utf8');
    expect(LAB_FILES.length).toBeGreaterThanOrEqual(5);
    for (const f of LAB_FILES) {
      expect(existsSync(join(ANSWERS, f)), `answers/${f}`).toBe(true);
      expect(index, `README.md links ${f}`).toContain(`(${f})`);
      expect(index, `README.md links answers/${f}`).toContain(`(answers/${f})`);
      expect(readFileSync(join(LABS, f), 'utf8'), `${f} links its answer key`).toContain(`(answers/${f})`);
    }
  });

  it('every command block is well-formed, and every command has exactly one expect block', () => {
    expect(PROBLEMS).toEqual([]);
    const ids = COMMANDS.map((c) => c.id);
    expect(new Set(ids).size, `duplicate command ids: ${ids.join(' ')}`).toBe(ids.length);
    for (const c of COMMANDS) {
      expect(
        c.id.startsWith(String(Number(c.lab.slice(0, 2)))),
        `${c.lab}:${c.line}: id ${c.id} should start with the lab number`,
      ).toBe(true);
      expect(c.cmd, `${c.lab}:${c.line}`).toMatch(/^node bin\/faultpath\.js /);
      const e = EXPECTATIONS.get(c.id);
      expect(e, `answers/${c.lab} has no <!-- expect ${c.id} --> block`).toBeDefined();
      expect(e!.file, `the expect block of ${c.id} belongs in answers/${c.lab}`).toBe(c.lab);
      expect(
        e!.directives.some((d) => d.op === 'exit'),
        `expect ${c.id} checks the exit status`,
      ).toBe(true);
      expect(e!.directives.length, `expect ${c.id} checks more than the exit status`).toBeGreaterThan(1);
    }
    for (const id of EXPECTATIONS.keys()) expect(ids, `expect block ${id} has no command`).toContain(id);
    expect(COMMANDS.length, 'keep the labs at most 40 commands').toBeLessThanOrEqual(MAX_COMMANDS);
  });

  it('every file a command names exists', () => {
    for (const c of COMMANDS) {
      for (const p of c.cmd.match(/docs\/labs\/\S+/g) ?? [])
        expect(existsSync(join(ROOT, p)), `${c.lab}:${c.line}: ${p}`).toBe(true);
    }
  });
});

describe('course labs: the commands', () => {
  for (const c of COMMANDS) {
    const e = EXPECTATIONS.get(c.id);
    it.skipIf(!e)(
      `${c.lab.replace(/\.md$/, '')} ${c.id}: ${c.cmd.replace(/^node bin\/faultpath\.js /, 'faultpath ')}`,
      () => {
        const r = runCommand(c.cmd);
        for (const d of e!.directives) check(d, r);
      },
    );
  }
});

describe('course labs: facts checked through the API', () => {
  const facts: { file: string; scenario: string; totalram: number; scores: Map<string, number> }[] = [];
  for (const f of LAB_FILES) {
    if (!existsSync(join(ANSWERS, f))) continue;
    const text = readFileSync(join(ANSWERS, f), 'utf8');
    for (const m of text.matchAll(/<!--\s*expect-oom-score\s+(\S+)\s+totalram=(\d+)((?:\s+[\w.-]+=\d+)+)\s*-->/g)) {
      const scores = new Map([...m[3]!.matchAll(/([\w.-]+)=(\d+)/g)].map((x) => [x[1]!, Number(x[2])] as const));
      facts.push({ file: f, scenario: m[1]!, totalram: Number(m[2]), scores });
    }
  }

  it('lab 3 quotes /proc/<pid>/oom_score somewhere', () => {
    expect(facts.some((x) => x.file.startsWith('03-'))).toBe(true);
  });

  for (const fact of facts) {
    it(`${fact.file.replace(/\.md$/, '')}: /proc/<pid>/oom_score in ${fact.scenario}`, async () => {
      const file = join(LABS, fact.scenario);
      const s = parseScenario(readFileSync(file, 'utf8'), file);
      const seen = new Map<string, number>();
      let totalram = 0;
      const r = await runScenario(s, {
        baseDir: dirname(file),
        onProgress: (m) => {
          totalram = m.k.phys.managedPages;
          const tasks = [...m.k.sched.tasks.values()].filter((t) => fact.scores.has(t.comm) && t.pid === t.tgid);
          // all of them started, and all asleep in nanosleep (their memory is final)
          if (tasks.length !== fact.scores.size || seen.size) return;
          if (!tasks.every((t) => t.state === 'S' && t.wake?.waitq === 'hrtimer_nanosleep')) return;
          for (const t of tasks)
            seen.set(
              t.comm,
              Number(String(filename_lookup(m.sys.vfs, `/proc/${t.pid}/oom_score`, null)?.read?.() ?? 'NaN').trim()),
            );
        },
      });
      r.machine.close();
      expect(totalram, 'totalram_pages()').toBe(fact.totalram);
      expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(fact.scores));
    });
  }
});

describe('course labs: the test helpers', () => {
  const report = [
    '[    0.019972] db invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
    '[    0.019972] memory: usage 65536kB, limit 65536kB, failcnt 19',
    '[    0.019972] Tasks state (memory values in pages):',
    '[    0.019972] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name',
    '[    0.019972] [    102]     0   102     6182     6138    77824        0             0 db',
    '[    0.019972] [    104]     0   104     4134     4107        0        0             0 web',
    '[    0.019972] Memory cgroup out of memory: Killed process 102 (db) total-vm:24728kB',
  ].join('\n');

  it('recomputes the victim and the threshold, with the 6.1 tie rule', () => {
    const rep = lastOomReport(report);
    expect(rep.totalpages).toBe(16384);
    expect(rep.rows.map((t) => badness(t, rep.totalpages))).toEqual([6157, 4107]);
    expect(chooseVictim(rep.rows, rep.totalpages)?.name).toBe('db');
    // 6157 + 16*adj: -128 -> 4109 (db), -129 -> 4093 (web); a tie would go to web, scanned later
    expect(chooseVictim(rep.rows, rep.totalpages, { name: 'db', adj: -128 })?.name).toBe('db');
    expect(chooseVictim(rep.rows, rep.totalpages, { name: 'db', adj: -129 })?.name).toBe('web');
    expect(chooseVictim([{ ...rep.rows[0]!, rss: 4088 }, rep.rows[1]!], rep.totalpages)?.name).toBe('web');
    expect(chooseVictim(rep.rows, rep.totalpages, { name: 'db', adj: -1000 })?.name).toBe('web');
    expect(() =>
      check({ op: 'threshold', arg: 'db -129', line: 0 }, { status: 0, stdout: report, stderr: '' }),
    ).not.toThrow();
    expect(() => check({ op: 'badness', arg: 'web', line: 0 }, { status: 0, stdout: report, stderr: '' })).toThrow();
  });

  it('reads JSON paths and compares', () => {
    const v = { cgroups: { '/t': { 'memory.peak': 262144 } }, processes: [{ outcome: { name: 'SIGKILL' } }] };
    expect(jsonPath(v, 'cgroups["/t"]["memory.peak"]')).toBe(262144);
    expect(jsonPath(v, 'processes[0].outcome.name')).toBe('SIGKILL');
    expect(compare(262144, '<=', 262144)).toBe(true);
    expect(compare('SIGKILL', '=', 'SIGKILL')).toBe(true);
  });
});
