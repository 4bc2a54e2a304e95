/**
 * In-process tests of the CLI plumbing that needs no child process: flag validation (exit 2
 * before anything runs), the exit-code mapping of main() (usage vs internal errors), and the
 * progress line of long runs (src/cli/run.ts progressReporter).  The end-to-end tests that spawn
 * bin/faultpath.js are in test/cli/cli.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseScenario } from '../../src/scenario/schema.js';
import { REPO_ROOT, runScenario } from '../../src/scenario/run.js';
import type { Machine } from '../../src/machine/machine.js';

const hooks = vi.hoisted(() => ({ runCommand: null as null | (() => Promise<number>) }));
vi.mock('../../src/cli/run.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/cli/run.js')>();
  return {
    ...m,
    runCommand: (...a: Parameters<typeof m.runCommand>) => (hooks.runCommand ? hooks.runCommand() : m.runCommand(...a)),
  };
});

const { main } = await import('../../src/cli/main.js');
const { formatProgress, humanCount, progressReporter, progressSample } = await import('../../src/cli/run.js');

let stderr = '';
let stdout = '';
beforeEach(() => {
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  hooks.runCommand = null;
  process.exitCode = undefined;
});

describe('flag validation: exit 2 before anything runs', () => {
  it.each([
    [
      ['run', 'hello', '--oom-score-adj', '5000'],
      "error: option '--oom-score-adj <n>' argument '5000' is invalid. '5000' is out of range (oom_score_adj is -1000..1000)",
    ],
    [
      ['run', 'hello', '--oom-score-adj', 'x'],
      "error: option '--oom-score-adj <n>' argument 'x' is invalid. 'x' is not an integer",
    ],
    [
      ['run', 'hello', '--filter-kind', 'bogus'],
      "error: option '--filter-kind <kind>' argument 'bogus' is invalid. 'bogus' is not an event kind (one of enter, exit, tracepoint, exception, pte, alloc, charge, reclaim, oom, signal, sched_switch, syscall, printk)",
    ],
    [
      ['run', 'hello', '--mem', 'max'],
      "error: option '--mem <size>' argument 'max' is invalid. 'max' is not a size (use e.g. 64M, 4096, 1G)",
    ],
    [
      ['run', 'hello', '--memory-max', '8Q', '--cgroup', 't'],
      "error: option '--memory-max <size>' argument '8Q' is invalid. '8Q' is not a size (use e.g. 64M, 4096, 1G, or max)",
    ],
    [
      ['run', 'hello', '--budget', '0'],
      "error: option '--budget <instructions>' argument '0' is invalid. '0' must be a positive number of instructions",
    ],
    [
      ['run', 'hello', '--trace-limit', '0'],
      "error: option '--trace-limit <events>' argument '0' is invalid. '0' must be a positive number of events",
    ],
    [
      ['run', 'hello', '--max-depth', '-1'],
      "error: option '--max-depth <n>' argument '-1' is invalid. '-1' must not be negative",
    ],
    [
      ['run', 'hello', '--arch', 'mips'],
      "error: option '--arch <arch>' argument 'mips' is invalid. Allowed choices are aarch64, x86_64.",
    ],
    [
      ['run', 'hello', '--trace', 'pprof'],
      "error: option '--trace <format>' argument 'pprof' is invalid. Allowed choices are function_graph, jsonl, perfetto, dmesg.",
    ],
    [['run'], "error: missing required argument 'program'"],
    [['frobnicate'], "error: unknown command 'frobnicate'"],
  ])('%j', async (argv, message) => {
    expect(await main(argv)).toBe(2);
    expect(stderr).toBe(`${message}\n(add --help for usage)\n`);
    expect(stdout).toBe('');
  });

  it('--memory-max without --cgroup is an error, not silently ignored', async () => {
    expect(await main(['run', 'hello', '--memory-max', '1M'])).toBe(2);
    expect(stderr).toBe('faultpath: --memory-max needs --cgroup (the cgroup whose memory.max it sets)\n');
  });

  it('a scenario file that does not exist', async () => {
    expect(await main(['scenario', '/nonexistent/s.yaml'])).toBe(2);
    expect(stderr).toBe("faultpath: ENOENT: no such file or directory, open '/nonexistent/s.yaml'\n");
  });

  it('help for an unknown command, and a bare command group, are usage errors', async () => {
    expect(await main(['help', 'nosuch'])).toBe(2);
    expect(await main(['explain'])).toBe(2);
    expect(stderr).toContain('Usage: faultpath explain');
  });

  it('--help exits 0', async () => {
    expect(await main(['explain', 'esr', '--help'])).toBe(0);
    expect(stdout).toContain('Usage: faultpath explain esr');
  });
});

describe('--trace-limit: the tracer stores that many events and reports the rest as dropped', () => {
  it('a capped trace has exactly the limit, and stderr says how many were dropped', async () => {
    expect(await main(['run', 'hello', '--trace', 'jsonl'])).toBe(0);
    const full = stdout.trim().split('\n').length;
    expect(stderr).toBe('');
    expect(full).toBeGreaterThan(60);
    stdout = '';
    expect(await main(['run', 'hello', '--trace', 'jsonl', '--trace-limit', '50'])).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(50);
    expect(stderr).toBe(
      `faultpath: warning: the trace is incomplete: ${full - 50} events past the 50-event limit were dropped (raise --trace-limit; the --filter-* flags apply after collection)\n`,
    );
  });
});

describe('main(): exit codes of errors', () => {
  it('a TypeError is an internal error (5) with its stack, even when its message says "Cannot"', async () => {
    hooks.runCommand = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'pid')");
    };
    expect(await main(['run', 'hello'])).toBe(5);
    expect(stderr).toMatch(
      /^faultpath: internal error: TypeError: Cannot read properties of undefined \(reading 'pid'\)\n {4}at /,
    );
  });

  it('a plain Error about the input (not found / invalid / unknown …) is a usage error (2)', async () => {
    hooks.runCommand = async () => {
      throw new Error("unknown sysctl 'vm.nope'");
    };
    expect(await main(['run', 'hello'])).toBe(2);
    expect(stderr).toBe("faultpath: unknown sysctl 'vm.nope'\n");
  });

  it('any other Error is internal (5)', async () => {
    hooks.runCommand = async () => {
      throw new Error('page table walk went wrong');
    };
    expect(await main(['run', 'hello'])).toBe(5);
    expect(stderr).toMatch(/^faultpath: internal error: Error: page table walk went wrong\n/);
  });

  it("the action's exit code is main()'s result", async () => {
    hooks.runCommand = async () => 4;
    expect(await main(['run', 'hello'])).toBe(4);
  });
});

describe('progress line', () => {
  it('formats counts like 12.3M and simulated seconds', () => {
    expect(formatProgress({ instructions: 12_345_678, faults: 4096, simulatedNs: 350_000_000 })).toBe(
      '[faultpath] 12.3M instructions, 4096 faults, simulated 0.350s',
    );
    expect([0, 999, 1000, 1500, 999_999, 1_000_000, 2_500_000_000].map(humanCount)).toEqual([
      '0',
      '999',
      '1.0K',
      '1.5K',
      '1000.0K',
      '1.0M',
      '2.5G',
    ]);
  });

  it('is off (no hook, no output) when the stream is not a terminal', () => {
    const writes: string[] = [];
    const p = progressReporter({ isTTY: false, write: (s) => writes.push(s) });
    expect(p.onProgress).toBeUndefined();
    p.done();
    expect(writes).toEqual([]);
  });

  it('on a terminal: one \\r line per interval of wall time, erased by done()', () => {
    const writes: string[] = [];
    let now = 0;
    let n = 0;
    const p = progressReporter(
      { isTTY: true, write: (s) => writes.push(s) },
      { now: () => now, sample: () => ({ instructions: ++n * 1000, faults: n, simulatedNs: n * 1e6 }) },
    );
    const m = {} as Machine;
    now = 100;
    p.onProgress!(m);
    expect(writes).toEqual([]); // shorter than 250 ms: nothing
    now = 260;
    p.onProgress!(m);
    now = 300;
    p.onProgress!(m);
    now = 520;
    p.onProgress!(m);
    expect(writes).toEqual([
      '\r[faultpath] 1.0K instructions, 1 faults, simulated 0.001s\x1b[K',
      '\r[faultpath] 2.0K instructions, 2 faults, simulated 0.002s\x1b[K',
    ]);
    p.done();
    expect(writes.at(-1)).toBe('\r\x1b[K');
    p.done();
    expect(writes).toHaveLength(3);
  });

  it('done() prints nothing when no line was shown (short runs leave stderr untouched)', () => {
    const writes: string[] = [];
    const p = progressReporter({ isTTY: true, write: (s) => writes.push(s) }, { now: () => 0 });
    p.onProgress!({} as Machine);
    p.done();
    expect(writes).toEqual([]);
  });

  it("samples a real run through runScenario's onProgress hook", async () => {
    const writes: string[] = [];
    let now = 0;
    const p = progressReporter({ isTTY: true, write: (s) => writes.push(s) }, { now: () => (now += 300) });
    const samples: ReturnType<typeof progressSample>[] = [];
    const s = parseScenario(
      'machine:\n  arch: x86_64\n  mem: 256M\ncgroups:\n  - path: t\n    memory.max: 1M\nprocesses:\n  - id: main\n    program: test/cli/programs/x86_64/hog.S\n    cgroup: t\n',
      'progress.yaml',
    );
    const r = await runScenario(s, {
      baseDir: REPO_ROOT,
      onProgress: (m) => {
        samples.push(progressSample(m));
        p.onProgress!(m);
      },
    });
    p.done();
    r.machine.close();
    // System.run calls the hook once per scheduling step (a time slice, a syscall, a sleep), not per fault
    expect(samples.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < samples.length; i++) {
      expect(samples[i]!.instructions).toBeGreaterThanOrEqual(samples[i - 1]!.instructions);
      expect(samples[i]!.faults).toBeGreaterThanOrEqual(samples[i - 1]!.faults);
      expect(samples[i]!.simulatedNs).toBeGreaterThanOrEqual(samples[i - 1]!.simulatedNs);
    }
    expect(samples.at(-1)!.faults).toBeGreaterThan(200);
    expect(samples.at(-1)!.instructions).toBeLessThanOrEqual(r.instructions);
    expect(writes).toHaveLength(samples.length + 1); // the fake clock passes 300 ms per call
    expect(
      writes
        .slice(0, -1)
        .every((w) => /^\r\[faultpath\] [\d.]+[KMG]? instructions, \d+ faults, simulated \d+\.\d{3}s\x1b\[K$/.test(w)),
    ).toBe(true);
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });
});
