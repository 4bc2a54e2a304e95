/**
 * End-to-end tests of the faultpath command line: every command and the main flags, run as a
 * user runs them (`node bin/faultpath.js …` in a child process), checking stdout, stderr and the
 * exit code (src/cli/main.ts: 0 ok, 1 expectation/oracle mismatch, 2 bad usage, 3 panic,
 * 4 budget/livelock/deadlock, 5 internal error).
 *
 * Each spawn costs about a second (tsx start-up + Unicorn), so the file keeps to ≤ 35 of them
 * (checked at the end).  Flag-parsing corner cases that need no guest run are in
 * test/cli/flags.test.ts (in-process).  The OOM runs use test/cli/programs/<arch>/hog.S, a tiny
 * self-contained hog (mmap 64 pages, write one byte per page, forever); with memory.max 1M the
 * whole memcg OOM takes ~250 faults.  Its --only-fatal traces are the golden files of
 * test/golden/, so the CLI is also checked to print exactly those bytes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElf } from '../../src/fs/binfmt_elf.js';
import { REPO_ROOT } from '../../src/scenario/run.js';
import { parseJsonl } from '../../src/trace/index.js';
import { validatePerfetto } from '../golden/perfetto-validate.js';
import { ORACLE_DIR as ORACLE } from '../helpers/oracle.js';

const BIN = join(REPO_ROOT, 'bin', 'faultpath.js');
const HOG = (arch: 'aarch64' | 'x86_64') => join('test', 'cli', 'programs', arch, 'hog.S');
const GOLDEN = (arch: 'aarch64' | 'x86_64', name: string) =>
  readFileSync(join(REPO_ROOT, 'test', 'golden', arch, name), 'utf8');
const MAX_SPAWNS = 35;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let spawns = 0;
function cli(args: string[], opts: { input?: string } = {}): Run {
  spawns++;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', UPDATE_GOLDEN: '' },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 110_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Fails with the whole stderr when the exit code is not the expected one. */
function expectCode(r: Run, code: number): void {
  if (r.code !== code)
    expect.fail(
      `exit code ${r.code}, expected ${code}\n--- stderr:\n${r.stderr}\n--- stdout (first 2000 chars):\n${r.stdout.slice(0, 2000)}`,
    );
}

let tmp = '';
const tmpFile = (name: string, text?: string) => {
  const f = join(tmp, name);
  if (text !== undefined) writeFileSync(f, text);
  return f;
};

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'faultpath-cli-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/* ---------------------------------------------------------------------------------------- */

describe('help', () => {
  it('faultpath --help lists every command and the exit codes', () => {
    const r = cli(['--help']);
    expectCode(r, 0);
    for (const c of [
      'run [options] <program> [args...]',
      'scenario [options] <file>',
      'explain',
      'asm [options] <file>',
      'list',
      'oracle [options] <case>',
    ])
      expect(r.stdout).toContain(c);
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toMatch(/^ {2}3 {2}the modeled kernel panicked/m);
  });

  it('faultpath run --help documents every flag and shows examples', () => {
    const r = cli(['run', '--help']);
    expectCode(r, 0);
    for (const f of [
      '--arch <arch>',
      '--kernel <version>',
      '--mem <size>',
      '--cgroup <path>',
      '--memory-max <size>',
      '--oom-score-adj <n>',
      '--sysctl <key=value>',
      '--trace <format>',
      '--trace-out <file>',
      '--summary',
      '--dmesg',
      '--json',
      '--filter-func <glob>',
      '--filter-task <pid|comm>',
      '--filter-kind <kind>',
      '--max-depth <n>',
      '--only-fatal',
      '--budget <instructions>',
    ]) {
      expect(r.stdout).toContain(f);
    }
    expect(r.stdout).toContain('Examples:');
  });

  it('faultpath without a command prints the usage on stderr and exits 2', () => {
    const r = cli([]);
    expectCode(r, 2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: faultpath [options] [command]');
  });
});

/* ---------------------------------------------------------------------------------------- */

describe('run', () => {
  it('runs a guest program by name (default arch aarch64): its stdout, then one status line', () => {
    const r = cli(['run', 'hello']);
    expectCode(r, 0);
    expect(r.stdout).toBe('hello, world\n');
    expect(r.stderr).toMatch(/^faultpath: hello\[\d+\] exited with status 0; minflt \d+, majflt 0\n$/);
    expect(r.stderr).not.toContain('\r'); // no progress line: stderr is not a terminal
  });

  it('--arch x86_64 --kernel 3.12 --mem 64M --json: the run result as JSON', () => {
    const r = cli(['run', 'hello', '--arch', 'x86_64', '--kernel', '3.12', '--mem', '64M', '--json']);
    expectCode(r, 0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ arch: 'x86_64', kernel: '3.12', end: { kind: 'exited' }, cgroups: {}, dmesg: [] });
    expect(j.processes).toHaveLength(1);
    expect(j.processes[0]).toMatchObject({
      id: 'main',
      comm: 'hello',
      outcome: { kind: 'exit', code: 0 },
      wait_status: 0,
      oom_killed: false,
      stdout: 'hello, world\n',
    });
    expect(j.instructions).toBeGreaterThan(0);
    expect(r.stderr).toBe(''); // --json replaces the status lines
  });

  it('memcg OOM with --json: processes, hierarchical and local cgroup counters, the kernel log', () => {
    const r = cli([
      'run',
      HOG('aarch64'),
      '--cgroup',
      '/a/b',
      '--memory-max',
      '1M',
      '--oom-score-adj',
      '500',
      '--sysctl',
      'vm.oom_dump_tasks=1',
      '--json',
    ]);
    expectCode(r, 0);
    const j = JSON.parse(r.stdout);
    expect(j.end).toEqual({ kind: 'exited' });
    const p = j.processes[0];
    expect(p).toMatchObject({
      comm: 'hog',
      outcome: { kind: 'signal', signal: 9, name: 'SIGKILL' },
      wait_status: 9,
      oom_killed: true,
      majflt: 0,
    });
    expect(p.minflt).toBeGreaterThan(200); // 1M = 256 pages, one fault per page
    expect(Object.keys(j.cgroups).sort()).toEqual(['/a', '/a/b']);
    const leaf = j.cgroups['/a/b'];
    const parent = j.cgroups['/a'];
    expect(leaf['memory.max']).toBe(1048576);
    expect(leaf['memory.peak']).toBe(1048576);
    expect(leaf['memory.current']).toBe(0); // the victim has exited
    expect(leaf['memory.events']).toMatchObject({ oom: 1, oom_kill: 1 });
    expect(leaf['memory.events'].max).toBeGreaterThan(0);
    expect(leaf['memory.events.local']).toEqual(leaf['memory.events']);
    expect(parent['memory.max']).toBe('max');
    expect(parent['memory.events']).toMatchObject({ oom: 1, oom_kill: 1, max: leaf['memory.events'].max }); // hierarchical
    expect(parent['memory.events.local']).toMatchObject({ oom: 0, oom_kill: 0, max: 0 });
    const log = j.dmesg.join('\n');
    expect(log).toMatch(/hog invoked oom-killer: gfp_mask=0xcc0\(GFP_KERNEL\), order=0, oom_score_adj=500/);
    expect(log).toContain('Tasks state (memory values in pages):');
    expect(log).toContain(
      `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a/b,task_memcg=/a/b,task=hog,pid=${p.pid},uid=0`,
    );
    expect(log).toMatch(
      new RegExp(
        `Memory cgroup out of memory: Killed process ${p.pid} \\(hog\\) total-vm:\\d+kB, anon-rss:\\d+kB, file-rss:0kB, shmem-rss:4kB, UID:0 pgtables:\\d+kB oom_score_adj:500`,
      ),
    );
    expect(j.dmesg.every((l: string) => /^\[ {0,4}\d+\.\d{6}\] /.test(l))).toBe(true);
  });

  it('repeated --sysctl: vm.panic_on_oom=2 makes a memcg OOM a "compulsory" panic (exit 3); vm.oom_dump_tasks=0 drops the task list', () => {
    const r = cli([
      'run',
      HOG('x86_64'),
      '--arch',
      'x86_64',
      '--cgroup',
      't',
      '--memory-max',
      '1M',
      '--sysctl',
      'vm.panic_on_oom=2',
      '--sysctl',
      'vm.oom_dump_tasks=0',
      '--dmesg',
    ]);
    expectCode(r, 3);
    expect(r.stdout).toContain('hog invoked oom-killer');
    expect(r.stdout).toMatch(/\] Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled\n$/);
    expect(r.stdout).not.toContain('Tasks state');
    expect(r.stdout).not.toContain('Killed process');
    expect(r.stderr).toBe('faultpath: the kernel panicked: Out of memory: compulsory panic_on_oom is enabled\n');
  });

  it('--kernel 4.19 prints the 4.19 OOM report', () => {
    const r = cli([
      'run',
      HOG('x86_64'),
      '--arch',
      'x86_64',
      '--kernel',
      '4.19',
      '--cgroup',
      't',
      '--memory-max',
      '1M',
      '--dmesg',
    ]);
    expectCode(r, 0);
    expect(r.stdout).toContain(
      'hog invoked oom-killer: gfp_mask=0x6000c0(GFP_KERNEL), nodemask=(null), order=0, oom_score_adj=0',
    );
    expect(r.stdout).toContain('Not tainted 4.19.');
    expect(r.stdout).toContain('Task in /t killed as a result of limit of /t');
    expect(r.stdout).toMatch(/Memory cgroup out of memory: Kill process \d+ \(hog\) score \d+ or sacrifice child/);
    expect(r.stdout).not.toContain('oom-kill:constraint='); // 6.1's summary line
  });

  it('--budget: an unfinished run exits 4 and says why', () => {
    const r = cli(['run', HOG('aarch64'), '--budget', '1000']);
    expectCode(r, 4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^faultpath: hog\[\d+\] running; minflt \d+, majflt 0\nfaultpath: instruction budget exhausted after \d+ instructions \(raise --budget\)\n$/,
    );
  });
});

/* ---------------------------------------------------------------------------------------- */

describe('run --trace', () => {
  it('function_graph on stdout with --filter-func "do_*" --max-depth 2', () => {
    const r = cli([
      'run',
      HOG('aarch64'),
      '--cgroup',
      't',
      '--memory-max',
      '1M',
      '--trace',
      'function_graph',
      '--filter-func',
      'do_*',
      '--max-depth',
      '2',
    ]);
    expectCode(r, 0);
    expect(r.stdout.startsWith('# tracer: function_graph\n#\n# CPU  DURATION                  FUNCTION CALLS\n')).toBe(
      true,
    );
    expect(r.stderr).toBe('');
    const outermost = new Set<string>();
    let calls = 0;
    for (const line of r.stdout.split('\n')) {
      const m = /^ *\d+\)[^|]*\|  ( *)(.*)$/.exec(line);
      if (!m) continue;
      const body = m[2]!;
      const depth = m[1]!.length / 2;
      if (body.startsWith('/*') || body.startsWith('}')) continue;
      const fn = /^([\w.]+)\(\)/.exec(body)?.[1];
      expect(fn, line).toBeDefined();
      calls++;
      expect(depth, line).toBeLessThan(2); // --max-depth 2
      if (depth === 0) outermost.add(fn!);
    }
    expect(calls).toBeGreaterThan(200);
    expect([...outermost].every((f) => f.startsWith('do_'))).toBe(true);
    expect(outermost).toContain('do_mem_abort');
    expect(r.stdout).not.toMatch(/el0t_64_sync(_handler)?\(\)/); // the entry code is above the filtered functions
    expect(r.stdout).not.toContain('handle_mm_fault()'); // depth 2 under do_mem_abort → do_translation_fault
  });

  it('jsonl to --trace-out with repeated --filter-kind', () => {
    const out = tmpFile('kinds.jsonl');
    const r = cli([
      'run',
      HOG('x86_64'),
      '--arch',
      'x86_64',
      '--cgroup',
      't',
      '--memory-max',
      '1M',
      '--trace',
      'jsonl',
      '--trace-out',
      out,
      '--filter-kind',
      'oom',
      '--filter-kind',
      'signal',
    ]);
    expectCode(r, 0);
    expect(r.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    const events = parseJsonl(text);
    expect(text.trimEnd().split('\n')).toHaveLength(events.length);
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(['oom', 'signal']));
    const oom = events.find((e) => e.kind === 'oom');
    expect(oom).toMatchObject({ constraint: 'CONSTRAINT_MEMCG', comm: 'hog' });
    expect(events.some((e) => e.kind === 'signal' && e.name === 'SIGKILL')).toBe(true);
  });

  it('perfetto --only-fatal to --trace-out: valid trace-event JSON, identical to the golden file', () => {
    const out = tmpFile('fatal.perfetto.json');
    const r = cli([
      'run',
      HOG('aarch64'),
      '--cgroup',
      't',
      '--memory-max',
      '1M',
      '--trace',
      'perfetto',
      '--trace-out',
      out,
      '--only-fatal',
    ]);
    expectCode(r, 0);
    const text = readFileSync(out, 'utf8');
    const { problems, stats } = validatePerfetto(text);
    expect(problems).toEqual([]);
    expect(stats.slices).toBeGreaterThan(10);
    expect(text).toBe(GOLDEN('aarch64', 'perfetto.json'));
  });

  it('function_graph --only-fatal on stdout is the golden file (x86_64)', () => {
    const r = cli([
      'run',
      HOG('x86_64'),
      '--arch',
      'x86_64',
      '--cgroup',
      't',
      '--memory-max',
      '1M',
      '--trace',
      'function_graph',
      '--only-fatal',
    ]);
    expectCode(r, 0);
    expect(r.stdout).toBe(GOLDEN('x86_64', 'function_graph.txt'));
    expect(r.stdout).toContain('mem_cgroup_out_of_memory() {');
  });

  it('--trace dmesg --summary: the kernel-log trace, then the fault-path summary (the golden files)', () => {
    const r = cli([
      'run',
      HOG('x86_64'),
      '--arch',
      'x86_64',
      '--cgroup',
      't',
      '--memory-max',
      '1M',
      '--trace',
      'dmesg',
      '--summary',
    ]);
    expectCode(r, 0);
    expect(r.stdout).toBe(GOLDEN('x86_64', 'dmesg.txt') + GOLDEN('x86_64', 'summary.txt'));
    expect(r.stdout).toMatch(/\d+ fault episodes: hog-\d+ ×\d+\noutcomes:\n/);
    expect(r.stdout).toMatch(/ 1 {2}VM_FAULT_OOM, oom-kill hog-\d+, SIGKILL\n/);
  });
});

/* ---------------------------------------------------------------------------------------- */

const hogAbs = resolve(REPO_ROOT, HOG('x86_64'));
const twoProcs = (expectations: string) => `name: hog and hello
machine:
  arch: x86_64
  mem: 256M
cgroups:
  - path: t
    memory.max: 1M
processes:
  - id: hog
    program: ${hogAbs}
    cgroup: t
  - id: hi
    program: hello
expect:
${expectations}`;

describe('scenario', () => {
  it('--check passes (exit 0); expectations see the whole trace whatever --filter-task selects for --trace', () => {
    const file = tmpFile(
      'pass.yaml',
      twoProcs(`  outcome:
    hog: {signal: SIGKILL}
    hi: {exit: 0}
  killed_by_oom: [hog]
  survives: [hi]
  events:
    t: {oom: 1, oom_kill: 1}
  events_local:
    t: {oom_kill: 1}
  dmesg_contains: ["Memory cgroup out of memory: Killed process"]
  dmesg_not_contains: ["Kernel panic"]
  trace_contains: ["mem_cgroup_out_of_memory() {"]
  panic: false
`),
    );
    const out = tmpFile('hello-only.jsonl');
    const r = cli(['scenario', file, '--check', '--trace', 'jsonl', '--trace-out', out, '--filter-task', 'hello']);
    expectCode(r, 0);
    expect(r.stderr).toBe(`faultpath: ${file}: all expectations met\n`);
    const events = parseJsonl(readFileSync(out, 'utf8'));
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.comm))).toEqual(new Set(['hello']));
    expect(events.some((e) => e.kind === 'syscall' && e.name === 'write')).toBe(true);
  });

  it('--check fails with exit 1, one FAIL line per failed expectation', () => {
    const file = tmpFile(
      'fail.yaml',
      twoProcs(`  survives: [hog]
  events:
    t: {oom_kill: 2}
  dmesg_contains: ["no such line"]
  trace_contains: ["this_function_does_not_exist"]
`),
    );
    const r = cli(['scenario', file, '--check']);
    expectCode(r, 1);
    const fails = r.stderr.split('\n').filter((l) => l.startsWith('FAIL '));
    expect(fails).toEqual([
      expect.stringMatching(/^FAIL survives: hog did not survive \(.*SIGKILL.*\)$/),
      'FAIL memory.events: /t oom_kill expected 2, got 1',
      'FAIL dmesg_contains: no line contains "no such line"',
      'FAIL trace_contains: the trace has no "this_function_does_not_exist"',
    ]);
    expect(r.stderr).not.toContain('all expectations met');
  });

  const panicScenario = () =>
    tmpFile(
      'panic.yaml',
      `machine: {arch: x86_64, mem: 256M, sysctls: {vm.panic_on_oom: 2}}\ncgroups: [{path: t, memory.max: 1M}]\nprocesses: [{id: hog, program: ${hogAbs}, cgroup: t}]\nexpect: {panic: true, dmesg_contains: ["compulsory panic_on_oom"]}\n`,
    );

  it('expect.panic: the expected panic is success (exit 0, not 3)', () => {
    const file = panicScenario();
    const r = cli(['scenario', file, '--check']);
    expectCode(r, 0);
    expect(r.stderr).toContain('faultpath: the kernel panicked: Out of memory: compulsory panic_on_oom is enabled\n');
    expect(r.stderr).toMatch(/all expectations met\n$/);
  });

  it('expect.panic does not hide a run that never got there (--budget: exit 4)', () => {
    const r = cli(['scenario', panicScenario(), '--budget', '500']);
    expectCode(r, 4);
    expect(r.stderr).toMatch(/instruction budget exhausted after \d+ instructions/);
  });

  it('a bad size names the file, the YAML line and the field (exit 2)', () => {
    const file = tmpFile(
      'bad-size.yaml',
      'name: bad size\nmachine:\n  arch: aarch64\ncgroups:\n  - path: t\n    memory.max: 8Q\nprocesses:\n  - id: hog\n    program: hog\n',
    );
    const r = cli(['scenario', file]);
    expectCode(r, 2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`faultpath: ${file}:6: cgroups[0].memory.max: expected a size like 8M, 4096, or max\n`);
  });

  it('a scenario without processes is rejected (exit 2)', () => {
    const file = tmpFile('no-procs.yaml', 'name: nothing to run\nmachine:\n  arch: aarch64\ncgroups:\n  - path: t\n');
    const r = cli(['scenario', file]);
    expectCode(r, 2);
    expect(r.stderr).toMatch(
      new RegExp(`^faultpath: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: processes: .+\\n$`),
    );
  });

  it('start.after_ready must name a process of the scenario (exit 2)', () => {
    const file = tmpFile(
      'bad-ref.yaml',
      'machine:\n  arch: x86_64\nprocesses:\n  - id: holder\n    program: hello\n  - id: hog\n    program: hello\n    start:\n      after_ready: nope\n',
    );
    const r = cli(['scenario', file]);
    expectCode(r, 2);
    expect(r.stderr).toBe(`faultpath: ${file}:9: processes[1].start: unknown process id 'nope'\n`);
  });
});

/* ---------------------------------------------------------------------------------------- */

describe('usage errors (exit 2)', () => {
  it('an unknown flag', () => {
    const r = cli(['run', 'hello', '--bogus']);
    expectCode(r, 2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("error: unknown option '--bogus'\n(add --help for usage)\n");
  });

  it('a malformed --sysctl', () => {
    const r = cli(['run', 'hello', '--sysctl', 'vm.panic_on_oom']);
    expectCode(r, 2);
    expect(r.stderr).toBe(
      "faultpath: invalid --sysctl 'vm.panic_on_oom' (expected key=integer, e.g. vm.panic_on_oom=1)\n",
    );
  });

  it('an unknown program', () => {
    const r = cli(['run', 'no_such_program']);
    expectCode(r, 2);
    expect(r.stderr).toBe(
      "faultpath: program 'no_such_program' not found (looked for a guest program guest-programs/aarch64/no_such_program.S, or a file)\n",
    );
  });

  it('invalid assembly: file:line: message', () => {
    const src = tmpFile('bad.S', '// a typo on line 4\n        .text\n_start: mov x0, #1\n        frobnicate x1, x2\n');
    const r = cli(['asm', src, '--arch', 'aarch64', '-o', tmpFile('bad.elf')]);
    expectCode(r, 2);
    expect(r.stderr).toBe(`faultpath: ${src}:4: unknown instruction \`frobnicate\`\n`);
    expect(existsSync(tmpFile('bad.elf'))).toBe(false);
  });
});

/* ---------------------------------------------------------------------------------------- */

describe('explain', () => {
  it('explain esr 0x92000046: the fields, the fault_info entry and the kernel path', () => {
    const r = cli(['explain', 'esr', '0x92000046']);
    expectCode(r, 0);
    expect(r.stdout).toContain('ESR_ELx 0x0000000092000046 (Linux 6.1)');
    expect(r.stdout).toMatch(/EC +\[31:26\] = 0x24 +ESR_ELx_EC_DABT_LOW/);
    expect(r.stdout).toMatch(/WnR +\[6\] += 1 +write/);
    expect(r.stdout).toContain(
      'fault_info[6] (Linux 6.1): do_translation_fault, SIGSEGV (11), SEGV_MAPERR (1), "level 2 translation fault"',
    );
  });

  it('explain pf 0x6: a user-mode write to a not-present page', () => {
    const r = cli(['explain', 'pf', '0x6']);
    expectCode(r, 0);
    expect(r.stdout).toContain('x86 page-fault error code 0x6 (Linux 6.1)');
    expect(r.stdout).toMatch(/bit 1 +X86_PF_WRITE = 1/);
    expect(r.stdout).toMatch(/bit 2 +X86_PF_USER += 1/);
    expect(r.stdout).toContain('Summary: user-mode write to a not-present page');
  });

  it('explain esr with a value that is not a number (exit 2)', () => {
    const r = cli(['explain', 'esr', 'zzz']);
    expectCode(r, 2);
    expect(r.stderr).toBe("faultpath: invalid ESR 'zzz': expected a hexadecimal number such as 0x92000046\n");
  });

  it('explain oom - reads a kernel log on stdin (the golden memcg OOM report)', () => {
    const r = cli(['explain', 'oom', '-'], { input: GOLDEN('aarch64', 'dmesg.txt') });
    expectCode(r, 0);
    expect(r.stdout).toMatch(/^1 OOM report found/);
    expect(r.stdout).toContain('memory-cgroup OOM');
  });
});

/* ---------------------------------------------------------------------------------------- */

describe('asm and list', () => {
  const elf = () => tmpFile('hog.elf');

  it('asm writes a static ELF that the loader accepts', () => {
    const r = cli(['asm', HOG('x86_64'), '-o', elf()]);
    expectCode(r, 0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^wrote ${elf().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: x86_64 static executable, \\d+ bytes, entry 0x4[0-9a-f]+; \\.text 0x4[0-9a-f]+ r-x \\d+ B\\n$`,
      ),
    );
    const image = parseElf(new Uint8Array(readFileSync(elf())), elf());
    expect(image.arch).toBe('x86_64');
  });

  it('run accepts the ELF asm wrote', () => {
    const r = cli(['run', elf(), '--arch', 'x86_64', '--cgroup', 't', '--memory-max', '1M']);
    expectCode(r, 0);
    expect(r.stderr).toMatch(/^faultpath: hog\.elf\[\d+\] killed by SIGKILL \(OOM killer\); minflt \d+, majflt 0\n$/);
  });

  it('list names the guest programs of both architectures', () => {
    const r = cli(['list']);
    expectCode(r, 0);
    expect(r.stdout).toMatch(/^guest programs \(aarch64\):\n/);
    expect(r.stdout).toContain('guest programs (x86_64):');
    const sections = r.stdout.split(/^guest programs \(x86_64\):$/m);
    expect(sections).toHaveLength(2);
    for (const s of sections) expect(s).toMatch(/^ {2}hello +hello: write\(1, "hello, world\\n"\)/m);
  });
});

/* ---------------------------------------------------------------------------------------- */

describe.skipIf(!ORACLE)('oracle (real-kernel recordings in shared/oracle)', () => {
  const o = (p: string) => join(ORACLE!, p);

  it('a case whose stable facts all match: --json facts, exit 0', () => {
    const r = cli([
      'oracle',
      o('cases/sigsegv_null_store.json'),
      '--arch',
      'aarch64',
      '--bin',
      o('bin/aarch64'),
      '--json',
      '--expect',
      o('results/aarch64/sigsegv_null_store.json'),
    ]);
    expectCode(r, 0);
    const facts = JSON.parse(r.stdout);
    expect(facts).toMatchObject({ case: 'sigsegv_null_store', arch: 'aarch64' });
    expect(r.stderr).toMatch(/^faultpath: sigsegv_null_store \(aarch64\): (\d+)\/\1 stable facts match\n$/);
  });

  it("compared with another case's recording: DIFF lines and exit 1", () => {
    const r = cli([
      'oracle',
      o('cases/sigsegv_null_store.json'),
      '--arch',
      'aarch64',
      '--bin',
      o('bin/aarch64'),
      '--expect',
      o('results/aarch64/sigsegv_null_load.json'),
    ]);
    expectCode(r, 1);
    expect(r.stderr).toContain('DIFF fault/0/esr: real "0x0000000092000006", faultpath "0x0000000092000046"');
    expect(r.stderr).toMatch(/faultpath: sigsegv_null_store \(aarch64\): (\d+)\/(\d+) stable facts match\n$/);
    const [, ok, all] = /(\d+)\/(\d+) stable facts match/.exec(r.stderr)!;
    expect(Number(ok)).toBeLessThan(Number(all));
  });
});

/* ---------------------------------------------------------------------------------------- */

const SCRIPT = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));

describe.skipIf(!SCRIPT || process.platform !== 'linux')('progress on a terminal', () => {
  it('a long run shows a \\r progress line on a TTY stderr and erases it before the result', () => {
    // util-linux script(1) gives the child a pseudo-terminal; stdout and stderr are merged.
    spawns++;
    const cmd = [
      process.execPath,
      BIN,
      'run',
      HOG('x86_64'),
      '--arch',
      'x86_64',
      '--cgroup',
      't',
      '--memory-max',
      '64M',
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    const r = spawnSync(SCRIPT!, ['-qec', cmd, '/dev/null'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 110_000,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    expect(r.status, r.stdout).toBe(0);
    const out = r.stdout.replace(/\r\n/g, '\n');
    expect(out).toMatch(/\r\[faultpath\] [\d.]+[KMG]? instructions, \d+ faults, simulated \d+\.\d{3}s\x1b\[K/);
    expect(out).toMatch(/\r\x1b\[Kfaultpath: hog\[\d+\] killed by SIGKILL \(OOM killer\); minflt \d+, majflt 0\n$/);
  });
});

describe('spawn budget', () => {
  it(`this file spawns the CLI at most ${MAX_SPAWNS} times`, () => {
    expect(spawns).toBeLessThanOrEqual(MAX_SPAWNS);
  });
});
