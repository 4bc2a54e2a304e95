/**
 * What the parts of `faultpath explain oom` (oom.ts, oom-sections.ts, oom-victim.ts) share: the
 * report being explained with the text, inconsistencies and notes written so far, the figures
 * derived from it, and small text helpers.
 */
import type { MemcgCounterLine, OomFormat, OomReport } from './oom-report.js';

/** Pages assumed to be 4 KiB: all printed "kB" sizes are converted with /4. */
export const PAGE_KB = 4;
/** TASK_RSS_EVENTS_THRESH: 6.1/4.19 SPLIT_RSS_COUNTING flushes the per-task rss cache every 64 events. */
export const SPLIT_RSS_LAG = 64;
/** PAGE_COUNTER_MAX in kB (6.1/4.19 "unlimited"); 3.12 prints 18014398509481983kB.  Anything this large is "max". */
export const UNLIMITED_KB = 2 ** 50;

export type OomKind = 'memcg' | 'global';

/** constrained_alloc()'s totalpages as far as the report tells it. */
export interface Totalpages {
  value: number | null;
  exact: boolean;
  how: string;
}

export interface MemcgInfo {
  /** the OOM memcg: 6.1 "Memory cgroup stats for X:", 4.19 "limit of X" */
  statsFor: string | null;
  memory: MemcgCounterLine | null;
  swap: MemcgCounterLine | null;
  memsw: MemcgCounterLine | null;
  kmem: MemcgCounterLine | null;
  stats: Record<string, number>;
}

export interface MemInfo {
  pagesRam: number | null;
  pagesReserved: number | null;
  totalSwapKb: number | null;
  freeSwapKb: number | null;
}

/** One report being explained. */
export interface Ctx {
  p: OomReport;
  v: OomFormat;
  kind: OomKind;
  /** the explanation text, line by line */
  out: string[];
  inc: string[];
  notes: string[];
}

/** Appends explanation lines (trailing blanks removed). */
export function say(c: Ctx, s = ''): void {
  c.out.push(s.replace(/[ \t]+$/gm, ''));
}

export const num = (s: string | undefined): number => (s === undefined ? NaN : Number(s));
export const pad = (v: string | number, w: number) => String(v).padStart(w);
export const padEnd = (v: string | number, w: number) => String(v).padEnd(w);
export const kbToPages = (kb: number) => Math.floor(kb / PAGE_KB);
export const hex = (n: number) => '0x' + n.toString(16);
export const fmtKb = (kb: number) =>
  kb >= UNLIMITED_KB ? `${kb}kB (= max, unlimited)` : `${kb}kB = ${kbToPages(kb)} pages`;
/** Function name without the "? " marker and compiler suffixes (.cold, .constprop.0, .isra.0, .part.0). */
export const baseName = (f: string) => f.replace(/^\?\s+/, '').replace(/\..*$/, '');

/** cgroup path `child` is `parent` or below it. */
export function isDescendant(child: string, parent: string): boolean {
  if (child === parent || parent === '/') return true;
  return child.startsWith(parent.endsWith('/') ? parent : parent + '/');
}
