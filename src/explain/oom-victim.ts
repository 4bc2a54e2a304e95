/**
 * Sections 8 and 9 of `faultpath explain oom`, and the checks that feed them: recompute the
 * victim from the task table with the model's own oom_badness() (src/mm/oom_kill.ts) and the
 * version's select_bad_process() tie rule, and flag numbers of the report that do not fit
 * together (kill line vs task table, summary vs memcg lines, printed score vs points).
 */
import { type KernelProfile, PROFILES } from '../include/faultpath/profile.js';
import { oom_badness } from '../mm/oom_kill.js';
import {
  PAGE_KB,
  SPLIT_RSS_LAG,
  isDescendant,
  kbToPages,
  num,
  pad,
  padEnd,
  say,
  type Ctx,
  type Totalpages,
} from './oom-context.js';
import type { OomFormat, OomKilledLine, OomTaskRow } from './oom-report.js';

export interface OomCandidate {
  pid: number;
  tgid: number;
  name: string;
  rss: number;
  swapents: number;
  /** pgtables_bytes / 4096 (integer division), or nr_ptes in 3.12 */
  pgtablePages: number;
  oomScoreAdj: number;
  /** adj used in the formula (3.12: −30 for uid 0, the CAP_SYS_ADMIN bonus) */
  effectiveAdj: number;
  /** effectiveAdj × (totalpages / 1000) */
  adjPoints: number;
  /** oom_badness(); null when excluded */
  points: number | null;
  excluded?: string;
  /** 1 = the highest points; absent when excluded */
  rank?: number;
}

// ---------------------------------------------------------------------------------------------
// Consistency of the kill lines and the summary with the rest of the report
// ---------------------------------------------------------------------------------------------

/** Each "Killed process" line against its task-table row (sizes, uid, adj). */
export function checkKillLines(cx: Ctx): void {
  const { p, v } = cx;
  const rowOf = (pid: number) => p.tasks.find((t) => t.pid === pid) ?? p.tasks.find((t) => t.tgid === pid) ?? null;
  const seen = new Set<string>();
  for (const k of p.killed) {
    const key = `${k.pid}/${k.totalVmKb}/${k.anonRssKb}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const row = rowOf(k.pid);
    if (!row) {
      if (p.tasks.length)
        cx.notes.push(
          `killed process ${k.pid} (${k.comm}) is not in the task table${PROFILES[v].sacrificeChild ? ' (4.19: a sacrificed child outside the scanned set?)' : ''}`,
        );
      continue;
    }
    if (k.totalVmKb !== row.totalVm * PAGE_KB)
      cx.inc.push(
        `Killed process ${k.pid} (${k.comm}): total-vm ${k.totalVmKb}kB != task table total_vm ${row.totalVm} pages × 4 = ${row.totalVm * PAGE_KB}kB`,
      );
    const rssPages = kbToPages(k.anonRssKb + k.fileRssKb + (k.shmemRssKb ?? 0));
    if (Math.abs(rssPages - row.rss) > SPLIT_RSS_LAG)
      cx.inc.push(
        `Killed process ${k.pid} (${k.comm}): anon+file+shmem rss = ${rssPages} pages but the task table says rss ${row.rss} pages (difference ${rssPages - row.rss} exceeds the SPLIT_RSS_COUNTING lag of ${SPLIT_RSS_LAG} pages)`,
      );
    if (
      k.pgtablesKb !== null &&
      p.tasksColumn === 'pgtables_bytes' &&
      k.pgtablesKb !== Math.floor(row.pgtablesBytes / 1024)
    )
      cx.inc.push(
        `Killed process ${k.pid} (${k.comm}): pgtables ${k.pgtablesKb}kB != task table pgtables_bytes ${row.pgtablesBytes} / 1024 = ${Math.floor(row.pgtablesBytes / 1024)}kB`,
      );
    if (k.uid !== null && k.uid !== row.uid)
      cx.inc.push(`Killed process ${k.pid} (${k.comm}): UID ${k.uid} != task table uid ${row.uid}`);
    if (k.oomScoreAdj !== null && k.oomScoreAdj !== row.oomScoreAdj)
      cx.inc.push(
        `Killed process ${k.pid} (${k.comm}): oom_score_adj ${k.oomScoreAdj} != task table ${row.oomScoreAdj}`,
      );
    if (k.comm !== row.name)
      cx.notes.push(`Killed process ${k.pid}: comm "${k.comm}" vs task table name "${row.name}"`);
  }
}

/** The 6.1 summary and the 4.19 "Task in" line against the memcg/Mem-Info lines and the kill. */
export function checkSummary(cx: Ctx, memcgEvidence: string[], victim: OomKilledLine | null): void {
  const { p, v } = cx;
  const constraint = p.summary?.constraint ?? null;
  const hasMemcgLines = memcgEvidence.length > 0;
  if (constraint === 'CONSTRAINT_MEMCG' && !hasMemcgLines)
    cx.inc.push(
      'constraint=CONSTRAINT_MEMCG but the report has no memcg lines ("memory: usage … limit …", "Memory cgroup stats for …")',
    );
  if (constraint && constraint !== 'CONSTRAINT_MEMCG' && hasMemcgLines)
    cx.inc.push(
      `constraint=${constraint} but the report has memcg lines (${memcgEvidence.join(', ')}), which dump_header() prints only for a memcg OOM`,
    );
  if (p.summary?.global_oom && hasMemcgLines) cx.inc.push('the summary says global_oom but the report has memcg lines');
  if (constraint === 'CONSTRAINT_MEMCG' && p.memInfoSeen)
    cx.inc.push(
      'constraint=CONSTRAINT_MEMCG but the report has "Mem-Info:" (show_mem() is printed only for a global OOM)',
    );
  if (hasMemcgLines && p.memInfoSeen)
    cx.inc.push('the report has both memcg lines and "Mem-Info:" (dump_header() prints one or the other)');
  if (p.summary?.oom_memcg !== undefined) {
    const om = p.summary.oom_memcg;
    if (p.statsFor.length && p.statsFor[0] !== om)
      cx.inc.push(
        `summary oom_memcg=${om} but the stats header says "Memory cgroup stats for ${p.statsFor[0]}:" (both name the OOM memcg)`,
      );
    if (p.summary.task_memcg !== undefined && !isDescendant(p.summary.task_memcg, om))
      cx.inc.push(
        `summary task_memcg=${p.summary.task_memcg} is not inside oom_memcg=${om} (a memcg OOM only scans the OOM memcg's subtree)`,
      );
  }
  if (p.taskIn419) {
    if (p.statsFor.length && p.statsFor[0] !== p.taskIn419.limit)
      cx.inc.push(
        `"limit of ${p.taskIn419.limit}" but the first stats header is "Memory cgroup stats for ${p.statsFor[0]}:"`,
      );
    if (!isDescendant(p.taskIn419.task, p.taskIn419.limit))
      cx.inc.push(`"Task in ${p.taskIn419.task}" is not inside the OOM memcg ${p.taskIn419.limit}`);
  }
  if (p.summary?.pid !== undefined && victim && num(p.summary.pid) !== victim.pid)
    cx.inc.push(
      `summary pid=${p.summary.pid} but Killed process ${victim.pid} (dump_oom_summary() names the victim that __oom_kill_process() kills)`,
    );
  if (p.summary?.task !== undefined && victim && p.summary.task !== victim.comm)
    cx.notes.push(`summary task=${p.summary.task} vs Killed process comm ${victim.comm}`);
  if (p.selection && OOM_TEXT[v].sacrificedChildNote && p.killed.length && victim && victim.pid !== p.selection.pid)
    cx.notes.push(
      `Kill process ${p.selection.pid} but Killed process ${victim.pid}: a child was sacrificed (4.19 oom_kill_process() "prefer children over parent")`,
    );
}

// ---------------------------------------------------------------------------------------------
// Victim recomputation (mm/oom_kill.c oom_badness(), oom_evaluate_task(), select_bad_process())
// ---------------------------------------------------------------------------------------------

/** One task-table row scored with the version's oom_badness(). */
function badness(format: OomFormat, row: OomTaskRow, totalpages: number): OomCandidate {
  const rules = PROFILES[format].badness;
  // 4.19/6.1 add mm_pgtables_bytes() / PAGE_SIZE; 3.12 adds nr_ptes (its table's column).
  const pgtablePages = rules.pgtablesFromBytes
    ? Math.floor(row.pgtablesBytes / 4096)
    : (row.nrPtes ?? Math.floor(row.pgtablesBytes / 4096));
  const base = {
    pid: row.pid,
    tgid: row.tgid,
    name: row.name,
    rss: row.rss,
    swapents: row.swapents,
    pgtablePages,
    oomScoreAdj: row.oomScoreAdj,
  };
  const excluded = { ...base, effectiveAdj: row.oomScoreAdj, adjPoints: 0, points: null };
  // oom_unkillable_task(): global init is never chosen (dump_tasks() does not print it either).
  if (row.pid === 1) return { ...excluded, excluded: 'global init (oom_unkillable_task)' };
  const b = oom_badness(
    { rss: row.rss, swapents: row.swapents, pgtablesPages: pgtablePages, oomScoreAdj: row.oomScoreAdj, uid: row.uid },
    totalpages,
    rules,
  );
  // "adj == OOM_SCORE_ADJ_MIN" → LONG_MIN (6.1) / 0 (4.19, 3.12): never selected.
  if (b.points === null) return { ...excluded, excluded: 'oom_score_adj -1000 (OOM_SCORE_ADJ_MIN)' };
  return { ...base, effectiveAdj: b.adj, adjPoints: b.adjPoints, points: b.points };
}

/**
 * oom_evaluate_task()'s comparison, by the profile's tie discriminant: the initial chosen_points,
 * whether a task with `points` replaces the chosen one, and how the explanation states the rule.
 * 'later-nonzero' (3.12) follows docs/kernel-reference.md §7.5, "strictly greater wins" (the model's
 * src/mm/oom_kill.ts lets an equal later task win).
 */
const TIE_RULES: Record<
  KernelProfile['badness']['tie'],
  {
    start: number;
    replaces: (points: number, chosenPoints: number, chosen: OomCandidate | null) => boolean;
    text: string;
  }
> = {
  later: {
    start: -Infinity,
    replaces: (points, chosenPoints) => points >= chosenPoints,
    text: '6.1 tie rule: oom_evaluate_task() skips only "points < chosen_points", so of equal scores the LATER task in the table wins',
  },
  leader: {
    start: 0,
    replaces: (points, chosenPoints, chosen) =>
      !(!points || points < chosenPoints) && !(points === chosenPoints && chosen && chosen.pid === chosen.tgid),
    text: '4.19 tie rule: on equal points a chosen thread-group leader is kept (the EARLIER leader wins)',
  },
  'later-nonzero': {
    start: 0,
    replaces: (points, chosenPoints) => points > chosenPoints,
    text: '3.12: strictly greater wins (the earlier task keeps a tie)',
  },
};

/** What the explanation says per report format, where no profile field expresses it. */
const OOM_TEXT: Record<OomFormat, { sacrificedChildNote: boolean; memcgScanOrderNote: boolean }> = {
  // 4.19 oom_kill_process() "prefer children over parent" shows as a Kill/Killed pid mismatch;
  // 4.19 memcg OOMs scan the memcg's threads while dump_tasks() walks for_each_process().
  '6.1': { sacrificedChildNote: false, memcgScanOrderNote: false },
  '4.19': { sacrificedChildNote: true, memcgScanOrderNote: true },
  '3.12': { sacrificedChildNote: false, memcgScanOrderNote: false },
};

/**
 * select_bad_process() over the dump_tasks() rows, in table order (6.1: dump_tasks() walks the
 * same iterator as select_bad_process(): mem_cgroup_scan_tasks() or for_each_process()).
 * oom_evaluate_task(): 6.1 skips `points < chosen_points`, so an equal later task replaces the
 * chosen one; 4.19 skips `!points || points < chosen_points` and on a tie keeps a chosen
 * thread-group leader; 3.12: strictly greater wins.
 */
function selectVictim(format: OomFormat, cands: OomCandidate[]): OomCandidate | null {
  const rule = TIE_RULES[PROFILES[format].badness.tie];
  let chosen: OomCandidate | null = null;
  let chosenPoints = rule.start;
  for (const c of cands) {
    if (c.points === null) continue;
    if (!rule.replaces(c.points, chosenPoints, chosen)) continue;
    chosen = c;
    chosenPoints = c.points;
  }
  return chosen;
}

/**
 * select_bad_process() over a report's task table: every row scored with the version's
 * oom_badness() and ranked (1 = most points), and the task the version's tie rule picks.
 */
export function scoreTaskTable(
  format: OomFormat,
  rows: readonly OomTaskRow[],
  totalpages: number,
): { candidates: OomCandidate[]; victim: OomCandidate | null } {
  const candidates = rows.map((row) => badness(format, row, totalpages));
  const ranked = candidates.filter((c) => c.points !== null).sort((a, b) => b.points! - a.points!);
  ranked.forEach((c, i) => {
    c.rank = i + 1;
  });
  return { candidates, victim: rows.length ? selectVictim(format, candidates) : null };
}

/** What section 8 works with. */
interface Recomputation {
  totalpages: Totalpages;
  candidates: OomCandidate[];
  /** eligible candidates, highest points first (ranked) */
  ranked: OomCandidate[];
  recomputed: OomCandidate | null;
  victim: OomKilledLine | null;
  tieRule: string;
}

/** The candidate table, highest points first, with the recomputed, killed and selected marks. */
function sayCandidates(cx: Ctx, r: Recomputation): void {
  const { p, v, kind } = cx;
  const { candidates, ranked, recomputed, victim, tieRule } = r;
  if (!candidates.length) {
    say(cx, '   (no task rows to recompute from)');
    return;
  }
  say(
    cx,
    `   ${pad('rank', 4)} ${padEnd('pid', 8)} ${padEnd('name', 16)} ${pad('rss', 8)} ${pad('swapents', 8)} ${pad(PROFILES[v].oomReport.dumpTasks === 'nr_ptes' ? 'nr_ptes' : 'pgtbl/4096', 10)} ${pad('adj', 6)} ${pad('adj×(tp/1000)', 14)} ${pad('points', 10)}`,
  );
  const order = [...ranked, ...candidates.filter((c) => c.points === null)];
  for (const c of order) {
    const marks: string[] = [];
    if (recomputed && c === recomputed) marks.push('← recomputed victim');
    if (victim && c.pid === victim.pid) marks.push('← killed');
    else if (!victim && p.selection && c.pid === p.selection.pid) marks.push('← selected');
    if (c.excluded) marks.push(`excluded: ${c.excluded}`);
    const adjText = c.effectiveAdj !== c.oomScoreAdj ? `${c.effectiveAdj}*` : String(c.effectiveAdj);
    say(
      cx,
      `   ${pad(c.rank ?? '-', 4)} ${padEnd(c.pid, 8)} ${padEnd(c.name, 16)} ${pad(c.rss, 8)} ${pad(c.swapents, 8)} ${pad(c.pgtablePages, 10)} ${pad(adjText, 6)} ${pad(c.excluded ? '-' : c.adjPoints, 14)} ${pad(c.points ?? '-', 10)}  ${marks.join(' ')}`,
    );
  }
  if (candidates.some((c) => c.effectiveAdj !== c.oomScoreAdj))
    say(cx, '   (* 3.12 root bonus: adj − 30 for CAP_SYS_ADMIN, assumed for uid 0)');
  say(cx, `   ${tieRule}.`);
  if (OOM_TEXT[v].memcgScanOrderNote && kind === 'memcg')
    say(
      cx,
      "   (4.19 memcg OOM: select_bad_process() iterates the memcg's threads while dump_tasks() walks for_each_process(), so the table order may differ from the scan order — only matters for ties.)",
    );
}

/** The recomputed victim, and (4.19/3.12) its normalised score against the printed one. */
function sayRecomputedScore(cx: Ctx, recomputed: OomCandidate, totalpages: Totalpages): void {
  const { p, v } = cx;
  say(cx, `   Recomputed victim: pid ${recomputed.pid} (${recomputed.name}) with ${recomputed.points} points.`);
  // the score is what oom_kill_process()'s "Kill process %d (%s) score %u or sacrifice child" prints
  if (!PROFILES[v].sacrificeChild || !totalpages.value) return;
  const score = Math.floor((recomputed.points! * 1000) / totalpages.value);
  say(
    cx,
    `   Its normalised score (4.19/3.12 "score"): points × 1000 / totalpages = ${score}${p.selection ? ` (printed: ${p.selection.score})` : ''}.`,
  );
  // Tolerance: the rss lag of one task (64 pages) in score units, plus rounding.
  if (
    p.selection &&
    p.selection.pid === recomputed.pid &&
    Math.abs(score - p.selection.score) > Math.ceil((SPLIT_RSS_LAG * 1000) / totalpages.value) + 1
  ) {
    cx.inc.push(
      `"Kill process ${p.selection.pid}" prints score ${p.selection.score}, but its recomputed points ${recomputed.points} × 1000 / totalpages ${totalpages.value} = ${score}${totalpages.exact ? '' : ' (totalpages is an estimate)'}`,
    );
  }
}

/** The kernel chose another process than the recomputation: why that may be. */
function sayDifferentChoice(
  cx: Ctx,
  r: Recomputation & { recomputed: OomCandidate },
  selectedPid: number,
  adjMatters: boolean,
): void {
  const { p } = cx;
  const { candidates, recomputed, totalpages, tieRule } = r;
  const actual = candidates.find((c) => c.pid === selectedPid) ?? null;
  const tie = actual?.points !== null && actual?.points === recomputed.points;
  const close = actual?.points != null && Math.abs(recomputed.points! - actual.points) <= SPLIT_RSS_LAG;
  if (totalpages.value === null && adjMatters) {
    cx.notes.push(
      `the kernel chose pid ${selectedPid}, the recomputation pid ${recomputed.pid}, but totalpages is unknown and some oom_score_adj are non-zero, so the comparison is not conclusive`,
    );
    say(cx, '   The kernel chose a different process, but totalpages is unknown: not conclusive.');
    return;
  }
  const caveat = tie
    ? `they tie at ${recomputed.points} points: ${tieRule}; a scan order different from the table order would explain it`
    : close
      ? `the difference (${recomputed.points! - actual!.points!} points) is within the ${SPLIT_RSS_LAG}-page SPLIT_RSS_COUNTING lag: the rss counters the selection read may have lagged the ones printed`
      : `caveats: the rss counters used for selection lag the real counts by up to ${SPLIT_RSS_LAG} pages per task, and the table does not show MMF_OOM_SKIP (already reaped victims), in-vfork or oom_task_origin (swapoff/KSM) tasks${totalpages.exact ? '' : ', and totalpages is an estimate'}`;
  const actualTxt = actual
    ? `pid ${selectedPid} (${actual.name}, ${actual.points ?? 'excluded'}${actual.points !== null ? ' points' : ''})`
    : `pid ${selectedPid} (not in the task table)`;
  cx.inc.push(
    `recomputed victim pid ${recomputed.pid} (${recomputed.name}, ${recomputed.points} points) differs from the ${p.selection ? 'selected' : 'killed'} process ${actualTxt}; ${caveat}`,
  );
  say(cx, `   The kernel chose ${actualTxt}: DIFFERENT from the recomputation (see inconsistencies).`);
}

/** The recomputation against what the kernel did (selected, killed, bypassed, or nobody). */
function compareWithKernel(cx: Ctx, r: Recomputation, invokerPid: number | null): void {
  const { p, v } = cx;
  const { candidates, recomputed, victim } = r;
  const allocatingTask = !!victim?.message?.includes('oom_kill_allocating_task');
  const adjMatters = candidates.some((c) => c.points !== null && c.effectiveAdj !== 0);
  // without the "Kill process … or sacrifice child" selection line (6.1) the victim is the killed (or summary) pid
  const selectedPid = PROFILES[v].sacrificeChild
    ? (p.selection?.pid ?? victim?.pid ?? null)
    : (victim?.pid ?? (p.summary?.pid !== undefined ? num(p.summary.pid) : null));
  if (recomputed) sayRecomputedScore(cx, recomputed, r.totalpages);
  if (allocatingTask) {
    say(
      cx,
      '   Selection was bypassed (oom_kill_allocating_task): the victim is the invoking task, whatever its points.',
    );
    if (victim && invokerPid !== null && victim.pid !== invokerPid)
      cx.inc.push(
        `"(oom_kill_allocating_task)" kill of pid ${victim.pid}, but the invoking task is pid ${invokerPid} (that sysctl kills current)`,
      );
  } else if (selectedPid !== null && recomputed) {
    if (recomputed.pid === selectedPid)
      say(cx, `   The kernel ${p.selection ? 'selected' : 'killed'} pid ${selectedPid}: matches the recomputation.`);
    else sayDifferentChoice(cx, { ...r, recomputed }, selectedPid, adjMatters);
  } else if (recomputed && (p.panic || p.noKillable)) {
    say(
      cx,
      `   Nobody was killed${p.panic ? ' (panic_on_oom)' : ''}; select_bad_process() would have picked pid ${recomputed.pid} (${recomputed.name}).`,
    );
  }
  if (p.noKillable && recomputed)
    cx.inc.push(
      `"Out of memory and no killable processes" but the task table has an eligible task: pid ${recomputed.pid} (${recomputed.name})`,
    );
  if (!adjMatters && candidates.length)
    say(
      cx,
      '   All eligible tasks have oom_score_adj 0, so totalpages does not affect the choice: the largest rss + swap + page tables wins.',
    );
}

/** 8. Recomputes the victim from the task table and compares it with the kernel's choice. */
export function recomputeVictim(
  cx: Ctx,
  totalpages: Totalpages,
  victim: OomKilledLine | null,
  invokerPid: number | null,
): { candidates: OomCandidate[]; recomputed: OomCandidate | null } {
  const { p, v } = cx;
  say(cx, '8. Recomputing the victim — oom_badness() / select_bad_process() (mm/oom_kill.c)');
  const rules = PROFILES[v].badness;
  const formula = rules.rootBonus
    ? 'points = rss + nr_ptes + swapents + (oom_score_adj − 30 if root) × (totalpages / 1000), clamped to ≥ 1'
    : `points = rss + swapents + pgtables_bytes/4096 + oom_score_adj × (totalpages / 1000)${rules.clampToOne ? ', clamped to ≥ 1' : ' (6.1: not clamped, may be ≤ 0)'}`;
  say(cx, `   ${formula}; integer divisions; oom_score_adj −1000 is never chosen.`);
  say(cx, `   totalpages = ${totalpages.value ?? 'unknown'}: ${totalpages.how}.`);
  const { candidates, victim: recomputed } = scoreTaskTable(v, p.tasks, totalpages.value ?? 0);
  const ranked = candidates.filter((c) => c.points !== null).sort((a, b) => b.points! - a.points!);
  const r: Recomputation = {
    totalpages,
    candidates,
    ranked,
    recomputed,
    victim,
    tieRule: TIE_RULES[PROFILES[v].badness.tie].text,
  };
  sayCandidates(cx, r);
  compareWithKernel(cx, r, invokerPid);
  say(cx, '');
  return { candidates, recomputed };
}

/** 9. The verdict: every inconsistency and note. */
export function sayVerdict(cx: Ctx): void {
  say(cx, '9. Consistency checks');
  say(
    cx,
    '   Checked: victim = recomputed maximum; Killed-line rss (kB/4) vs table rss (±64 pages, SPLIT_RSS lag); total-vm kB = total_vm × 4; pgtables kB = pgtables_bytes/1024; memcg usage ≤ limit; oom_memcg/task_memcg vs the stats header; constraint vs memcg/Mem-Info lines.',
  );
  if (!cx.inc.length) say(cx, '   No inconsistencies.');
  for (const x of cx.inc) say(cx, `   ! ${x}`);
  for (const x of cx.notes) say(cx, `   note: ${x}`);
}
