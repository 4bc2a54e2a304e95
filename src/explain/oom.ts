/**
 * `faultpath explain oom FILE`: read a kernel log, find every OOM-killer report in it (Linux
 * 6.1 or 4.19 layout; 3.12 best effort), explain it section by section, recompute the victim
 * with the version's oom_badness() and flag numbers that do not fit together.
 *
 * The reports are read by the one OOM-report parser (oom-report.ts, which the oracle comparison
 * uses too); the sections are written by oom-sections.ts (1–7) and oom-victim.ts (8–9).
 *
 * Pure function, no I/O; the commander wiring lives in src/cli/explain.ts.  Never throws: input
 * that contains no report yields `{ text: 'no OOM report found', reports: [], inconsistencies: [] }`.
 */
import type { MemInfo, MemcgInfo, OomKind, Totalpages } from './oom-context.js';
import {
  logLines,
  parseOomReport,
  splitOomReports,
  type OomFormat,
  type OomKilledLine,
  type OomKillSelection,
  type OomReport,
  type OomTaskRow,
} from './oom-report.js';
import {
  classifyKind,
  estimateTotalpages,
  sayCallTrace,
  sayGfp,
  sayHeader,
  sayKill,
  sayKind,
  sayMemInfo,
  sayMemcg,
  saySummary,
  sayTasks,
} from './oom-sections.js';
import { checkKillLines, checkSummary, recomputeVictim, sayVerdict, type OomCandidate } from './oom-victim.js';

export type { MemcgCounterLine, OomFormat, OomKilledLine, OomKillSelection, OomTaskRow } from './oom-report.js';
export type { OomCandidate } from './oom-victim.js';

export interface ExplainedReport {
  /** 1-based position in the input */
  index: number;
  format: OomFormat;
  kind: OomKind;
  /** why `kind` was decided (which lines were seen) */
  kindEvidence: string[];
  invoker: {
    comm: string;
    pid: number | null;
    gfpMask: number;
    gfpText: string | null;
    order: number;
    oomScoreAdj: number;
    nodemask: string | null;
  };
  /** the set single-bit flags of the gfp mask, by kernel name */
  gfpFlags: string[];
  /** the path classification of the call trace, e.g. "page fault (x86: asm_exc_page_fault)" */
  path: string[];
  /** function names of the call trace, innermost first ("? " kept for unreliable x86 frames) */
  callTrace: string[];
  memcg: MemcgInfo | null;
  memInfo: MemInfo | null;
  /** the 6.1 dump_oom_summary() fields */
  summary: Record<string, string> | null;
  tasks: OomTaskRow[];
  selection: OomKillSelection | null;
  killed: OomKilledLine[];
  /** the process the kernel killed first (the selected victim, 4.19: possibly a sacrificed child) */
  victim: OomKilledLine | null;
  oomGroup: string | null;
  panic: string | null;
  totalpages: Totalpages;
  candidates: OomCandidate[];
  recomputedVictim: OomCandidate | null;
  inconsistencies: string[];
  notes: string[];
  text: string;
}

export interface ExplainOomResult {
  text: string;
  reports: ExplainedReport[];
  inconsistencies: string[];
}

/** Explains one parsed report, section by section. */
function explainOne(index: number, p: OomReport): ExplainedReport {
  const v = p.format;
  const { kind, kindEvidence, memcgEvidence } = classifyKind(p, v);
  const totalpages = estimateTotalpages(p, v, kind);
  const cx = { p, v, kind, out: [] as string[], inc: [] as string[], notes: [] as string[] };
  const invokerPid = p.cpu?.pid ?? null;
  sayHeader(cx, index);
  const gfpFlags = sayGfp(cx);
  sayKind(cx, kindEvidence);
  const path = sayCallTrace(cx);
  const memcg = sayMemcg(cx);
  const memInfo = sayMemInfo(cx);
  sayTasks(cx);
  saySummary(cx);
  const victim = sayKill(cx);
  checkKillLines(cx);
  checkSummary(cx, memcgEvidence, victim);
  const { candidates, recomputed } = recomputeVictim(cx, totalpages, victim, invokerPid);
  sayVerdict(cx);
  return {
    index,
    format: v,
    kind,
    kindEvidence,
    invoker: {
      comm: p.header.comm,
      pid: invokerPid,
      gfpMask: p.header.gfpMask,
      gfpText: p.header.gfpText,
      order: p.header.order,
      oomScoreAdj: p.header.oomScoreAdj,
      nodemask: p.header.nodemask,
    },
    gfpFlags,
    path,
    callTrace: [...p.frames],
    memcg,
    memInfo,
    summary: p.summary,
    tasks: p.tasks,
    selection: p.selection,
    killed: p.killed,
    victim,
    oomGroup: p.oomGroup,
    panic: p.panic,
    totalpages,
    candidates,
    recomputedVictim: recomputed,
    inconsistencies: cx.inc,
    notes: cx.notes,
    text: cx.out.join('\n'),
  };
}

/** The first line of the output: how many reports, duplicates and inconsistencies. */
function headline(reports: number, skipped: number, inconsistencies: number): string {
  const dup = skipped ? ` (${skipped} duplicate${skipped === 1 ? '' : 's'} with identical timestamp skipped)` : '';
  const inc = inconsistencies
    ? `${inconsistencies} inconsistenc${inconsistencies === 1 ? 'y' : 'ies'}`
    : 'no inconsistencies';
  return `${reports} OOM report${reports === 1 ? '' : 's'} found${dup}; ${inc}.`;
}

/**
 * Explain every OOM report in a kernel log.  Reports are split at each "invoked oom-killer"
 * header line; a report whose header carries the same printk timestamp and text as an earlier
 * one (the same ring-buffer record dumped twice, e.g. console + dmesg) is skipped.
 */
export function explainOomReport(text: string): ExplainOomResult {
  const none: ExplainOomResult = { text: 'no OOM report found', reports: [], inconsistencies: [] };
  try {
    if (typeof text !== 'string' || !text.includes('invoked oom-killer')) return none;
    const { segments, duplicates } = splitOomReports(logLines(text));
    if (!segments.length) return none;
    const reports: ExplainedReport[] = [];
    const texts: string[] = [];
    const inconsistencies: string[] = [];
    for (const seg of segments) {
      const index = reports.length + 1;
      try {
        const parsed = parseOomReport(seg);
        if (!parsed) continue;
        const r = explainOne(index, parsed);
        reports.push(r);
        texts.push(r.text);
        for (const x of r.inconsistencies) inconsistencies.push(`report ${index}: ${x}`);
      } catch (e) {
        texts.push(`OOM report ${index}: could not be explained (${(e as Error).message})`);
      }
    }
    if (!reports.length) return { ...none, text: texts.length ? texts.join('\n\n') : none.text };
    const head = headline(reports.length, duplicates, inconsistencies.length);
    return { text: [head, ...texts].join('\n\n'), reports, inconsistencies };
  } catch {
    return none;
  }
}
