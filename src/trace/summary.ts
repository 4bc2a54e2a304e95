/**
 * `--summary`: what happened over all fault episodes, in a screenful.
 *
 *   4096 fault episodes: prog-123 ×4096
 *   outcomes:
 *     4095  ok
 *        1  VM_FAULT_OOM, oom-kill prog-123, SIGKILL
 *   call paths (episodes through each path; "= …" is the return value of the path's last function):
 *     4096  el0t_64_sync → el0t_64_sync_handler → el0_da → do_mem_abort → … → do_anonymous_page  = 0 ×4095, VM_FAULT_OOM ×1
 *     4096  ├─ __mem_cgroup_charge → try_charge_memcg  = 0 ×4095, -ENOMEM ×1
 *        1  │  └─ mem_cgroup_out_of_memory → out_of_memory → oom_kill_process
 *     4095  └─ set_pte_at
 *
 * The call-path tree merges the call graphs of all episodes (a trie keyed by function name along
 * the call stack).  A node's count is the number of episodes that reached that call path; a run
 * of nodes with one child and the same counts is printed as one `a → b → c` chain.  Siblings are
 * ordered by count (descending), then name, so the output is deterministic.  Episodes are found
 * by findFaultEpisodes() in filter.ts (exception → return to user, per task).
 */
import type { TraceEvent } from './events.js';
import { findFaultEpisodes, type FaultEpisode } from './filter.js';

export interface SummaryNode {
  fn: string;
  /** episodes that reached this call path */
  episodes: number;
  /** calls of this path over all episodes (≥ episodes: loops, retries) */
  calls: number;
  /** return values seen, with how often */
  rets: Map<string, number>;
  children: Map<string, SummaryNode>;
}

export interface SummaryData {
  episodes: FaultEpisode[];
  /** outcome label → episode count, most frequent first */
  outcomes: { label: string; count: number }[];
  /** per task `comm-pid` → episode count */
  tasks: { task: string; count: number }[];
  roots: SummaryNode[];
}

function newNode(fn: string): SummaryNode & { lastEp: number } {
  return { fn, episodes: 0, calls: 0, rets: new Map(), children: new Map(), lastEp: -1 };
}

/** What an episode ended in, e.g. "ok" or "VM_FAULT_OOM, oom-kill prog-123, SIGKILL". */
function outcomeOf(events: readonly TraceEvent[], ep: FaultEpisode, comms: ReadonlyMap<number, string>): string {
  const parts: string[] = [];
  if (ep.vmFaultError) parts.push(ep.vmFaultError);
  for (const j of ep.indices) {
    const e = events[j]!;
    if (e.kind !== 'oom') continue;
    if (e.victim === null) parts.push('oom: no victim');
    else {
      const comm = e.candidates.find((c) => c.pid === e.victim)?.comm ?? comms.get(e.victim) ?? '?';
      parts.push(`oom-kill ${comm}-${e.victim}`);
    }
  }
  parts.push(...ep.fatalSignals);
  return parts.length > 0 ? parts.join(', ') : 'ok';
}

const byCountThenName =
  <T>(count: (t: T) => number, name: (t: T) => string) =>
  (a: T, b: T): number =>
    count(b) - count(a) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);

export function summaryData(events: readonly TraceEvent[]): SummaryData {
  const episodes = findFaultEpisodes(events);
  const comms = new Map<number, string>();
  for (const e of events) comms.set(e.pid, e.comm);

  const outcomeCount = new Map<string, number>();
  const taskCount = new Map<string, number>();
  const root = newNode('');
  episodes.forEach((ep, n) => {
    const label = outcomeOf(events, ep, comms);
    outcomeCount.set(label, (outcomeCount.get(label) ?? 0) + 1);
    const task = `${ep.comm}-${ep.pid}`;
    taskCount.set(task, (taskCount.get(task) ?? 0) + 1);

    const stack: (SummaryNode & { lastEp: number })[] = [root];
    for (const j of ep.indices) {
      const e = events[j]!;
      if (e.kind === 'enter') {
        const parent = stack[stack.length - 1]!;
        let child = parent.children.get(e.fn) as (SummaryNode & { lastEp: number }) | undefined;
        if (!child) parent.children.set(e.fn, (child = newNode(e.fn)));
        if (child.lastEp !== n) {
          child.lastEp = n;
          child.episodes++;
        }
        child.calls++;
        stack.push(child);
      } else if (e.kind === 'exit') {
        let k = stack.length - 1;
        while (k > 0 && stack[k]!.fn !== e.fn) k--;
        if (k === 0) continue; // return without its entry in this episode
        const node = stack[k]!;
        if (e.ret !== undefined) node.rets.set(e.ret, (node.rets.get(e.ret) ?? 0) + 1);
        stack.length = k;
      }
    }
  });

  const sortCounts = (m: Map<string, number>, key: 'label' | 'task') =>
    [...m]
      .map(([k, count]) => ({ k, count }))
      .sort(
        byCountThenName(
          (x) => x.count,
          (x) => x.k,
        ),
      );
  return {
    episodes,
    outcomes: sortCounts(outcomeCount, 'label').map(({ k, count }) => ({ label: k, count })),
    tasks: sortCounts(taskCount, 'task').map(({ k, count }) => ({ task: k, count })),
    roots: sortedChildren(root),
  };
}

function sortedChildren(n: SummaryNode): SummaryNode[] {
  return [...n.children.values()].sort(
    byCountThenName(
      (c) => c.episodes,
      (c) => c.fn,
    ),
  );
}

function retText(rets: ReadonlyMap<string, number>): string {
  if (rets.size === 0) return '';
  const list = [...rets].sort(
    byCountThenName(
      ([, c]) => c,
      ([r]) => r,
    ),
  );
  if (list.length === 1) return `  = ${list[0]![0]}`;
  return '  = ' + list.map(([r, c]) => `${r} ×${c}`).join(', ');
}

/** The printable summary text (ends with '\n'). */
export function summarize(events: readonly TraceEvent[]): string {
  const d = summaryData(events);
  const n = d.episodes.length;
  const out: string[] = [];
  out.push(
    `${n} fault episode${n === 1 ? '' : 's'}${n > 0 ? ': ' + d.tasks.map((t) => `${t.task} ×${t.count}`).join(', ') : ''}`,
  );
  if (n === 0) return out.join('\n') + '\n';

  const w = String(n).length;
  const count = (c: number): string => String(c).padStart(w, ' ');

  out.push('outcomes:');
  for (const o of d.outcomes) out.push(`  ${count(o.count)}  ${o.label}`);

  if (d.roots.length > 0) {
    out.push('call paths (episodes through each path; "= …" is the return value of the path\'s last function):');
    const render = (node: SummaryNode, prefix: string, connector: string, childPrefix: string): void => {
      // Merge the run of single children with identical counts into one chain.
      const chain = [node.fn];
      let last = node;
      for (;;) {
        if (last.children.size !== 1) break;
        const only = [...last.children.values()][0]!;
        if (only.episodes !== last.episodes || only.calls !== last.calls) break;
        chain.push(only.fn);
        last = only;
      }
      const calls = last.calls !== last.episodes ? `  (${last.calls} calls)` : '';
      out.push(`  ${count(last.episodes)}  ${prefix}${connector}${chain.join(' → ')}${retText(last.rets)}${calls}`);
      const kids = sortedChildren(last);
      kids.forEach((k, i) => {
        const isLast = i === kids.length - 1;
        render(k, prefix + childPrefix, isLast ? '└─ ' : '├─ ', isLast ? '   ' : '│  ');
      });
    };
    for (const r of d.roots) render(r, '', '', '');
  }
  return out.join('\n') + '\n';
}
