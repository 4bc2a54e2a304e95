/**
 * fs/proc/base.c: the /proc/<pid>/ directory (tgid_base_stuff[]) and its OOM knobs: oom_score,
 * oom_score_adj, the legacy oom_adj, comm.  The status/stat/statm texts are in array.ts.
 */
import type { KernelState } from '../../include/faultpath/kernel_state.js';
import type { VirtualFile } from '../../include/linux/fs.js';
import type { Task } from '../../include/linux/sched.js';
import { EACCES, EINVAL } from '../../include/uapi/asm-generic/errno.js';
import { proc_cgroup_show } from '../../kernel/cgroup/cgroup.js';
import { OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MIN, taskBadness } from '../../mm/oom_kill.js';
import { proc_pid_statm, proc_pid_status, proc_tgid_stat } from './array.js';
import type { ProcFsInfo } from './internal.js';
import { printk } from '../../kernel/printk/printk.js';
import { total_swap_pages } from '../../mm/swapfile.js';

/** include/uapi/linux/oom.h: the legacy oom_adj range; OOM_DISABLE turns the killer off. */
const OOM_DISABLE = -17;
const OOM_ADJUST_MIN = -16;
const OOM_ADJUST_MAX = 15;

/** The writer of a /proc file: `self` (null for the model's own, root, writes). */
interface ProcFileCtx {
  k: KernelState;
  fsi: ProcFsInfo;
  /** the task whose /proc/<pid> directory this is */
  task: Task;
  /** the task reading or writing (current), null when the runner does */
  self: Task | null;
}

/** /proc/<pid>/oom_score: proc_oom_score() (docs/kernel-reference.md §7.6). */
export function proc_oom_score(k: KernelState, p: Task): number {
  const totalpages = k.phys.managedPages + total_swap_pages(k);
  const b = taskBadness(k, p, totalpages);
  if (b.points === null) return 0;
  if (k.profile.badness.oomScoreCentered)
    return Math.trunc(((1000 + Math.trunc((b.points * 1000) / totalpages)) * 2) / 3);
  return Math.trunc((b.points * 1000) / totalpages);
}

/**
 * __set_oom_adj(): range already checked.  Lowering below oom_score_adj_min needs
 * CAP_SYS_RESOURCE; a privileged oom_score_adj write also sets the minimum; every thread of the
 * group shares signal->oom_score_adj; then the oom_score_adj_update tracepoint.
 */
export function __set_oom_adj(k: KernelState, t: Task, v: number, legacy: boolean, privileged: boolean): number {
  if (v < t.oomScoreAdjMin && !privileged) return -EACCES;
  t.oomScoreAdj = v;
  if (!legacy && privileged) t.oomScoreAdjMin = v;
  for (const o of k.sched.tasks.values()) if (o.tgid === t.tgid) o.oomScoreAdj = v;
  k.tracer.emit('tracepoint', {
    system: 'oom',
    name: 'oom_score_adj_update',
    fields: { pid: t.pid, comm: t.comm, oom_score_adj: v },
    text: `pid=${t.pid} comm=${t.comm} oom_score_adj=${v}`,
  });
  return 0;
}

/** capable(CAP_SYS_RESOURCE) for the writer: the model's uid 0 (or the runner itself). */
function capable_sys_resource(self: Task | null): boolean {
  return !self || self.uid === 0;
}

/** kstrtoint() of the whole (trimmed) buffer, or null. */
function kstrtoint(buf: string): number | null {
  const s = buf.trim();
  return /^-?\d+$/.test(s) ? Number(s) : null;
}

function oom_score_adj_read(c: ProcFileCtx): string {
  return `${c.task.oomScoreAdj}\n`;
}

/** oom_score_adj_write(): -1000..1000. */
function oom_score_adj_write(c: ProcFileCtx, buf: string): number {
  const v = kstrtoint(buf);
  if (v === null || v < OOM_SCORE_ADJ_MIN || v > OOM_SCORE_ADJ_MAX) return -EINVAL;
  const r = __set_oom_adj(c.k, c.task, v, false, capable_sys_resource(c.self));
  return r < 0 ? r : buf.length;
}

/** oom_adj_read(): oom_score_adj scaled back to -17..15. */
function oom_adj_read(c: ProcFileCtx): string {
  const adj =
    c.task.oomScoreAdj === OOM_SCORE_ADJ_MAX
      ? OOM_ADJUST_MAX
      : Math.trunc((c.task.oomScoreAdj * -OOM_DISABLE) / OOM_SCORE_ADJ_MAX);
  return `${Math.min(adj, OOM_ADJUST_MAX)}\n`;
}

/** oom_adj_write(): the legacy scale (-16..15, or OOM_DISABLE), with a once-per-boot warning. */
function oom_adj_write(c: ProcFileCtx, buf: string): number {
  const { k, task: t } = c;
  const v = kstrtoint(buf);
  if (v === null || ((v < OOM_ADJUST_MIN || v > OOM_ADJUST_MAX) && v !== OOM_DISABLE)) return -EINVAL;
  const adj = v === OOM_ADJUST_MAX ? OOM_SCORE_ADJ_MAX : Math.trunc((v * OOM_SCORE_ADJ_MAX) / -OOM_DISABLE);
  if (!c.fsi.oom_adj_warned) {
    c.fsi.oom_adj_warned = true;
    const cur = c.self ?? t;
    printk(
      k,
      4,
      `${cur.comm} (${cur.pid}): /proc/${t.pid}/oom_adj is deprecated, please use /proc/${t.pid}/oom_score_adj instead.`,
    );
  }
  const r = __set_oom_adj(k, t, adj, true, capable_sys_resource(c.self));
  return r < 0 ? r : buf.length;
}

/** A pid_entry: the read (show) and optional write of one file in /proc/<pid>/. */
interface PidEntry {
  show(c: ProcFileCtx): string;
  write?(c: ProcFileCtx, buf: string): number;
}

/** tgid_base_stuff[]: the files of /proc/<pid>/ the model serves. */
const tgid_base_stuff = new Map<string, PidEntry>([
  ['status', { show: (c) => proc_pid_status(c.task) }],
  ['stat', { show: (c) => proc_tgid_stat(c.task) }],
  ['statm', { show: (c) => proc_pid_statm(c.task) }],
  ['comm', { show: (c) => `${c.task.comm}\n` }], // comm_show()
  ['cgroup', { show: (c) => proc_cgroup_show(c.k, c.task) }],
  ['oom_score', { show: (c) => `${proc_oom_score(c.k, c.task)}\n` }],
  ['oom_adj', { show: oom_adj_read, write: oom_adj_write }],
  ['oom_score_adj', { show: oom_score_adj_read, write: oom_score_adj_write }],
]);

/**
 * proc_pid_lookup() + proc_pident_lookup(): "<pid>/<file>" or "self/<file>" (proc_self_get_link
 * resolves to the caller); a dead (X) task has no directory.
 */
export function proc_pid_lookup(
  k: KernelState,
  fsi: ProcFsInfo,
  path: string,
  self: Task | null,
): VirtualFile | undefined {
  const m = /^\/(self|\d+)\/([^/]+)$/.exec(path);
  const entry = m ? tgid_base_stuff.get(m[2]!) : undefined;
  if (!m || !entry) return undefined;
  const task = m[1] === 'self' ? self : k.sched.tasks.get(Number(m[1]));
  if (!task || task.state === 'X') return undefined;
  const c: ProcFileCtx = { k, fsi, task, self };
  const write = entry.write;
  return write ? { read: () => entry.show(c), write: (buf) => write(c, buf) } : { read: () => entry.show(c) };
}
