/**
 * What the kselftest peer-suite files share: the suite's description, the mapping of the C test's
 * steps onto memtool processes, and the per-row test factory.  See kselftest-memcontrol.test.ts
 * for how test_memcontrol.c is mapped onto scenarios.
 */
import { describe, expect, it } from 'vitest';
import { ARCHES, Checks, MB, Suite, cg, type Arch, type Proc } from './harness.js';

/** The kselftest suite of one test file (all files share the title, so the doc shows one table). */
export function kselftestSuite(id: string): Suite {
  return new Suite(
    id,
    'kselftest: tools/testing/selftests/cgroup/test_memcontrol.c',
    'Source: `torvalds/linux` `tools/testing/selftests/cgroup/test_memcontrol.c` at commit `00c010e130e58301db2ea0cec1eadc931e1cb8cf` (with `cgroup_util.c` at `0de3103fa2cf`). The test names are the current ones; faultpath models Linux **6.1**, so the parts that exercise interfaces added later (writable `memory.peak` with fd-local reset, 6.12; `memory.swap.peak`, 6.5; `memory.reclaim`, 5.19 but not modeled) are reported as not modeled and the 6.1-era assertions of the same test are run. Machine: 512 MiB RAM, kernel 6.1, no swap except for `test_memcg_swap_max_peak` (128 MiB; the other tests set `memory.swap.max` to 0 wherever swap must not matter); page-cache tests use `rootfs: disk`, whose file pages are reclaimable page cache.',
    [
      "The selftest's page cache comes from `alloc_pagecache()` on an `O_TMPFILE` (ftruncate + read(2) into a 4 KiB buffer); faultpath guests cannot create files, so memtool maps a zero-filled file of the rootfs and reads it page by page, dropping the mappings every 32 pages (MADV_DONTNEED) so the pages end up unmapped in the page cache as after read(2). Closing an O_TMPFILE frees its page cache; the model's data files stay cached (and charged, reclaimable) after the reading process exits — no asserted number depends on it.",
    ],
    KSELFTEST_ORDER,
  );
}

/** tests[] of test_memcontrol.c, in its order (the table follows it). */
export const KSELFTEST_ORDER = [
  'test_memcg_subtree_control',
  'test_memcg_current_peak',
  'test_memcg_min',
  'test_memcg_low',
  'test_memcg_high',
  'test_memcg_high_sync',
  'test_memcg_high_sync [variant: MAP_POPULATE]',
  'test_memcg_max',
  'test_memcg_reclaim',
  'test_memcg_oom_events',
  'test_memcg_swap_max_peak',
  'test_memcg_sock',
  'test_memcg_oom_group_leaf_events',
  'test_memcg_oom_group_parent_events',
  'test_memcg_oom_group_score_events',
];

export const FILES_50M = 50 * MB;

/** A memtool process running in the root cgroup at the given point of the sequence. */
export const parentStep = (id: string, ops: (string | number)[], after?: string): Proc => ({
  id,
  ops,
  ...(after ? { start: { after_exit: after } } : {}),
});
/** cg_run(cgroup, …): enter the cgroup, then the ops. */
export const cgRun = (id: string, cgroup: string, ops: (string | number)[], after?: string, wait = true): Proc => ({
  id,
  ops: ['e', cg(cgroup, 'cgroup.procs'), ...ops],
  ...(after ? { start: { after_exit: after } } : {}),
  wait,
});

export const machine = { mem: '512M', swap: 0 } as const;

/**
 * One row of the parity table: a test per arch.  Rows with a `bug` (a known disagreement between
 * the model and Linux 6.1, described there) are `it.fails`, so they turn red once it is fixed.
 */
export function parity(suite: Suite, name: string, fn: (arch: Arch) => Promise<Checks>, status?: 'NOT MODELED') {
  const bug = suite.bugOf(name);
  describe(name, () => {
    for (const arch of ARCHES) {
      const t = bug ? it.fails : it;
      t(`${arch}${bug ? " (it.fails: known model bug, see the row's `bug`)" : ''}`, async () => {
        let c: Checks;
        try {
          c = await fn(arch);
        } catch (e) {
          c = new Checks();
          c.add(`the scenario ran (${(e as Error).message})`, false);
        }
        suite.record(name, arch, c, status);
        expect(c.failed.map((f) => f.what)).toEqual([]);
      });
    }
  });
}
