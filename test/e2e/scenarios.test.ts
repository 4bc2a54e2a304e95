/**
 * End-to-end: the flagship scenarios of guest-programs/scenarios/.  Each must pass its own
 * `expect:` block exactly as `faultpath scenario FILE --check` checks it (parseScenario +
 * runScenario + checkExpectations on the function_graph trace), in-process.  On top of that,
 * the tests check what each scenario is meant to demonstrate: where in the call chain the OOM
 * killer runs (6.1 inside try_charge_memcg, 3.12 from pagefault_out_of_memory), the real
 * kernel's numbers where the oracle recorded the same case, the sleeping oom_kill_disable task,
 * the priority-OOM choice against plain badness.  One test runs the real CLI.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExpectations } from '../../src/scenario/expect.js';
import { parseScenario, type Scenario } from '../../src/scenario/schema.js';
import { formatTrace } from '../../src/trace/index.js';
import type { Machine } from '../../src/machine/machine.js';
import { REPO_ROOT } from '../helpers/oracle.js';
import { cgRead, isSubsequence, log, proc, runSpec, SCENARIOS_DIR, stackAt, type Run } from './helpers.js';

const T = { timeout: 60_000 };

const FLAGSHIPS = [
  'global-oom',
  'kernel-3.12',
  'kernel-6.1',
  'memcg-oom-arm64',
  'memcg-oom-x86',
  'oom-kill-disable',
  'panic-on-oom',
  'priority-oom',
];

function load(name: string): Scenario {
  const file = join(SCENARIOS_DIR, `${name}.yaml`);
  return parseScenario(readFileSync(file, 'utf8'), file);
}

/** Runs a scenario like `faultpath scenario --check` and returns the run, its trace text and the failed expectations. */
async function check(
  s: Scenario,
  onProgress?: (m: Machine) => void,
): Promise<{ r: Run; trace: string; fails: string[] }> {
  const r = await runSpec(s, { trace: true, ...(onProgress ? { onProgress } : {}) });
  const trace = formatTrace(r.events, 'function_graph');
  return { r, trace, fails: checkExpectations(s, { ...r, machine: undefined as never }, trace) };
}

/** Open modeled functions when the OOM killer's out_of_memory() was entered. */
const oomStack = (r: Run) => stackAt(r.events, (e) => e.kind === 'enter' && e.fn === 'out_of_memory');

describe('flagship scenarios', () => {
  it('are all present, each starting with a "# description" line and carrying expectations', () => {
    const files = readdirSync(SCENARIOS_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -5))
      .sort();
    expect(files).toEqual(FLAGSHIPS);
    for (const f of files) {
      const text = readFileSync(join(SCENARIOS_DIR, `${f}.yaml`), 'utf8');
      expect(text.split('\n')[0], f).toMatch(/^# \S.{30,}$/);
      expect(load(f).expect, f).toBeDefined();
    }
  });

  describe.each(['memcg-oom-arm64', 'memcg-oom-x86'])('%s', (name) => {
    const arm = name.endsWith('arm64');
    it(
      "passes --check, with the real kernel's report (oracle memcg_single_8M) and the kill inside the fault",
      T,
      async () => {
        const { r, fails } = await check(load(name));
        expect(fails).toEqual([]);
        const hog = proc(r, 'hog');
        expect(hog.outcome).toMatchObject({ kind: 'signal', signal: 9 });
        expect(r.cgroups['/t']!['memory.events']).toMatchObject({ max: 35, oom: 1, oom_kill: 1 });
        expect(r.cgroups['/t']!['memory.peak']).toBe(8 * 1024 * 1024);
        const l = log(r);
        expect(l).toContain(
          `Memory cgroup out of memory: Killed process ${hog.pid} (hog) total-vm:${arm ? 8344 : 8356}kB, anon-rss:7916kB, file-rss:0kB, shmem-rss:4kB, UID:0 pgtables:44kB oom_score_adj:0`,
        );
        // the report's call trace, exactly as Linux 6.1 printed it for this program
        const start = l.findIndex((x) => /^Call [Tt]race:$/.test(x));
        const frames = l
          .slice(start + 1)
          .filter((x) => x.startsWith(' '))
          .map((x) => x.trim());
        const want = arm
          ? [
              'dump_backtrace',
              'show_stack',
              'dump_stack_lvl',
              'dump_stack',
              'dump_header',
              'oom_kill_process',
              'out_of_memory',
              'mem_cgroup_out_of_memory',
              'try_charge_memcg',
              'charge_memcg',
              '__mem_cgroup_charge',
              '__handle_mm_fault',
              'handle_mm_fault',
              'do_page_fault',
              'do_translation_fault',
              'do_mem_abort',
              'el0_da',
              'el0t_64_sync_handler',
              'el0t_64_sync',
            ]
          : [
              '<TASK>',
              'dump_stack_lvl',
              'dump_header',
              'oom_kill_process.cold',
              'out_of_memory',
              'mem_cgroup_out_of_memory',
              'try_charge_memcg',
              'charge_memcg',
              '__mem_cgroup_charge',
              '__handle_mm_fault',
              'handle_mm_fault',
              'do_user_addr_fault',
              'exc_page_fault',
              'asm_exc_page_fault',
            ];
        expect(frames.slice(0, want.length)).toEqual(want);
        // and the trace nests the same way: out_of_memory runs inside the page fault's charge
        const chain = arm
          ? [
              'el0t_64_sync',
              'el0_da',
              'do_mem_abort',
              'do_translation_fault',
              'do_page_fault',
              'handle_mm_fault',
              'do_anonymous_page',
              '__mem_cgroup_charge',
              'try_charge_memcg',
              'mem_cgroup_out_of_memory',
              'out_of_memory',
            ]
          : [
              'asm_exc_page_fault',
              'exc_page_fault',
              'do_user_addr_fault',
              'handle_mm_fault',
              'do_anonymous_page',
              '__mem_cgroup_charge',
              'try_charge_memcg',
              'mem_cgroup_out_of_memory',
              'out_of_memory',
            ];
        expect(isSubsequence(chain, oomStack(r)!), oomStack(r)!.join(' > ')).toBe(true);
      },
    );
  });

  it(
    'oom-kill-disable: the task sleeps in mem_cgroup_oom_synchronize (under_oom 1) until memory.max is raised, then exits 0',
    T,
    async () => {
      const s = load('oom-kill-disable');
      const sleeping: { ns: number; underOom: string; waitq: string }[] = [];
      const { r, fails } = await check(s, (m) => {
        const t = [...m.k.sched.tasks.values()].find((x) => x.label === 'touch');
        if (t?.state === 'S' && !sleeping.length)
          sleeping.push({
            ns: m.k.sched.clock,
            underOom: cgRead(m, 't', 'memory.oom_control'),
            waitq: t.wake?.waitq ?? '',
          });
      });
      expect(fails).toEqual([]);
      expect(sleeping.length).toBe(1);
      expect(sleeping[0]!.waitq).toMatch(/^memcg_oom:/);
      expect(sleeping[0]!.underOom).toContain('oom_kill_disable 1\nunder_oom 1\n');
      expect(sleeping[0]!.ns).toBeLessThan(50e6);
      expect(r.simulated_ns).toBeGreaterThan(50e6); // it finished only after the 50 ms action
      expect(proc(r, 'touch').stdout).toBe('touch_pages: done 2048\n');
      // the sleep is entered from the end of the fault, not from the charge
      const st = stackAt(r.events, (e) => e.kind === 'enter' && e.fn === 'mem_cgroup_oom_synchronize')!;
      expect(st).toContain('pagefault_out_of_memory');
      expect(st).not.toContain('try_charge_memcg');
    },
  );

  it(
    'oom-kill-disable, cgroup v1 style: raising memory.limit_in_bytes (mem_cgroup_resize_max → memcg_oom_recover) wakes it too',
    T,
    async () => {
      const s = load('oom-kill-disable');
      s.actions = [{ at_ms: 50, write: { file: '/sys/fs/cgroup/t/memory.limit_in_bytes', value: '64M' } }];
      s.expect = {
        ...s.expect!,
        dmesg_contains: ['faultpath: scenario action: echo 64M > /sys/fs/cgroup/t/memory.limit_in_bytes'],
      };
      const { r, fails } = await check(s);
      expect(fails).toEqual([]);
      expect(proc(r, 'touch').outcome).toEqual({ kind: 'exit', code: 0 });
    },
  );

  it(
    'an at_ms start due after every waited process ended never starts (was: started later and never got SIGTERM, hanging the run)',
    T,
    async () => {
      const s = parseScenario(
        [
          'machine:',
          '  arch: aarch64',
          'processes:',
          '  - id: main',
          '    program: hello',
          '  - id: late',
          '    program: holder',
          '    args: [4]',
          '    wait: false',
          '    start: { at_ms: 100 }',
        ].join('\n'),
        'late-start.yaml',
      );
      const r = await runSpec(s);
      expect(r.end.kind).toBe('exited');
      expect(proc(r, 'main').outcome).toEqual({ kind: 'exit', code: 0 });
      expect(proc(r, 'late').outcome.kind).toBe('not-started');
    },
  );

  it(
    'oom-kill-disable without the action: the task stays asleep (the run ends blocked, nobody killed)',
    T,
    async () => {
      const s = load('oom-kill-disable');
      s.actions = [];
      const r = await runSpec(s);
      expect(r.end.kind).toBe('deadlock');
      expect(proc(r, 'touch').outcome.kind).toBe('running');
      expect(log(r).some((l) => l.includes('Killed process'))).toBe(false);
    },
  );

  it(
    "global-oom: the page allocator's slow path invokes the OOM killer (CONSTRAINT_NONE) and the hog dies",
    T,
    async () => {
      const { r, fails } = await check(load('global-oom'));
      expect(fails).toEqual([]);
      const st = oomStack(r)!;
      expect(
        isSubsequence(
          [
            'asm_exc_page_fault',
            'do_user_addr_fault',
            'handle_mm_fault',
            '__alloc_pages',
            '__alloc_pages_slowpath',
            '__alloc_pages_may_oom',
            'out_of_memory',
          ],
          st,
        ),
        st.join(' > '),
      ).toBe(true);
      expect(st).not.toContain('try_charge_memcg');
      const l = log(r);
      const kill = l.find((x) => x.startsWith('Out of memory: Killed process'))!;
      // the oracle's x86 global_oom killed at anon-rss 79196 kB; the model is calibrated to within
      // a chunk or so of that point (docs/oracle-parity.md, "global-oom-point")
      const anon = Number(/anon-rss:(\d+)kB/.exec(kill)![1]);
      expect(Math.abs(anon - 79196)).toBeLessThan(2048);
      expect(l).toContain(
        'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/work,task=hog,pid=' +
          proc(r, 'hog').pid +
          ',uid=0',
      );
    },
  );

  it('panic-on-oom: the OOM report, then the panic; the run ends as a panic', T, async () => {
    const { r, fails } = await check(load('panic-on-oom'));
    expect(fails).toEqual([]);
    expect(r.end).toEqual({ kind: 'panic', text: 'Out of memory: system-wide panic_on_oom is enabled' });
    const l = log(r);
    expect(l[l.length - 1]).toBe('Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled');
    expect(l.findIndex((x) => x.startsWith('Tasks state'))).toBeLessThan(l.length - 1);
  });

  it(
    "priority-oom: the low-priority cgroup's holder is killed; without use_priority_oom the bigger task would be",
    T,
    async () => {
      const s = load('priority-oom');
      const { r, fails } = await check(s);
      expect(fails).toEqual([]);
      expect(proc(r, 'big').stdout).toBe('touch_pages: done 3072\n');
      // control: the same workload with plain oom_badness picks touch_pages (the most memory)
      const plain = load('priority-oom');
      plain.cgroups = plain.cgroups.map((c) => (c.path === 'p' ? { ...c, 'memory.use_priority_oom': 0 } : c));
      const r2 = await runSpec(plain);
      expect(proc(r2, 'big').oom_killed).toBe(true);
      expect(proc(r2, 'holder').oom_killed).toBe(false);
    },
  );

  describe('kernel profiles: the same memcg hog', () => {
    it(
      '3.12 defers the kill to pagefault_out_of_memory → mem_cgroup_oom_synchronize, after the fault unwound',
      T,
      async () => {
        const { r, trace, fails } = await check(load('kernel-3.12'));
        expect(fails).toEqual([]);
        expect(trace).not.toContain('try_charge_memcg');
        const st = oomStack(r) ?? stackAt(r.events, (e) => e.kind === 'enter' && e.fn === 'mem_cgroup_out_of_memory')!;
        expect(
          isSubsequence(
            ['do_page_fault', 'pagefault_out_of_memory', 'mem_cgroup_oom_synchronize', 'mem_cgroup_out_of_memory'],
            st,
          ),
          st.join(' > '),
        ).toBe(true);
        expect(st).not.toContain('handle_mm_fault');
        const l = log(r);
        expect(
          l.some((x) => /^Memory cgroup out of memory: Kill process \d+ \(hog\) score \d+ or sacrifice child$/.test(x)),
        ).toBe(true);
      },
    );

    it('6.1 kills inside try_charge_memcg, during handle_mm_fault', T, async () => {
      const { r, fails } = await check(load('kernel-6.1'));
      expect(fails).toEqual([]);
      const st = oomStack(r)!;
      expect(
        isSubsequence(
          ['do_user_addr_fault', 'handle_mm_fault', 'try_charge_memcg', 'mem_cgroup_out_of_memory', 'out_of_memory'],
          st,
        ),
        st.join(' > '),
      ).toBe(true);
      // The killed task's retried charge then fails (passed_oom && task_is_dying → -ENOMEM), so
      // the fault still ends in mm_fault_error → pagefault_out_of_memory(), as in Linux; but
      // that call kills nobody: the only mem_cgroup_out_of_memory is the one inside the charge.
      const ooms = r.events.filter((e) => e.kind === 'enter' && e.fn === 'mem_cgroup_out_of_memory');
      expect(ooms.length).toBe(1);
      expect(st).not.toContain('pagefault_out_of_memory');
    });

    /*
     * MODEL BUG (x86, 3.12 profile): the memcg OOM report contains an empty log line.
     * arch/x86/mm/fault.ts x86OopsRegs() always emits the "Code:" slot, but
     * formatShowOpcodes() returns [] for 3.12, so the list gets '' and printk logs an empty
     * record between "RIP: 0033:0x400185" and "RSP: ...".  (Beyond the blank line, 3.12's
     * dump_stack() — show_trace_log_lvl walking only kernel stacks — did not print the user
     * RIP/RSP/register block at all; that block came with the ORC-era unwinder, 4.14+.)
     */
    it('FIXED: the 3.12 x86 OOM report has no empty line', T, async () => {
      const r = await runSpec(load('kernel-3.12'));
      expect(log(r).filter((l) => l.trim() === '')).toEqual([]);
    });
  });

  it(
    'the CLI: `faultpath scenario memcg-oom-arm64.yaml --check` (the demo) exits 0 with all expectations met',
    T,
    () => {
      const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
      const res = spawnSync(
        tsx,
        [
          join(REPO_ROOT, 'src/cli/main.ts'),
          'scenario',
          join(SCENARIOS_DIR, 'memcg-oom-arm64.yaml'),
          '--check',
          '--summary',
        ],
        { cwd: REPO_ROOT, encoding: 'utf8', timeout: 50_000 },
      );
      expect(res.stderr).toContain('all expectations met');
      expect(res.status).toBe(0);
      expect(res.stdout).toContain('el0_da');
    },
  );
});
