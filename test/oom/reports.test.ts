/**
 * Golden tests of complete OOM reports (kernel log text) for the situations the OOM killer
 * distinguishes: memcg OOM, global OOM with show_mem, panic_on_oom=1 and =2,
 * oom_kill_allocating_task, no killable process, sysrq-f, oom_dump_tasks=0, an
 * oom_score_adj=1000 small task chosen over a big one, the OOM reaper line (4.19 reaps at once),
 * and an OOM notifier that frees memory.  UPDATE_GOLDEN=1 rewrites the files.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/run.js';
import type { ScenarioInput } from '../../src/scenario/schema.js';
import { REPO_ROOT } from '../helpers/oracle.js';

const GOLDEN = join(REPO_ROOT, 'test', 'oom', 'golden');

type Arch = 'aarch64' | 'x86_64';

function machine(arch: Arch, extra: Partial<ScenarioInput['machine']> = {}): ScenarioInput['machine'] {
  return { arch, kernel: '6.1', mem: '256M', sysctls: {}, ...extra };
}

const CASES: Record<string, (arch: Arch) => ScenarioInput> = {
  memcg: (arch) => ({
    machine: machine(arch),
    cgroups: [{ path: 't', 'memory.max': '4M' }],
    processes: [{ id: 'hog', program: 'hog', args: ['64'], cgroup: 't' }],
  }),
  global_show_mem: (arch) => ({
    machine: machine(arch, { mem: '64M' }),
    processes: [{ id: 'hog', program: 'hog', args: ['256'] }],
  }),
  panic_on_oom_1: (arch) => ({
    machine: machine(arch, { mem: '64M', sysctls: { 'vm.panic_on_oom': 1 } }),
    processes: [{ id: 'hog', program: 'hog', args: ['256'] }],
  }),
  panic_on_oom_2_memcg: (arch) => ({
    machine: machine(arch, { sysctls: { 'vm.panic_on_oom': 2 } }),
    cgroups: [{ path: 't', 'memory.max': '4M' }],
    processes: [{ id: 'hog', program: 'hog', args: ['64'], cgroup: 't' }],
  }),
  allocating_task: (arch) => ({
    machine: machine(arch, { mem: '128M', sysctls: { 'vm.oom_kill_allocating_task': 1 } }),
    processes: [
      { id: 'big', program: 'holder', args: ['4096'], wait: false },
      { id: 'hog', program: 'hog', args: ['64'], start: { after_ready: 'big' } },
    ],
  }),
  no_killable: (arch) => ({
    machine: machine(arch),
    cgroups: [{ path: 't', 'memory.max': '2M' }],
    processes: [{ id: 'hog', program: 'hog', args: ['64'], cgroup: 't', oom_score_adj: -1000 }],
  }),
  dump_tasks_off: (arch) => ({
    machine: machine(arch, { sysctls: { 'vm.oom_dump_tasks': 0 } }),
    cgroups: [{ path: 't', 'memory.max': '4M' }],
    processes: [{ id: 'hog', program: 'hog', args: ['64'], cgroup: 't' }],
  }),
  adj_1000_small_chosen: (arch) => ({
    machine: machine(arch),
    cgroups: [{ path: 't', 'memory.max': '8M' }],
    processes: [
      { id: 'small', program: 'holder', args: ['64'], cgroup: 't', oom_score_adj: 1000, wait: false },
      { id: 'big', program: 'holder', args: ['1024'], cgroup: 't', start: { after_ready: 'small' }, wait: false },
      { id: 'trigger', program: 'touch_pages', args: ['1500'], cgroup: 't', start: { after_ready: 'big' } },
    ],
  }),
  sysrq_f: (arch) => ({
    machine: machine(arch),
    processes: [
      { id: 'a', program: 'holder', args: ['256'], wait: false },
      { id: 'b', program: 'holder', args: ['512'], start: { after_ready: 'a' }, wait: false },
      { id: 'waiter', program: 'holder', args: ['1', '1'], start: { after_ready: 'b' } },
    ],
    actions: [{ after_ready: 'b', sysrq: 'f' }],
  }),
  reaper_4_19: (arch) => ({
    machine: machine(arch, { kernel: '4.19' }),
    cgroups: [{ path: 't', 'memory.max': '8M' }],
    processes: [
      { id: 'big', program: 'holder', args: ['1024'], cgroup: 't', wait: false },
      { id: 'trigger', program: 'touch_pages', args: ['1500'], cgroup: 't', start: { after_ready: 'big' } },
    ],
  }),
  notifier_frees: (arch) => ({
    machine: machine(arch, { mem: '64M', oom_notifiers: [{ name: 'balloon', pages: 2048 }] }),
    processes: [{ id: 'hog', program: 'hog', args: ['256'] }],
  }),
};

const strip = (lines: string[]) => lines.map((l) => l.replace(/^\[\s*\d+\.\d+\] /, '')).join('\n') + '\n';

describe('complete OOM reports (golden)', () => {
  for (const arch of ['aarch64', 'x86_64'] as const) {
    for (const [name, make] of Object.entries(CASES)) {
      it(`${arch} ${name}`, async () => {
        const r = await runScenario(make(arch), { budget: 400_000_000 });
        const text = strip(r.dmesg);
        const summary =
          `end: ${r.end.kind}\n` +
          r.processes.map((p) => `${p.id}: ${JSON.stringify(p.outcome)} oom_killed=${p.oom_killed}`).join('\n') +
          '\n';
        r.machine.close();
        const file = join(GOLDEN, arch, `${name}.txt`);
        const got = summary + '----\n' + text;
        if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
          mkdirSync(join(GOLDEN, arch), { recursive: true });
          writeFileSync(file, got);
        }
        expect(got).toBe(readFileSync(file, 'utf8'));
        // Semantic checks, so a regenerated golden file cannot silently accept a wrong model.
        switch (name) {
          case 'memcg':
            expect(text).toContain('invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0');
            expect(text).toMatch(
              /oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=\(null\),cpuset=\/,mems_allowed=0,oom_memcg=\/t,task_memcg=\/t,task=hog,pid=\d+,uid=0/,
            );
            break;
          case 'global_show_mem':
            expect(text).toContain('gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0');
            expect(text).toContain('Mem-Info:');
            expect(text).toMatch(/oom-kill:constraint=CONSTRAINT_NONE,.*,global_oom,task_memcg=\/,task=hog/);
            expect(text).toMatch(/Out of memory: Killed process \d+ \(hog\)/);
            break;
          case 'panic_on_oom_1':
            expect(r.end.kind).toBe('panic');
            expect(text).toContain('Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled');
            break;
          case 'panic_on_oom_2_memcg':
            expect(r.end.kind).toBe('panic');
            expect(text).toContain('Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled');
            break;
          case 'allocating_task':
            expect(text).toMatch(/Out of memory \(oom_kill_allocating_task\): Killed process \d+ \(hog\)/);
            expect(r.processes.find((p) => p.id === 'big')!.oom_killed).toBe(false);
            break;
          case 'no_killable':
            expect(text).toContain('Out of memory and no killable processes...');
            expect(text).not.toContain('Killed process');
            break;
          case 'dump_tasks_off':
            expect(text).not.toContain('Tasks state (memory values in pages):');
            expect(text).toContain('Memory cgroup out of memory: Killed process');
            break;
          case 'adj_1000_small_chosen':
            expect(r.processes.find((p) => p.id === 'small')!.oom_killed).toBe(true);
            expect(r.processes.find((p) => p.id === 'big')!.oom_killed).toBe(false);
            break;
          case 'sysrq_f':
            expect(text).toContain('invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1');
            expect(r.processes.find((p) => p.id === 'b')!.oom_killed).toBe(true);
            break;
          case 'reaper_4_19':
            expect(text).toMatch(
              /oom_reaper: reaped process \d+ \(holder\), now anon-rss:0kB, file-rss:0kB, shmem-rss:\d+kB/,
            );
            break;
          case 'notifier_frees':
            expect(text).toContain('faultpath: oom notifier balloon freed 2048 pages');
            break;
        }
      });
    }
  }
});
