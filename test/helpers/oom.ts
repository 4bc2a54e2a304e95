/**
 * OOM arithmetic for tests, on top of the production code: oom_badness() (src/mm/oom_kill.ts)
 * of a task as its /proc files show it, and the OOM reports of a log read by the production
 * parser (src/explain/oom-report.ts).  Tests compare the model's choices and /proc values with
 * these instead of re-implementing the kernel's formulas.
 */
import { parseOomReports, type OomReport } from '../../src/explain/oom-report.js';
import { PROFILES, type KernelVersion } from '../../src/include/faultpath/profile.js';
import { oom_badness } from '../../src/mm/oom_kill.js';

/**
 * oom_badness() of a task from its /proc/<pid>/status (kB): rss = VmRSS, swapents = VmSwap,
 * page tables = VmPTE (mm_pgtables_bytes() >> 10); null = never chosen (oom_score_adj -1000).
 */
export function badnessFromStatus(
  status: Record<string, number>,
  oomScoreAdj: number,
  totalpages: number,
  version: KernelVersion = '6.1',
): number | null {
  const t = {
    rss: status.VmRSS! / 4,
    swapents: status.VmSwap! / 4,
    pgtablesPages: Math.floor((status.VmPTE! * 1024) / 4096),
    oomScoreAdj,
    uid: 0,
  };
  return oom_badness(t, totalpages, PROFILES[version].badness).points;
}

/**
 * What 6.1 /proc/<pid>/oom_score shows for oom_badness() points (fs/proc/base.c
 * proc_oom_score()): (1000 + points × 1000 / totalpages) × 2 / 3, and 0 for a task never chosen.
 */
export function oomScore61(points: number | null, totalpages: number): number {
  if (points === null) return 0;
  return Math.trunc(((1000 + Math.trunc((points * 1000) / totalpages)) * 2) / 3);
}

/** The OOM reports of a kernel log given as lines without printk timestamps (the model's dmesg). */
export function oomReports(lines: readonly string[]): OomReport[] {
  return parseOomReports(lines.map((text) => ({ text, ts: null })));
}
