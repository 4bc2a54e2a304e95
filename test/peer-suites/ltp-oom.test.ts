/**
 * LTP's OOM tests (testcases/kernel/mem/oom/oom01.c … oom05.c with oom.h) rebuilt as faultpath
 * scenarios, on both architectures.
 *
 * The whole LTP test process is one memtool guest: it writes the sysctls and cgroup files the
 * test writes, and each oom() call is `w /proc/self/oom_score_adj -1000` (tst_enable_oom_protection)
 * followed by `F … /`: fork, the child resets its oom_score_adj to 0 (tst_disable_oom_protection)
 * and runs child_alloc(), the parent waitpid()s and prints the wait status, which is judged here
 * with oom()'s rules (retcode ENOMEM, allow_sigkill).  On the modeled single CPU child_alloc()
 * runs MAX(1, tst_ncpus() - 1) = 1 allocating thread; memtool runs it in the child's main thread.
 *
 * Sizes are scaled by 1/64 so a run stays within seconds: LENGTH = 3 GiB → 48 MiB, TESTMEM =
 * 1 GiB → 16 MiB (TST_MB stays 1 MiB), on a 160 MiB machine for the global-OOM test (a 10 GiB
 * test box scaled alike: CommitLimit, about half of RAM, admits one LENGTH mapping but not two).
 *
 * Source: linux-test-project/ltp testcases/kernel/mem/oom/oom0[1-5].c at 0229ad5ceb24 and
 * oom.h at 40a366b53adc.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/scenario/run.js';
import { ARCHES, Checks, MB, Out, Suite, cg, outcomeText, run, waitStatus, type Arch } from './harness.js';
import { meminfo_proc_show } from '../../src/fs/proc/meminfo.js';

const LENGTH = 48 * MB; // LTP: 3UL << 30
const TESTMEM = 16 * MB; // LTP: 1UL << 30
const ENOMEM = 12;
const OVERCOMMIT = '/proc/sys/vm/overcommit_memory';
const ADJ = '/proc/self/oom_score_adj';
const KSM = '/sys/kernel/mm/ksm/run';

const suite = new Suite(
  'ltp-oom',
  'LTP: testcases/kernel/mem/oom (oom01 … oom05)',
  "Source: `linux-test-project/ltp` `testcases/kernel/mem/oom/oom0[1-5].c` at `0229ad5ceb24` with `oom.h` at `40a366b53adc` (`oom()`, `testoom()`, `alloc_mem()`, `child_alloc()`; the older `testcases/kernel/mem/lib/mem.c` variant has the same structure). Sizes are scaled by 1/64 (LENGTH 3 GiB → 48 MiB, TESTMEM 1 GiB → 16 MiB; TST_MB stays 1 MiB); the global-OOM machine (oom01) has 160 MiB RAM and no swap — a 10 GiB box scaled alike, so that with overcommit_memory=2 CommitLimit (about half of RAM) admits one LENGTH mapping but not two —, the memcg one (oom03) 256 MiB RAM and 32 MiB swap with overcommit_memory=1 (the save_restore value of the test). `oom()` judges the child's wait status: exit code ENOMEM passes, SIGKILL passes only when `allow_sigkill` is set. Checks marked *(fidelity)* additionally pin the outcome Linux 6.1 produces for the scaled sizes (e.g. with overcommit 0/1 a 48 MiB mmap always succeeds, so the child must end by an OOM kill, not by ENOMEM).",
  [
    'oom02, oom04 and oom05 cannot run on faultpath: oom02 calls `tst_brk(TCONF)` unless `/sys/devices/system/node` shows at least two NUMA nodes (it tests MPOL_BIND/INTERLEAVE/PREFERRED mempolicies); oom04 needs the cpuset controller (`needs_cgroup_ctrls = {"cpuset"}`, `write_cpusets()`, `cpuset.memory_migrate`) and reads the node list from `/sys/devices/system/node`; oom05 needs both the memory and cpuset controllers. faultpath models one memory node and only the memory controller, so LTP would report TCONF for all three — the rows above record what the model exposes.',
  ],
);

function parity(name: string, fn: (arch: Arch) => Promise<Checks>, status?: 'NOT MODELED') {
  describe(name, () => {
    for (const arch of ARCHES) {
      it(arch, async () => {
        let c: Checks;
        try {
          c = await fn(arch);
        } catch (e) {
          c = new Checks();
          c.add(`the scenario ran (${(e as Error).message})`, false);
        }
        suite.record(name, arch, c, status && !c.failed.length ? status : undefined);
        expect(c.failed.map((f) => f.what)).toEqual([]);
      });
    }
  });
}

/** oom(): protect the parent, fork a child that drops the protection and runs `alloc`. */
const oomCall = (alloc: (string | number)[]) => ['w', ADJ, '-1000', 'F', 'w', ADJ, '0', ...alloc, '/'];

function memo(fn: (arch: Arch) => Promise<RunResult>): (arch: Arch) => Promise<RunResult> {
  const cache = new Map<Arch, Promise<RunResult>>();
  return (arch) => {
    let p = cache.get(arch);
    if (!p) cache.set(arch, (p = fn(arch)));
    return p;
  };
}

/** oom()'s verdict on one wait status. */
function judge(c: Checks, label: string, st: number | undefined, retcode: number, allowSigkill: boolean): void {
  if (st === undefined) {
    c.add(`${label}: waitpid() returned a status`, false);
    return;
  }
  const w = waitStatus(st);
  const ok = w.signaled ? allowSigkill && w.sig === 9 : w.exited && w.code === retcode;
  c.add(
    `${label}: ${w.signaled ? `victim signalled: (${w.sig})` : `victim retcode: (${w.code})`} → ${ok ? 'TPASS' : 'TFAIL'} (expected retcode ${retcode}${allowSigkill ? ' or SIGKILL' : ''})`,
    ok,
  );
}

function expectKill(c: Checks, label: string, st: number | undefined): void {
  const w = waitStatus(st ?? -1);
  c.add(`${label}: the child ended by SIGKILL from the OOM killer (${w.text})`, w.signaled && w.sig === 9, true);
}

/** The children the scenario process `id` forked (pid and stdout), in fork order. */
function children(r: RunResult, id: string): { pid: number; out: string }[] {
  const parent = r.processes.find((p) => p.id === id)!;
  return [...r.machine.k.sched.tasks.values()]
    .filter((t) => t.parent?.pid === parent.pid && t.pid !== parent.pid)
    .sort((a, b) => a.pid - b.pid)
    .map((t) => ({ pid: t.pid, out: t.stdout.join('') }));
}

/** How many alloc_mem() calls a child started (its "allocating" lines). */
const allocations = (out: string | undefined) => (out ?? '').split('\n').filter((l) => /^[LK] \d+$/.test(l)).length;

/** The pids the OOM killer named in "Killed process <pid>" lines. */
function victims(r: RunResult): number[] {
  return r.dmesg
    .map((l) => /Killed process (\d+) /.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]));
}

// ------------------------------------------------------------------------------ oom01

const oom01 = memo((arch) =>
  run(arch, {
    machine: { mem: '160M' },
    procs: [
      {
        id: 'oom01',
        ops: [
          'w',
          OVERCOMMIT,
          '2',
          ...oomCall(['L', LENGTH]),
          'w',
          OVERCOMMIT,
          '0',
          ...oomCall(['L', LENGTH]),
          'w',
          OVERCOMMIT,
          '1',
          ...oomCall(['L', LENGTH]),
          ...oomCall(['K', LENGTH]),
          'c',
          KSM,
          'c',
          ADJ,
        ],
      },
    ],
  }),
);

suite.row({
  name: 'oom01: overcommit_memory=2',
  checks:
    'oom(NORMAL, 0, ENOMEM, 0): the child mmaps LENGTH after LENGTH until mmap fails; it must exit with ENOMEM (a SIGKILL fails the test): strict commit accounting stops it before the OOM killer',
  notModeled: '–',
});
parity('oom01: overcommit_memory=2', async (arch) => {
  const c = new Checks();
  const r = await oom01(arch);
  const o = new Out(r, 'oom01');
  c.add(`echo 2 > ${OVERCOMMIT} (write returned ${o.ops('w')[0]})`, o.ops('w')[0] === 1);
  judge(c, 'oom(NORMAL, lite=0, ENOMEM, allow_sigkill=0)', o.ops('F')[0], ENOMEM, false);
  const limit = /CommitLimit:\s+(\d+) kB/.exec(meminfo_proc_show(r.machine.k))?.[1];
  const child = children(r, 'oom01')[0];
  const n = allocations(child?.out);
  c.add(
    `the first LENGTH mapping fits CommitLimit (${limit} kB) and the second mmap fails before any OOM kill: the child started ${n} allocations and was not an OOM victim`,
    n === 2 && !!child && !victims(r).includes(child.pid),
    true,
  );
  return c;
});

suite.row({
  name: 'oom01: overcommit_memory=0',
  checks:
    'oom(NORMAL, 0, ENOMEM, 1): with the heuristic each LENGTH mmap succeeds, memory runs out, and the child is OOM-killed (SIGKILL) or fails with ENOMEM',
  notModeled: '–',
});
parity('oom01: overcommit_memory=0', async (arch) => {
  const c = new Checks();
  const r = await oom01(arch);
  const o = new Out(r, 'oom01');
  c.add(`echo 0 > ${OVERCOMMIT} (write returned ${o.ops('w')[2]})`, o.ops('w')[2] === 1);
  judge(c, 'oom(NORMAL, lite=0, ENOMEM, allow_sigkill=1)', o.ops('F')[1], ENOMEM, true);
  expectKill(c, 'a 48 MiB mmap passes the 6.1 OVERCOMMIT_GUESS check (pages ≤ totalram + swap)', o.ops('F')[1]);
  c.note(`the child started ${allocations(children(r, 'oom01')[1]?.out)} LENGTH allocations before the kill`);
  return c;
});

suite.row({
  name: 'oom01: overcommit_memory=1 (testoom)',
  checks:
    'testoom(0, 0, ENOMEM, 1): oom(NORMAL) and oom(MLOCK) with unlimited overcommit; each child is OOM-killed (or fails with ENOMEM); oom(KSM) is skipped when /sys/kernel/mm/ksm is absent',
  notModeled:
    'mlock() populates the range but does not make pages unevictable (no VM_LOCKED), so oom(MLOCK) behaves like oom(NORMAL) plus an eager fault-in; KSM is not modeled (/sys/kernel/mm/ksm is absent, and LTP skips oom(KSM) then)',
});
parity('oom01: overcommit_memory=1 (testoom)', async (arch) => {
  const c = new Checks();
  const r = await oom01(arch);
  const o = new Out(r, 'oom01');
  c.add(`echo 1 > ${OVERCOMMIT} (write returned ${o.ops('w')[4]})`, o.ops('w')[4] === 1);
  judge(c, 'oom(NORMAL, lite=0, ENOMEM, allow_sigkill=1)', o.ops('F')[2], ENOMEM, true);
  expectKill(c, 'oom(NORMAL) under overcommit_memory=1', o.ops('F')[2]);
  judge(c, 'oom(MLOCK, lite=0, ENOMEM, allow_sigkill=1)', o.ops('F')[3], ENOMEM, true);
  expectKill(c, 'oom(MLOCK) under overcommit_memory=1', o.ops('F')[3]);
  const ksm = o.cat(KSM);
  c.add(
    `access(PATH_MM_KSM) fails, so oom(KSM) is skipped (open returned ${ksm?.openErr ?? 'ok'})`,
    ksm?.openErr === -2,
    true,
  );
  return c;
});

suite.row({
  name: 'oom_score_adj protection (oom01, global OOM)',
  checks:
    'tst_enable_oom_protection(0) puts the LTP test process at oom_score_adj -1000 before every fork; through all the global OOMs of oom01 it is never chosen: only the allocating children (back at 0) are SIGKILLed, and the test process exits normally',
  notModeled: '–',
});
parity('oom_score_adj protection (oom01, global OOM)', async (arch) => {
  const c = new Checks();
  const r = await oom01(arch);
  const o = new Out(r, 'oom01');
  const parent = r.processes.find((p) => p.id === 'oom01')!;
  const v = victims(r);
  c.add(
    `the OOM killer killed ${v.length} task(s), pids ${v.join(', ') || '–'}; the protected parent (pid ${parent.pid}) is not among them`,
    v.length > 0 && !v.includes(parent.pid!),
  );
  c.add(
    `the protected parent ends normally (${outcomeText(r, 'oom01')})`,
    parent.outcome.kind === 'exit' && parent.outcome.code === 0,
  );
  c.add(
    `/proc/self/oom_score_adj of the parent reads -1000 at the end (${JSON.stringify(o.cat(ADJ)?.content)})`,
    o.cat(ADJ)?.content === '-1000\n',
  );
  const adjLines = r.dmesg.filter((l) => /Killed process/.test(l)).map((l) => /oom_score_adj:(-?\d+)/.exec(l)?.[1]);
  c.add(
    `every "Killed process" line shows oom_score_adj:0 (${adjLines.join(', ')})`,
    adjLines.length > 0 && adjLines.every((a) => a === '0'),
  );
  return c;
});

suite.row({
  name: 'oom02',
  checks: 'OOM under MPOL_BIND / MPOL_INTERLEAVE / MPOL_PREFERRED global mempolicies',
  notModeled:
    'needs ≥ 2 NUMA nodes (`is_numa(NULL, NH_MEMS, 2)`, set_mempolicy): faultpath models one memory node and no mempolicy system calls → TCONF',
});
parity(
  'oom02',
  async (arch) => {
    const c = new Checks();
    const r = await run(arch, {
      machine: { mem: '64M' },
      procs: [
        {
          id: 'probe',
          ops: ['c', '/sys/devices/system/node/node1/meminfo', 'c', '/sys/devices/system/node/node0/meminfo'],
        },
      ],
    });
    const o = new Out(r, 'probe');
    c.add(
      `no NUMA node directory is exposed (node1: ${o.cat('node1/meminfo')?.openErr}, node0: ${o.cat('node0/meminfo')?.openErr}), so LTP's is_numa() finds fewer than 2 nodes and the test reports TCONF`,
      o.cat('node1/meminfo')?.openErr === -2,
    );
    return c;
  },
  'NOT MODELED',
);

// ------------------------------------------------------------------------------ oom03

const T = '/ltp/test-oom03';

const oom03v2 = memo((arch) =>
  run(arch, {
    machine: { mem: '256M', swap: '32M', sysctls: { 'vm.overcommit_memory': 1 } },
    cgroups: [{ path: T }],
    procs: [
      {
        id: 'oom03',
        ops: [
          'e',
          cg(T, 'cgroup.procs'),
          'w',
          cg(T, 'memory.max'),
          TESTMEM,
          ...oomCall(['L', LENGTH]),
          ...oomCall(['K', LENGTH]),
          'c',
          KSM,
          'c',
          cg(T, 'memory.swap.max'),
          'w',
          cg(T, 'memory.swap.max'),
          MB,
          ...oomCall(['l', 2 * TESTMEM + MB]),
          ...oomCall(['k', 2 * TESTMEM + MB]),
          'w',
          cg(T, 'memory.swap.max'),
          'max',
          'c',
          cg(T, 'memory.events'),
          'c',
          ADJ,
        ],
      },
    ],
  }),
);

suite.row({
  name: 'oom03 (cgroup v2: memory.max)',
  checks:
    'the test process joins a memory cgroup with memory.max = TESTMEM; testoom(0, 0, ENOMEM, 1): NORMAL and MLOCK children looping LENGTH allocations are memcg-OOM-killed; with memory.swap.max = 1M, testoom(0, 1, ENOMEM, 1): one 2·TESTMEM+1M allocation is killed; the -1000 parent in the same memcg survives',
  notModeled:
    'mlock() populates but pages are not unevictable (MLOCK behaves like NORMAL); KSM is absent (skipped, as LTP does for lite=1 anyway); the MPOL_* part needs ≥ 2 NUMA nodes',
});
parity('oom03 (cgroup v2: memory.max)', async (arch) => {
  const c = new Checks();
  const r = await oom03v2(arch);
  const o = new Out(r, 'oom03');
  c.add(
    `setup: the test process enters ${T} (write returned ${o.ops('e')[0]}) and memory.max = TESTMEM is set (write returned ${o.ops('w')[0]})`,
    (o.ops('e')[0] ?? -1) > 0 && (o.ops('w')[0] ?? -1) > 0,
  );
  const labels = [
    'oom(NORMAL, lite=0)',
    'oom(MLOCK, lite=0)',
    'oom(NORMAL, lite=1) with memory.swap.max=1M',
    'oom(MLOCK, lite=1) with memory.swap.max=1M',
  ];
  labels.forEach((l, i) => {
    judge(c, l, o.ops('F')[i], ENOMEM, true);
    expectKill(c, `${l}: memcg OOM`, o.ops('F')[i]);
  });
  c.add(
    `SAFE_CG_HAS(tst_cg, "memory.swap.max") (open ${o.cat('memory.swap.max')?.openErr ?? 'ok'}) and the writes of 1M and "max" succeed`,
    o.cat('memory.swap.max')?.openErr === null && (o.ops('w')[3] ?? -1) > 0 && (o.ops('w')[6] ?? -1) > 0,
  );
  const ev = o.cat('memory.events')?.content ?? '';
  const kills = Number(/oom_kill (\d+)/.exec(ev)?.[1] ?? -1);
  c.add(`memory.events of the test cgroup counts one oom_kill per oom() call (${kills})`, kills === 4, true);
  const parent = r.processes.find((p) => p.id === 'oom03')!;
  c.add(
    `the -1000 test process in the same memcg survives every memcg OOM (${outcomeText(r, 'oom03')}; victims ${victims(r).join(', ')})`,
    parent.outcome.kind === 'exit' && parent.outcome.code === 0 && !victims(r).includes(parent.pid!),
  );
  return c;
});

const oom03v1 = memo((arch) =>
  run(arch, {
    machine: { mem: '256M', swap: '32M', sysctls: { 'vm.overcommit_memory': 1 } },
    cgroups: [{ path: T }],
    procs: [
      {
        id: 'oom03',
        ops: [
          'e',
          cg(T, 'cgroup.procs'),
          'w',
          cg(T, 'memory.limit_in_bytes'),
          TESTMEM,
          'c',
          cg(T, 'memory.limit_in_bytes'),
          ...oomCall(['L', LENGTH]),
          ...oomCall(['K', LENGTH]),
          'c',
          KSM,
          'c',
          cg(T, 'memory.memsw.limit_in_bytes'),
          'c',
          cg(T, 'memory.oom_control'),
          'c',
          cg(T, 'memory.failcnt'),
        ],
      },
    ],
  }),
);

suite.row({
  name: 'oom03 (cgroup v1: memory.limit_in_bytes)',
  checks:
    'the same with the v1 knob: memory.limit_in_bytes = TESTMEM; NORMAL and MLOCK children are OOM-killed inside the memcg and the -1000 parent survives; the memsw part runs only when memory.memsw.limit_in_bytes exists',
  notModeled:
    'memory.memsw.limit_in_bytes (v1 memory+swap limit) is not modeled, so — as LTP does on a kernel without swap accounting — the memsw part (lite run with a TESTMEM + 1M memsw limit) is skipped',
});
parity('oom03 (cgroup v1: memory.limit_in_bytes)', async (arch) => {
  const c = new Checks();
  const r = await oom03v1(arch);
  const o = new Out(r, 'oom03');
  c.add(
    `setup: enter ${T} (${o.ops('e')[0]}), memory.limit_in_bytes = TESTMEM (${o.ops('w')[0]}) reads back ${JSON.stringify(o.cat('memory.limit_in_bytes')?.content)}`,
    (o.ops('e')[0] ?? -1) > 0 && o.cat('memory.limit_in_bytes')?.content === `${TESTMEM}\n`,
  );
  ['oom(NORMAL, lite=0)', 'oom(MLOCK, lite=0)'].forEach((l, i) => {
    judge(c, l, o.ops('F')[i], ENOMEM, true);
    expectKill(c, `${l}: memcg OOM`, o.ops('F')[i]);
  });
  c.note(
    `memory.memsw.limit_in_bytes: open returned ${o.cat('memory.memsw.limit_in_bytes')?.openErr ?? 'ok'} → the memsw part is skipped`,
  );
  c.note(
    `memory.oom_control at the end: ${JSON.stringify(o.cat('memory.oom_control')?.content)}; memory.failcnt ${JSON.stringify(o.cat('memory.failcnt')?.content)}`,
  );
  const parent = r.processes.find((p) => p.id === 'oom03')!;
  c.add(
    `the -1000 test process survives (${outcomeText(r, 'oom03')}; victims ${victims(r).join(', ')})`,
    parent.outcome.kind === 'exit' && parent.outcome.code === 0 && !victims(r).includes(parent.pid!),
  );
  return c;
});

// ------------------------------------------------------------------------------ oom04 / oom05

const cpusetProbe = async (arch: Arch, needsMemory: boolean) => {
  const c = new Checks();
  const r = await run(arch, {
    machine: { mem: '64M' },
    cgroups: [{ path: '/ltp' }],
    procs: [
      {
        id: 'probe',
        ops: [
          'c',
          '/sys/fs/cgroup/cgroup.controllers',
          'c',
          cg('/ltp', 'cpuset.mems'),
          'c',
          '/sys/devices/system/node/node0/meminfo',
        ],
      },
    ],
  });
  const o = new Out(r, 'probe');
  const ctl = o.cat('/sys/fs/cgroup/cgroup.controllers')?.content ?? '';
  c.add(
    `the cgroup root offers ${JSON.stringify(ctl.trim())}: no cpuset controller (needs_cgroup_ctrls ${needsMemory ? '{"memory", "cpuset"}' : '{"cpuset"}'} → TCONF)`,
    !/\bcpuset\b/.test(ctl),
  );
  c.add(
    `cpuset.mems does not exist (open returned ${o.cat('cpuset.mems')?.openErr})`,
    o.cat('cpuset.mems')?.openErr === -2,
  );
  c.add(
    `/sys/devices/system/node is absent (open returned ${o.cat('node0/meminfo')?.openErr}), so get_allowed_nodes() finds no memory node`,
    o.cat('node0/meminfo')?.openErr === -2,
  );
  return c;
};

suite.row({
  name: 'oom04',
  checks: 'OOM inside a cpuset restricted to one memory node (cpuset.mems), optionally with cpuset.memory_migrate',
  notModeled:
    'needs the cpuset controller and the NUMA node list (/sys/devices/system/node): faultpath models neither → TCONF',
});
parity('oom04', (arch) => cpusetProbe(arch, false), 'NOT MODELED');

suite.row({
  name: 'oom05',
  checks:
    'OOM inside a cgroup with both cpuset (one node) and memory.max = TESTMEM, with and without memory.swap.max = 1M',
  notModeled:
    'needs the cpuset controller together with the memory controller (and the NUMA node list): no cpuset in faultpath → TCONF; the memory-controller half of it is what oom03 covers',
});
parity('oom05', (arch) => cpusetProbe(arch, true), 'NOT MODELED');

afterAll(() => suite.write());
