/**
 * OOM victim selection and the /proc OOM knobs (kernel-reference §7.5, §7.6).
 *
 * Property: for random sets of tasks in one memcg (sizes = pages each touches, oom_score_adj
 * values including -1000 and 1000), the victim of the memcg OOM is the task that a direct
 * evaluation of 6.1 oom_badness picks from the task table the report prints:
 *   points = rss + swapents + pgtables_bytes/4096 + adj * (totalpages/1000)
 * (totalpages = memory.max pages: no swap), adj == -1000 excluded, ties → the later-scanned task.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OomTaskRow } from '../../src/explain/oom-report.js';
import { scoreTaskTable } from '../../src/explain/oom-victim.js';
import { PROFILES } from '../../src/include/faultpath/profile.js';
import { oom_badness } from '../../src/mm/oom_kill.js';
import type { Task } from '../../src/include/linux/sched.js';
import { badnessFromStatus, oomReports, oomScore61 } from '../helpers/oom.js';
import { a64, cgroup, cgWrite, dmesg, kb, machine, onMarker, proc, TOUCH_SLEEP_A64 } from '../helpers/vm.js';
import { filename_lookup } from '../../src/fs/namei.js';

/** Invariant ids of known, separately reported model bugs that these runs hit (none now). */
const KNOWN: string[] = [];

/** The first OOM report in the log, read by the production parser (src/explain/oom-report.ts). */
function parseReport(lines: string[]): { rows: OomTaskRow[]; totalpages: number; killed: number } {
  const rep = oomReports(lines)[0];
  if (!rep) throw new Error('no OOM report');
  // a memcg OOM: totalpages = mem_cgroup_get_max() = the memory limit (no swap)
  return { rows: rep.tasks, totalpages: rep.counters.memory!.limitKb / 4, killed: rep.killed[0]!.pid };
}

/**
 * select_bad_process() over the printed rows with the production oom_badness() and the version's
 * tie rule (src/explain/oom-victim.ts).  6.1: points may be <= 0, ties → the later task.
 * 4.19: points clamped to >= 1, and a tie keeps the earlier thread-group leader (§7.5).
 */
function expectedVictim(
  rows: OomTaskRow[],
  totalpages: number,
  version: '6.1' | '4.19' = '6.1',
): { pid: number | null; points: number } {
  const v = scoreTaskTable(version, rows, totalpages).victim;
  return { pid: v?.pid ?? null, points: v?.points ?? -Infinity };
}

const adjArb = fc.oneof(fc.constantFrom(-1000, 1000, 0, -999, 999), fc.integer({ min: -1000, max: 1000 }));
const taskArb = fc.record({ pages: fc.integer({ min: 0, max: 400 }), adj: adjArb });

describe('oom_badness() (mm/oom_kill.c): the one function the model and `explain oom` score with', () => {
  const task = { rss: 6138, swapents: 0, pgtablesPages: 19, oomScoreAdj: 0, uid: 0 };
  const rules = (v: '6.1' | '4.19' | '3.12') => PROFILES[v].badness;
  it('rss + swapents + page tables + adj × (totalpages / 1000), the division first', () => {
    expect(oom_badness(task, 16384, rules('6.1'))).toEqual({ points: 6157, adj: 0, adjPoints: 0 });
    expect(oom_badness({ ...task, oomScoreAdj: -129 }, 16384, rules('6.1')).points).toBe(6157 - 129 * 16);
    expect(oom_badness({ ...task, swapents: 3, oomScoreAdj: 500 }, 1999, rules('6.1')).points).toBe(6160 + 500);
  });
  it('6.1 returns negative points; 4.19 and 3.12 clamp an eligible task to 1', () => {
    const low = { ...task, rss: 10, pgtablesPages: 0, oomScoreAdj: -900, uid: 1000 };
    expect(oom_badness(low, 16384, rules('6.1')).points).toBe(10 - 900 * 16);
    expect(oom_badness(low, 16384, rules('4.19')).points).toBe(1);
    expect(oom_badness(low, 16384, rules('3.12')).points).toBe(1);
  });
  it('3.12 takes 30 adj off for root (CAP_SYS_ADMIN)', () => {
    expect(oom_badness({ ...task, uid: 0 }, 100000, rules('3.12'))).toEqual({
      points: 6157 - 3000,
      adj: -30,
      adjPoints: -3000,
    });
    expect(oom_badness({ ...task, uid: 1000 }, 100000, rules('3.12')).points).toBe(6157);
    expect(oom_badness({ ...task, uid: 0 }, 100000, rules('6.1')).points).toBe(6157);
  });
  it('never chosen: oom_score_adj -1000, MMF_OOM_SKIP, in vfork', () => {
    expect(oom_badness({ ...task, oomScoreAdj: -1000 }, 16384, rules('6.1'))).toMatchObject({
      points: null,
      excluded: 'OOM_SCORE_ADJ_MIN',
    });
    expect(oom_badness({ ...task, mmfOomSkip: true }, 16384, rules('6.1'))).toMatchObject({
      points: null,
      excluded: 'MMF_OOM_SKIP',
    });
    expect(oom_badness({ ...task, inVfork: true }, 16384, rules('4.19'))).toMatchObject({
      points: null,
      excluded: 'in_vfork',
    });
  });
});

describe('memcg OOM victim selection (6.1) — property', () => {
  it('the killed task is the argmax of oom_badness over the printed task table', async () => {
    const sleeper = await a64(TOUCH_SLEEP_A64, 'touch_sleep.S');
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(taskArb, { minLength: 0, maxLength: 4 }),
        fc.record({ pages: fc.integer({ min: 0, max: 200 }), adj: fc.integer({ min: -999, max: 1000 }) }),
        async (others, hog) => {
          runs++;
          const { m, dv } = machine({ arch: 'aarch64', memBytes: 128 << 20 }, { everyNthFault: 256, ignore: KNOWN });
          m.addProgram('/prog/ts', sleeper);
          cgroup(m, 'g');
          cgWrite(m, 'g', 'memory.max', '8M');
          for (const o of others)
            m.spawn({ path: '/prog/ts', argv: ['/prog/ts', String(o.pages), '30'], cgroup: 'g', oomScoreAdj: o.adj });
          // the hog: its own pages first, then it keeps allocating past the limit (sleep 0)
          const h = m.spawn({
            path: '/prog/ts',
            argv: ['/prog/ts', String(2200 + hog.pages), '0'],
            cgroup: 'g',
            oomScoreAdj: hog.adj,
          });
          const end = m.run();
          expect(end.kind).toBe('exited');
          const { rows, totalpages, killed } = parseReport(dmesg(m));
          expect(totalpages).toBe(2048);
          expect(rows.map((r) => r.oomScoreAdj)).toEqual([...others.map((o) => o.adj), hog.adj]);
          expect(rows.at(-1)!.pid).toBe(h.pid);
          expect(killed).toBe(expectedVictim(rows, totalpages).pid);
          dv.assertClean();
          expect(dv.check('end')).toEqual([]);
        },
      ),
      {
        numRuns: 24,
        seed: 0x5eed,
        examples: [
          // a tie between two identical tasks: the later one is killed
          [
            [
              { pages: 300, adj: 500 },
              { pages: 300, adj: 500 },
            ],
            { pages: 0, adj: -999 },
          ],
          // -1000 excluded even though it is the largest
          [
            [
              { pages: 400, adj: -1000 },
              { pages: 10, adj: 0 },
            ],
            { pages: 0, adj: -500 },
          ],
          // adj 1000 dominates size
          [
            [
              { pages: 0, adj: 1000 },
              { pages: 400, adj: 0 },
            ],
            { pages: 200, adj: 0 },
          ],
        ],
      },
    );
    expect(runs).toBeGreaterThanOrEqual(24);
  });
});

describe('memcg OOM victim selection (4.19) — property', () => {
  it('the killed task is the first argmax of the clamped 4.19 oom_badness; the "score" line is points*1000/totalpages', async () => {
    const sleeper = await a64(TOUCH_SLEEP_A64, 'touch_sleep.S');
    await fc.assert(
      fc.asyncProperty(
        fc.array(taskArb, { minLength: 1, maxLength: 4 }),
        fc.record({ pages: fc.integer({ min: 0, max: 200 }), adj: fc.integer({ min: -999, max: 1000 }) }),
        async (others, hog) => {
          const { m, dv } = machine(
            { arch: 'aarch64', kernel: '4.19', memBytes: 128 << 20 },
            { everyNthFault: 256, ignore: KNOWN },
          );
          m.addProgram('/prog/ts', sleeper);
          cgroup(m, 'g');
          cgWrite(m, 'g', 'memory.max', '8M');
          for (const o of others)
            m.spawn({ path: '/prog/ts', argv: ['/prog/ts', String(o.pages), '30'], cgroup: 'g', oomScoreAdj: o.adj });
          m.spawn({
            path: '/prog/ts',
            argv: ['/prog/ts', String(2200 + hog.pages), '0'],
            cgroup: 'g',
            oomScoreAdj: hog.adj,
          });
          expect(m.run().kind).toBe('exited');
          const lines = dmesg(m);
          const { rows, totalpages, killed } = parseReport(lines);
          const want = expectedVictim(rows, totalpages, '4.19');
          // no children: the chosen process is the one killed (no child sacrifice)
          expect(killed).toBe(want.pid);
          const kill = lines.find((l) => l.includes('or sacrifice child'))!;
          expect(kill).toMatch(
            new RegExp(
              `Kill process ${want.pid} \\(ts\\) score ${Math.trunc((want.points * 1000) / totalpages)} or sacrifice child$`,
            ),
          );
          dv.assertClean();
        },
      ),
      {
        numRuns: 12,
        seed: 0x419,
        examples: [
          // a tie between two identical tasks: 4.19 keeps the earlier one
          [
            [
              { pages: 300, adj: 500 },
              { pages: 300, adj: 500 },
            ],
            { pages: 0, adj: -999 },
          ],
          // everything clamps to 1: the first eligible task wins
          [
            [
              { pages: 10, adj: -900 },
              { pages: 20, adj: -900 },
            ],
            { pages: 0, adj: -999 },
          ],
        ],
      },
    );
  });
});

describe('/proc/<pid>/oom_score (6.1)', () => {
  for (const adj of [0, 500, -500, 1000, -999, -1000]) {
    it(`adj ${adj}: (1000 + badness*1000/totalpages)*2/3 with badness from /proc/<pid>/status`, async () => {
      const { m, dv } = machine({ arch: 'aarch64', memBytes: 128 << 20, swapBytes: 32 << 20 });
      m.addProgram('/prog/ts', await a64(TOUCH_SLEEP_A64, 'touch_sleep.S'));
      let checked = false;
      onMarker(m, (t, id) => {
        if (id !== 1) return;
        // 300 written pages, then 70 zero-page reads: the SPLIT_RSS cache is flushed by now
        const st = kb(proc(m, t.pid, 'status'));
        const mi = kb(filename_lookup(m.sys.vfs, '/proc/meminfo', null)!.read());
        const totalpages = mi.MemTotal! / 4 + mi.SwapTotal! / 4;
        const want = oomScore61(badnessFromStatus(st, adj, totalpages), totalpages);
        expect(Number(proc(m, t.pid, 'oom_score'))).toBe(want);
        expect(dv.check('marker')).toEqual([]);
        checked = true;
      });
      const t = m.spawn({ path: '/prog/ts', argv: ['/prog/ts', '300', '0', '70'], oomScoreAdj: adj });
      expect(m.run().kind).toBe('exited');
      expect(t.exitStatus).toBe(0);
      expect(checked).toBe(true);
      dv.assertClean();
    });
  }
});

describe('/proc/<pid>/oom_adj (legacy) and oom_score_adj privileges', () => {
  async function sleeping(uid = 0, oomScoreAdj = 0) {
    const { m, dv } = machine({ arch: 'aarch64', memBytes: 64 << 20 });
    m.addProgram('/prog/ts', await a64(TOUCH_SLEEP_A64, 'touch_sleep.S'));
    const t = m.spawn({ path: '/prog/ts', argv: ['/prog/ts', '1', '1'], uid, oomScoreAdj });
    return { m, dv, t };
  }
  const w = (m: Awaited<ReturnType<typeof sleeping>>['m'], pid: number, file: string, v: string, self: Task | null) =>
    filename_lookup(m.sys.vfs, `/proc/${pid}/${file}`, self)!.write!(v);

  it('oom_adj -17 → oom_score_adj -1000, 15 → 1000, -16 → -941; reads map back (×17/1000, 1000 → 15)', async () => {
    const { m, t } = await sleeping();
    expect(w(m, t.pid, 'oom_adj', '-17\n', null)).toBe(4);
    expect(proc(m, t.pid, 'oom_score_adj')).toBe('-1000\n');
    expect(proc(m, t.pid, 'oom_adj')).toBe('-17\n');
    expect(w(m, t.pid, 'oom_adj', '15', null)).toBe(2);
    expect(proc(m, t.pid, 'oom_score_adj')).toBe('1000\n');
    expect(proc(m, t.pid, 'oom_adj')).toBe('15\n');
    expect(w(m, t.pid, 'oom_adj', '-16', null)).toBe(3);
    expect(proc(m, t.pid, 'oom_score_adj')).toBe('-941\n');
    expect(proc(m, t.pid, 'oom_adj')).toBe('-15\n');
    expect(w(m, t.pid, 'oom_adj', '7', null)).toBe(1);
    expect(proc(m, t.pid, 'oom_score_adj')).toBe('411\n');
    expect(proc(m, t.pid, 'oom_adj')).toBe('6\n');
    for (const bad of ['-18', '16', 'x']) expect(w(m, t.pid, 'oom_adj', bad, null)).toBe(-22);
    // the deprecation warning is printed once
    const warn = dmesg(m).filter((l) => l.includes('oom_adj is deprecated'));
    expect(warn).toEqual([
      `${t.comm} (${t.pid}): /proc/${t.pid}/oom_adj is deprecated, please use /proc/${t.pid}/oom_score_adj instead.`,
    ]);
    expect(m.run().kind).toBe('exited');
  });

  it('an unprivileged task (uid 1000) cannot lower oom_score_adj below oom_score_adj_min: EACCES', async () => {
    const { m, t } = await sleeping(1000, 0);
    expect(w(m, t.pid, 'oom_score_adj', '-1', t)).toBe(-13);
    expect(w(m, t.pid, 'oom_adj', '-1', t)).toBe(-13);
    expect(proc(m, t.pid, 'oom_score_adj')).toBe('0\n');
    // raising is always allowed, and going back down to the minimum too
    expect(w(m, t.pid, 'oom_score_adj', '500', t)).toBe(3);
    expect(w(m, t.pid, 'oom_score_adj', '0', t)).toBe(1);
    expect(w(m, t.pid, 'oom_score_adj', '-1000', t)).toBe(-13);
    // a privileged writer (uid 0) sets a new minimum with oom_score_adj (not with legacy oom_adj)
    expect(w(m, t.pid, 'oom_score_adj', '300', null)).toBe(3);
    expect(w(m, t.pid, 'oom_score_adj', '299', t)).toBe(-13);
    expect(w(m, t.pid, 'oom_score_adj', '700', t)).toBe(3);
    expect(w(m, t.pid, 'oom_score_adj', '300', t)).toBe(3);
    expect(w(m, t.pid, 'oom_adj', '-17', null)).toBe(3);
    expect(proc(m, t.pid, 'oom_score_adj')).toBe('-1000\n');
    // the legacy write did not move the minimum (300): the task cannot go back to 0 or 299
    expect(w(m, t.pid, 'oom_score_adj', '0', t)).toBe(-13);
    expect(w(m, t.pid, 'oom_score_adj', '299', t)).toBe(-13);
    expect(w(m, t.pid, 'oom_score_adj', '300', t)).toBe(3);
    // uid 0 itself may lower its own value
    const r = await sleeping(0, 0);
    expect(w(r.m, r.t.pid, 'oom_score_adj', '-1000', r.t)).toBe(5);
    expect(m.run().kind).toBe('exited');
  });
});
