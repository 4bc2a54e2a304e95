/**
 * mm/oom_kill.c: out_of_memory, constrained_alloc, check_panic_on_oom, select_bad_process /
 * oom_evaluate_task / oom_badness, oom_kill_process / __oom_kill_process, dump_header and its
 * parts, the oom.group sweep, and the OOM reaper queue (docs/kernel-reference.md §7).  Versions differ
 * through profile data only.
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import type { KernelProfile } from '../include/faultpath/profile.js';
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS, type MmStruct } from '../include/linux/mm_types.js';
import { type Task } from '../include/linux/sched.js';
import type { OomCandidate } from '../trace/events.js';
import { formatGfp } from '../include/linux/gfp.js';
import {
  mem_cgroup_get_max,
  mem_cgroup_get_oom_group,
  mem_cgroup_oom_synchronize,
  mem_cgroup_print_oom_context,
  mem_cgroup_print_oom_info,
  mem_cgroup_print_oom_meminfo,
  memcg_memory_event,
  mmMemcg,
} from './memcontrol.js';
import { get_mm_counter } from './memory.js';
import { show_mem } from '../lib/show_mem.js';
import { MemCgroup } from '../include/linux/memcontrol.js';
import type { Constraint } from '../include/linux/oom.js';
import type { OomControl } from '../include/linux/oom.js';
import { panic } from '../kernel/panic.js';
import { printk } from '../kernel/printk/printk.js';
import { total_swap_pages } from './swapfile.js';
import { VM_SHARED } from '../include/linux/mm.js';
import { zap_page_range } from './memory.js';

export const OOM_SCORE_ADJ_MIN = -1000;
export const OOM_SCORE_ADJ_MAX = 1000;
const LONG_MIN = Number.MIN_SAFE_INTEGER;
const LONG_MAX = Number.MAX_SAFE_INTEGER;

function isSysrq(oc: OomControl): boolean {
  return oc.order === -1;
}

/** Thread-group leaders in creation order (for_each_process). */
function processes(k: KernelState): Task[] {
  return [...k.sched.tasks.values()].filter((t) => t.pid === t.tgid && t.state !== 'X');
}

/** find_lock_task_mm(): the first thread of p's group that still has an mm. */
export function find_lock_task_mm(k: KernelState, p: Task): Task | null {
  if (p.mm) return p;
  for (const t of k.sched.tasks.values()) if (t.tgid === p.tgid && t.mm) return t;
  return null;
}

/** oom_unkillable_task(): global init and kernel threads. */
function oom_unkillable_task(t: Task): boolean {
  return t.pid === 1 || t.isKthread;
}

export function get_mm_rss(mm: MmStruct): number {
  return get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_ANONPAGES) + get_mm_counter(mm, MM_SHMEMPAGES);
}

/** mm_pgtables_bytes() (4.19/6.1) or nr_ptes (3.12) in pages, as oom_badness adds it. */
function pgtablePages(k: KernelState, mm: MmStruct): number {
  return k.profile.badness.pgtablesFromBytes ? Math.floor(mm.pgtable.pgtablesBytes / 4096) : mm.pgtable.nr[3]!;
}

/** What oom_badness() reads of a task: its mm's counters, oom_score_adj and credentials. */
export interface OomBadnessInput {
  /** get_mm_rss(): anon + file + shmem pages */
  rss: number;
  /** get_mm_counter(mm, MM_SWAPENTS) */
  swapents: number;
  /** mm_pgtables_bytes() / PAGE_SIZE (4.19/6.1) or mm->nr_ptes (3.12) */
  pgtablesPages: number;
  /** p->signal->oom_score_adj */
  oomScoreAdj: number;
  /** 3.12 root bonus: has_capability_noaudit(p, CAP_SYS_ADMIN), modeled as uid 0 */
  uid: number;
  /** test_bit(MMF_OOM_SKIP, &mm->flags) (4.19/6.1; callers pass false where the version has no such test) */
  mmfOomSkip?: boolean;
  /** in_vfork(p) (4.19/6.1, as above) */
  inVfork?: boolean;
}

/** The version's oom_badness() differences (KernelProfile.badness). */
export interface OomBadnessRules {
  /** 4.19/3.12 return at least 1 for an eligible task; 6.1 returns a signed long */
  clampToOne: boolean;
  /** 3.12 takes 3% (30 adj) off for CAP_SYS_ADMIN tasks */
  rootBonus: boolean;
}

export interface OomBadness {
  /** null = never chosen (6.1 LONG_MIN, 4.19/3.12 0) */
  points: number | null;
  /** why points is null */
  excluded?: 'OOM_SCORE_ADJ_MIN' | 'MMF_OOM_SKIP' | 'in_vfork';
  /** the adj the formula used (3.12: with the root bonus) */
  adj: number;
  /** adj × (totalpages / 1000) */
  adjPoints: number;
}

/**
 * oom_badness() (mm/oom_kill.c), pure: rss + swap + page tables, plus oom_score_adj ×
 * totalpages/1000 (the division first, docs/kernel-reference.md §7.5).  The model (select_bad_process(), /proc/<pid>/oom_score)
 * and `faultpath explain oom` (from a report's task table) both score tasks with it.  The task
 * lookups of the kernel function (oom_unkillable_task(), find_lock_task_mm()) stay with the caller.
 */
export function oom_badness(t: OomBadnessInput, totalpages: number, rules: OomBadnessRules): OomBadness {
  const excluded =
    t.oomScoreAdj === OOM_SCORE_ADJ_MIN
      ? 'OOM_SCORE_ADJ_MIN'
      : t.mmfOomSkip
        ? 'MMF_OOM_SKIP'
        : t.inVfork
          ? 'in_vfork'
          : undefined;
  if (excluded) return { points: null, excluded, adj: t.oomScoreAdj, adjPoints: 0 };
  let adj = t.oomScoreAdj;
  if (rules.rootBonus && t.uid === 0) adj -= 30;
  const adjPoints = adj * Math.trunc(totalpages / 1000);
  let points = t.rss + t.swapents + t.pgtablesPages + adjPoints;
  if (rules.clampToOne) points = points > 0 ? points : 1;
  return { points, adj, adjPoints };
}

/** How the model's traces name oom_badness()'s exclusions. */
const EXCLUDED_TEXT: Record<NonNullable<OomBadness['excluded']>, string> = {
  OOM_SCORE_ADJ_MIN: 'oom_score_adj == -1000',
  MMF_OOM_SKIP: 'MMF_OOM_SKIP',
  in_vfork: 'in vfork',
};

/**
 * oom_badness() of a task of the model: oom_unkillable_task() and find_lock_task_mm() as in the
 * kernel function, then the pure computation over the task's mm; `detail` is the trace's view.
 */
export function taskBadness(
  k: KernelState,
  p: Task,
  totalpages: number,
): { points: number | null; excluded?: string; detail?: OomCandidate } {
  if (oom_unkillable_task(p)) return { points: null, excluded: p.pid === 1 ? 'global init' : 'kernel thread' };
  const t = find_lock_task_mm(k, p);
  if (!t || !t.mm) return { points: null, excluded: 'no mm' };
  const mm = t.mm;
  const pg = pgtablePages(k, mm);
  const b = oom_badness(
    {
      rss: get_mm_rss(mm),
      swapents: get_mm_counter(mm, MM_SWAPENTS),
      pgtablesPages: pg,
      oomScoreAdj: p.oomScoreAdj,
      uid: p.uid,
      mmfOomSkip: k.profile.badness.skipsOomSkipAndVfork && mm.flags.has('MMF_OOM_SKIP'),
      inVfork: k.profile.badness.skipsOomSkipAndVfork && !!t.vforkParent && t.vforkParent.mm === mm,
    },
    totalpages,
    k.profile.badness,
  );
  if (b.points === null) return { points: null, excluded: EXCLUDED_TEXT[b.excluded!] };
  const detail: OomCandidate = {
    pid: p.pid,
    comm: p.comm,
    rssAnon: get_mm_counter(mm, MM_ANONPAGES),
    rssFile: get_mm_counter(mm, MM_FILEPAGES),
    rssShmem: get_mm_counter(mm, MM_SHMEMPAGES),
    swapents: get_mm_counter(mm, MM_SWAPENTS),
    pgtablesPages: pg,
    oomScoreAdj: p.oomScoreAdj,
    adjPoints: b.adjPoints,
    points: b.points,
  };
  return { points: b.points, detail };
}

/** constrained_alloc(): no NUMA/cpusets in the model, so NONE or MEMCG (docs/kernel-reference.md §7.3). */
function constrained_alloc(k: KernelState, oc: OomControl): Constraint {
  if (oc.memcg) {
    oc.totalpages = mem_cgroup_get_max(k, oc.memcg) || 1;
    return 'CONSTRAINT_MEMCG';
  }
  oc.totalpages = k.phys.managedPages + total_swap_pages(k);
  return 'CONSTRAINT_NONE';
}

/** check_panic_on_oom() (docs/kernel-reference.md §7.4). */
function check_panic_on_oom(k: KernelState, oc: OomControl): void {
  const pon = k.sysctl.get('vm.panic_on_oom');
  if (!pon) return;
  if (pon !== 2 && oc.constraint !== 'CONSTRAINT_NONE') return;
  if (isSysrq(oc) && k.profile.oom.panicSkipsSysrq) return;
  dump_header(k, oc, null);
  panic(k, `Out of memory: ${pon === 2 ? 'compulsory' : 'system-wide'} panic_on_oom is enabled`);
}

/** out_of_memory() (docs/kernel-reference.md §7.1). Returns true when progress was made (a kill, or one is pending). */
export function out_of_memory(
  k: KernelState,
  input: { memcg: MemCgroup | null; gfp: number; order: number; nodemask: null; inline?: boolean },
): boolean {
  const oc: OomControl = {
    memcg: input.memcg,
    gfp: input.gfp,
    order: input.order,
    nodemask: null,
    totalpages: 0,
    constraint: 'CONSTRAINT_NONE',
    chosen: null,
    chosenPoints: LONG_MIN,
  };
  // 3.12's mem_cgroup_out_of_memory() runs its own select-and-kill loop (no out_of_memory frame).
  if (input.inline) return outOfMemoryBody(k, oc);
  return k.tracer.call(
    'out_of_memory',
    { memcg: oc.memcg?.path ?? '(global)', gfp_mask: `0x${oc.gfp.toString(16)}`, order: oc.order },
    () => outOfMemoryBody(k, oc),
    (r) => String(r),
  );
}

function outOfMemoryBody(k: KernelState, oc: OomControl): boolean {
  const G = k.profile.gfp;
  const cur = k.sched.current;
  if (k.oom.killerDisabled) return false;
  if (!oc.memcg) {
    let freed = 0;
    for (const n of k.oom.notifiers) freed += n(k);
    if (freed > 0 && !(isSysrq(oc) && k.profile.oom.sysrqIgnoresNotifiers)) return true;
  }
  if (cur && task_will_free_mem(k, cur)) {
    mark_oom_victim(k, cur);
    queue_oom_reaper(k, cur);
    return true;
  }
  if (!oc.memcg && oc.gfp && !(oc.gfp & G.FS)) return true;
  oc.constraint = constrained_alloc(k, oc);
  check_panic_on_oom(k, oc);
  if (
    !oc.memcg &&
    k.sysctl.get('vm.oom_kill_allocating_task') &&
    cur &&
    cur.mm &&
    !oom_unkillable_task(cur) &&
    cur.oomScoreAdj !== OOM_SCORE_ADJ_MIN
  ) {
    oc.chosen = cur;
    oom_kill_process(k, oc, 'Out of memory (oom_kill_allocating_task)');
    return true;
  }
  select_bad_process(k, oc);
  if (oc.chosen === null) {
    if (!k.profile.oom.noVictimReport) {
      // 3.12: a memcg OOM with nothing to kill returns silently; a global one panics (the
      // report and "System is deadlocked" came with 4.19's "print proper OOM header").
      if (oc.memcg) return false;
      dump_header(k, oc, null);
      panic(k, 'Out of memory and no killable processes...');
    }
    dump_header(k, oc, null);
    printk(k, 4, 'Out of memory and no killable processes...');
    if (!isSysrq(oc) && !oc.memcg) panic(k, 'System is deadlocked on memory');
    return false;
  }
  if (oc.chosen !== 'abort') oom_kill_process(k, oc, oc.memcg ? 'Memory cgroup out of memory' : 'Out of memory');
  return oc.chosen !== null;
}

/** task_will_free_mem(): the whole thread group is already exiting. */
function task_will_free_mem(k: KernelState, t: Task): boolean {
  if (!t.mm || t.mm.flags.has('MMF_OOM_SKIP')) return false;
  return t.flags.has('PF_EXITING') || t.flags.has('SIGNAL_GROUP_EXIT');
}

/** select_bad_process() / oom_evaluate_task(), with optional priority OOM (docs/kernel-reference.md §7.5, docs/kernel-reference.md §8). */
function select_bad_process(k: KernelState, oc: OomControl): void {
  k.tracer.call('select_bad_process', undefined, () => {
    const candidates: OomCandidate[] = [];
    const scope = oc.memcg ?? k.memcg.root;
    const priority = (oc.memcg && oc.memcg.usePriorityOom) || (!oc.memcg && k.memcg.root.usePriorityOom);
    const evaluate = (tasks: Task[]) => {
      for (const t of tasks) {
        const r = oom_evaluate_task(k, oc, t);
        if (r.candidate) candidates.push(r.candidate);
        if (r.abort) return true;
      }
      return false;
    };
    if (priority) {
      selectByPriority(k, oc, scope, evaluate);
    } else if (oc.memcg) {
      evaluate(memcgProcesses(k, oc.memcg));
    } else {
      evaluate(processes(k));
    }
    const victim = oc.chosen && oc.chosen !== 'abort' ? oc.chosen.pid : null;
    k.tracer.emit('oom', {
      constraint: oc.constraint,
      totalpages: oc.totalpages,
      candidates,
      victim,
      rule:
        oc.chosen === 'abort' ? 'abort: an earlier victim is still exiting' : OOM_TIE_RULES[k.profile.badness.tie].text,
    });
  });
}

/** mem_cgroup_scan_tasks(CSS_TASK_ITER_PROCS): processes of the subtree, pre-order. */
function memcgProcesses(k: KernelState, memcg: MemCgroup): Task[] {
  const out: Task[] = [];
  for (const m of memcg.subtree())
    for (const pid of [...m.procs].sort((a, b) => a - b)) {
      const t = k.sched.tasks.get(pid);
      if (t && t.pid === t.tgid && t.state !== 'X') out.push(t);
    }
  return out;
}

function oom_evaluate_task(k: KernelState, oc: OomControl, t: Task): { abort: boolean; candidate?: OomCandidate } {
  const skip = (why: string): { abort: boolean; candidate: OomCandidate } => ({
    abort: false,
    candidate: {
      pid: t.pid,
      comm: t.comm,
      rssAnon: 0,
      rssFile: 0,
      rssShmem: 0,
      swapents: 0,
      pgtablesPages: 0,
      oomScoreAdj: t.oomScoreAdj,
      adjPoints: 0,
      points: null,
      excluded: why,
    },
  });
  if (oom_unkillable_task(t)) return skip(t.pid === 1 ? 'global init' : 'kernel thread');
  if (!isSysrq(oc) && t.oomVictim) {
    if (t.mm?.flags.has('MMF_OOM_SKIP') || !t.mm) return skip('OOM victim, MMF_OOM_SKIP');
    oc.chosen = 'abort';
    return { abort: true, candidate: skip('OOM victim still exiting: abort').candidate };
  }
  if (t.flags.has('oom_task_origin')) {
    oc.chosen = t;
    oc.chosenPoints = LONG_MAX;
    return { abort: false, candidate: { ...skip('').candidate, excluded: undefined, points: LONG_MAX } };
  }
  const b = taskBadness(k, t, oc.totalpages);
  if (b.points === null) return skip(b.excluded!);
  const cand = b.detail!;
  if (!OOM_TIE_RULES[k.profile.badness.tie].replaces(oc, b.points)) return { abort: false, candidate: cand };
  oc.chosen = t;
  oc.chosenPoints = b.points;
  return { abort: false, candidate: cand };
}

interface OomTieRule {
  /** the rule as the 'oom' trace event states it */
  text: string;
  /** oom_evaluate_task(): does an eligible task with these points replace the chosen victim? */
  replaces(oc: OomControl, points: number): boolean;
}

/** oom_evaluate_task()'s comparison with the chosen victim, by profile.badness.tie (docs/kernel-reference.md §7.5). */
const OOM_TIE_RULES: Record<KernelProfile['badness']['tie'], OomTieRule> = {
  // 6.1: `points == LONG_MIN || points < oc->chosen_points` skips, so an equal score goes to the
  // task scanned later (and 0 or negative points are eligible).
  later: {
    text: 'highest points; ties go to the task scanned later',
    replaces: (oc, points) => points >= oc.chosenPoints,
  },
  // 4.19: `!points || points < oc->chosen_points` skips; "Prefer thread group leaders for display
  // purposes": an equal score keeps a chosen thread-group leader.
  leader: {
    text: 'highest points; ties keep an earlier thread-group leader',
    replaces: (oc, points) => {
      if (!points || points < oc.chosenPoints) return false;
      const cur = oc.chosen;
      return !(points === oc.chosenPoints && cur && cur !== 'abort' && cur.pid === cur.tgid);
    },
  },
  // 3.12 as modeled: zero points are skipped and an equal score goes to the task scanned later.
  // The event text is the 4.19 one (kept as the model has always printed it; kernel-reference
  // docs/kernel-reference.md §7.5 describes 3.12's oom_scan_process_thread loop as "strictly greater wins").
  'later-nonzero': {
    text: 'highest points; ties keep an earlier thread-group leader',
    replaces: (oc, points) => points !== 0 && points >= oc.chosenPoints,
  },
};

/**
 * Alibaba cloud-kernel priority OOM (not upstream; docs/kernel-reference.md §8.3/8.4): descend from the OOM memcg into
 * the child with the lowest memory.priority (ties: larger usage), skipping subtrees whose tasks
 * are all unkillable (num_oom_skip), then scan that subtree normally.
 */
function selectByPriority(k: KernelState, oc: OomControl, root: MemCgroup, evaluate: (t: Task[]) => boolean): void {
  const reset = new Set<MemCgroup>();
  const nrProcs = (m: MemCgroup) => memcgProcesses(k, m).length;
  for (let round = 0; round < 1000; round++) {
    let victim: MemCgroup | null = null;
    if (!root.useHierarchy) victim = root;
    else {
      let parent: MemCgroup | null = root;
      while (parent) {
        if (nrProcs(parent) <= parent.numOomSkip) break;
        victim = parent;
        let chosen: MemCgroup | null = null;
        let chosenPrio = 13;
        for (const pos of parent.children) {
          if (nrProcs(pos) <= pos.numOomSkip) continue;
          if (pos.priority > chosenPrio) continue;
          if (pos.priority < chosenPrio || (chosen && pos.memory.usage > chosen.memory.usage)) {
            chosen = pos;
            chosenPrio = pos.priority;
          }
        }
        parent = chosen;
      }
    }
    if (!victim) break;
    const before = oc.chosen;
    evaluate(memcgProcesses(k, victim));
    if (oc.chosen === 'abort' || (oc.chosen && oc.chosen !== before)) break;
    if (victim === root) break;
    for (let m: MemCgroup | null = victim; m; m = m.parent) {
      m.numOomSkip += nrProcs(victim);
      reset.add(m);
      if (m === root) break;
    }
  }
  for (const m of reset) m.numOomSkip = 0;
}

/** mark_oom_victim(). */
function mark_oom_victim(k: KernelState, t: Task): void {
  if (t.oomVictim) return;
  t.oomVictim = true;
  t.flags.add('TIF_MEMDIE');
  k.tracer.emit('tracepoint', { system: 'oom', name: 'mark_victim', fields: { pid: t.pid }, text: `pid=${t.pid}` });
}

/** oom_kill_process(): dump_header, kill, oom.group sweep (docs/kernel-reference.md §7.7). */
function oom_kill_process(k: KernelState, oc: OomControl, message: string): void {
  k.tracer.call('oom_kill_process', { message }, () => {
    const victim = oc.chosen as Task;
    if (task_will_free_mem(k, victim)) {
      mark_oom_victim(k, victim);
      queue_oom_reaper(k, victim);
      return;
    }
    if (k.printk.ratelimit('oom_rs', 5_000_000_000, 10)) dump_header(k, oc, victim);
    if (k.profile.sacrificeChild) {
      const pts = oc.totalpages ? Math.trunc((oc.chosenPoints * 1000) / oc.totalpages) : 0;
      printk(k, 3, `${message}: Kill process ${victim.pid} (${victim.comm}) score ${pts} or sacrifice child`);
    }
    let target = victim;
    if (k.profile.sacrificeChild) {
      let best = 0;
      for (const c of victim.children) {
        if (!c.mm || c.mm === victim.mm) continue;
        const b = taskBadness(k, c, oc.totalpages);
        if (b.points !== null && b.points > best) {
          best = b.points;
          target = c;
        }
      }
    }
    const group = k.profile.hasOomGroupKill ? mem_cgroup_get_oom_group(k, target, oc.memcg) : null;
    __oom_kill_process(k, target, message);
    if (group) {
      memcg_memory_event(k, group, 'oom_group_kill');
      printk(k, 6, `Tasks in ${group.path} are going to be killed due to memory.oom.group set`);
      for (const t of memcgProcesses(k, group)) {
        if (t.oomScoreAdj === OOM_SCORE_ADJ_MIN || t.pid === 1) continue;
        __oom_kill_process(k, t, message);
      }
    }
  });
}

function K(pages: number): number {
  return pages * 4;
}

/** __oom_kill_process(): SIGKILL, mark_oom_victim, the "Killed process" line (docs/kernel-reference.md §7.7). */
function __oom_kill_process(k: KernelState, victim: Task, message: string): void {
  k.tracer.call('__oom_kill_process', { pid: victim.pid }, () => {
    const p = find_lock_task_mm(k, victim);
    if (!p || !p.mm) {
      if (k.profile.oomReport.victimExiting)
        printk(k, 6, `${message}: OOM victim ${victim.pid} (${victim.comm}) is already exiting. Skip killing the task`);
      return;
    }
    const mm = p.mm;
    k.mm.events.oom_kill++;
    memcg_memory_event(k, mmMemcg(k, mm.ownerPid), 'oom_kill');
    k.upcalls.signal.send_sigkill(victim);
    mark_oom_victim(k, victim);
    printk(k, 3, KILLED_LINE[k.profile.oomReport.killed](message, victim, mm));
    // Other processes sharing the mm (CLONE_VM without CLONE_THREAD) die too.
    for (const t of processes(k)) {
      if (t.tgid === victim.tgid || t.mm !== mm || t.isKthread) continue;
      if (t.pid === 1) {
        mm.flags.add('MMF_OOM_SKIP');
        printk(k, 6, `oom killer ${victim.pid} (${victim.comm}) has mm pinned by ${t.pid} (${t.comm})`);
        continue;
      }
      k.upcalls.signal.send_sigkill(t);
    }
    if (k.profile.oomReaperDelayNs !== null) queue_oom_reaper(k, victim);
  });
}

/** __oom_kill_process()'s "Killed process" line, by profile.oomReport.killed (docs/kernel-reference.md §7.7). */
const KILLED_LINE: Record<KernelProfile['oomReport']['killed'], (message: string, t: Task, mm: MmStruct) => string> = {
  uid_pgtables: (message, t, mm) =>
    `${message}: Killed process ${t.pid} (${t.comm}) ${rssCounters(mm)}, UID:${t.uid} pgtables:${mm.pgtable.pgtablesBytes >> 10}kB oom_score_adj:${t.oomScoreAdj}`,
  shmem_rss: (_message, t, mm) => `Killed process ${t.pid} (${t.comm}) ${rssCounters(mm)}`,
  // 3.12 has no MM_SHMEMPAGES: shmem pages count as file pages.
  file_rss: (_message, t, mm) =>
    `Killed process ${t.pid} (${t.comm}) total-vm:${K(mm.totalVm)}kB, anon-rss:${K(get_mm_counter(mm, MM_ANONPAGES))}kB, file-rss:${K(get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_SHMEMPAGES))}kB`,
};

function rssCounters(mm: MmStruct): string {
  return `total-vm:${K(mm.totalVm)}kB, anon-rss:${K(get_mm_counter(mm, MM_ANONPAGES))}kB, file-rss:${K(get_mm_counter(mm, MM_FILEPAGES))}kB, shmem-rss:${K(get_mm_counter(mm, MM_SHMEMPAGES))}kB`;
}

/** The memcg part of dump_header, by profile.oomReport.memcgInfo (src/mm/memcontrol.ts). */
const MEMCG_OOM_INFO: Record<
  KernelProfile['oomReport']['memcgInfo'],
  (k: KernelState, memcg: MemCgroup, p: Task | null) => string[]
> = {
  mem_cgroup_print_oom_meminfo: (_k, memcg) => mem_cgroup_print_oom_meminfo(memcg),
  mem_cgroup_print_oom_info,
};

/** dump_header() (docs/kernel-reference.md §7.8). */
export function dump_header(k: KernelState, oc: OomControl, p: Task | null): void {
  k.tracer.call('dump_header', undefined, () => {
    const cur = k.sched.current;
    const R = k.profile.oomReport;
    const comm = cur?.comm ?? 'sysrq';
    const adj = cur?.oomScoreAdj ?? 0;
    // formatGfp: "%#x(%pGg)" where the version has %pGg, else "0x%x" (3.12).
    const gfp = formatGfp(oc.gfp, k.profile.version);
    const nodemask = R.headerNodemask ? ', nodemask=(null)' : '';
    printk(k, 4, `${comm} invoked oom-killer: gfp_mask=${gfp}${nodemask}, order=${oc.order}, oom_score_adj=${adj}`);
    // cpuset_print_current_mems_allowed(); with dump_oom_summary() this moved into the summary line.
    if (!R.summary) printk(k, 6, `${comm} cpuset=/ mems_allowed=0`);
    for (const line of dump_stack(k, oc, p)) printk(k, 4, line);
    if (oc.memcg) {
      for (const l of MEMCG_OOM_INFO[R.memcgInfo](k, oc.memcg, p)) printk(k, 6, l);
    } else {
      for (const l of show_mem(k)) printk(k, 4, l);
    }
    if (k.sysctl.get('vm.oom_dump_tasks')) for (const l of dump_tasks(k, oc)) printk(k, 6, l);
    if (p && R.summary) {
      printk(
        k,
        6,
        `oom-kill:constraint=${oc.constraint},nodemask=(null),cpuset=/,mems_allowed=0${mem_cgroup_print_oom_context(k, oc.memcg, p)},task=${p.comm},pid=${p.pid},uid=${p.uid}`,
      );
    }
  });
}

/**
 * dump_stack() for the OOM report: the CPU/Hardware lines and the modeled call chain, with
 * functions the real build inlines left out (so the frames match a real trace).
 */
function dump_stack(k: KernelState, oc: OomControl, p: Task | null): string[] {
  const cur = k.sched.current;
  const lines = [
    `CPU: 0 PID: ${cur?.pid ?? 0} Comm: ${(cur?.comm ?? 'kworker/0:1').slice(0, 20)} Not tainted ${k.profile.release[k.arch]}`,
    `Hardware name: ${k.profile.hardwareName[k.arch]}`,
  ];
  const frames = callTraceFrames(k, oc, p);
  if (k.arch === 'aarch64') {
    lines.push('Call trace:', ...frames.map((f) => ` ${f}`));
  } else {
    // The <TASK> markers around x86 stack dumps date from 5.13.
    const task = k.profile.oomReport.x86TaskMarkers;
    // The user-mode register block after the frames (show_regs of the entry pt_regs) is 4.x+.
    const regs = k.profile.oomReport.x86UserRegs ? k.upcalls.arch.user_regs_for_oops() : [];
    lines.push(
      'Call Trace:',
      ...(task ? [' <TASK>'] : []),
      ...frames.map((f) => ` ${f}`),
      ...regs,
      ...(task ? [' </TASK>'] : []),
    );
  }
  return lines;
}

/** Functions the Debian 6.1 build inlines into their callers (absent from real stack dumps). */
const INLINED: Record<string, ReadonlySet<string>> = {
  aarch64: new Set([
    'handle_pte_fault',
    'do_anonymous_page',
    'mem_cgroup_oom',
    '__alloc_pages_slowpath',
    '__alloc_pages_may_oom',
    '__do_page_fault',
    'select_bad_process',
    '__oom_kill_process',
    'do_wp_page',
    '__pud_alloc',
    '__pmd_alloc',
    '__pte_alloc',
    'el0t_64_sync_handler_dispatch',
  ]),
  x86_64: new Set([
    'handle_pte_fault',
    'do_anonymous_page',
    'mem_cgroup_oom',
    '__alloc_pages_may_oom',
    'handle_page_fault',
    'select_bad_process',
    '__oom_kill_process',
    'do_wp_page',
    '__pud_alloc',
    '__pmd_alloc',
    '__pte_alloc',
    'alloc_zeroed_user_highpage_movable',
  ]),
};

function callTraceFrames(k: KernelState, oc: OomControl, p: Task | null): string[] {
  const chain = [...k.tracer.stack].filter((f) => !INLINED[k.arch]!.has(f) && f !== 'dump_header');
  const frames = [...chain].reverse();
  const rename = (f: string) => {
    if (k.arch === 'x86_64' && k.profile.oomReport.x86ColdClones) {
      if (f === 'oom_kill_process') return 'oom_kill_process.cold';
      if (f === 'out_of_memory' && !p && !oc.memcg) return 'out_of_memory.cold';
      if (f === '__alloc_pages_slowpath') return '__alloc_pages_slowpath.constprop.0';
    }
    return f;
  };
  // dump_stack() became a wrapper of dump_stack_lvl() in 5.13.
  const lvl = k.profile.oomReport.dumpStackLvl ? ['dump_stack_lvl'] : [];
  const head =
    k.arch === 'aarch64'
      ? ['dump_backtrace', 'show_stack', ...lvl, 'dump_stack', 'dump_header']
      : [...(lvl.length ? lvl : ['dump_stack']), 'dump_header'];
  return [...head, ...frames.map(rename)];
}

function pad(n: number | string, w: number): string {
  return String(n).padStart(w, ' ');
}

/** dump_tasks()'s column header and per-task row, by profile.oomReport.dumpTasks (docs/kernel-reference.md §7.8). */
const DUMP_TASKS: Record<
  KernelProfile['oomReport']['dumpTasks'],
  { header: string; row(t: Task, mm: MmStruct): string }
> = {
  pgtables_bytes: {
    header: '[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name',
    row: (t, mm) =>
      `[${pad(t.pid, 7)}] ${pad(t.uid, 5)} ${pad(t.tgid, 5)} ${pad(mm.totalVm, 8)} ${pad(get_mm_rss(mm), 8)} ${pad(mm.pgtable.pgtablesBytes, 8)} ${pad(get_mm_counter(mm, MM_SWAPENTS), 8)}         ${pad(t.oomScoreAdj, 5)} ${t.comm}`,
  },
  nr_ptes: {
    header: '[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name',
    row: (t, mm) =>
      `[${pad(t.pid, 5)}] ${pad(t.uid, 5)} ${pad(t.tgid, 5)} ${pad(mm.totalVm, 8)} ${pad(get_mm_rss(mm), 8)} ${pad(mm.pgtable.nr[3]!, 7)} ${pad(get_mm_counter(mm, MM_SWAPENTS), 8)}         ${pad(t.oomScoreAdj, 5)} ${t.comm}`,
  },
};

/** dump_tasks() (docs/kernel-reference.md §7.8): header and one row per eligible process. */
function dump_tasks(k: KernelState, oc: OomControl): string[] {
  const fmt = DUMP_TASKS[k.profile.oomReport.dumpTasks];
  const lines = ['Tasks state (memory values in pages):', fmt.header];
  const tasks = oc.memcg ? memcgProcesses(k, oc.memcg) : processes(k);
  for (const p of tasks) {
    if (oom_unkillable_task(p)) continue;
    const t = find_lock_task_mm(k, p);
    if (!t || !t.mm) continue;
    lines.push(fmt.row(t, t.mm));
  }
  return lines;
}

/**
 * pagefault_out_of_memory() (docs/kernel-reference.md §7.2): the arch handler's VM_FAULT_OOM path.  Returns 'sleep' when
 * the task must wait on memcg_oom_waitq (oom_kill_disable), else 'retry' (return to user; a
 * pending SIGKILL is delivered there, otherwise the instruction runs again).
 */
export function pagefault_out_of_memory(k: KernelState): 'retry' | 'sleep' {
  return k.tracer.call(
    'pagefault_out_of_memory',
    undefined,
    () => {
      const sync = mem_cgroup_oom_synchronize(k, true);
      if (sync === 'sleep') return 'sleep' as const;
      if (sync === 'done') return 'retry' as const;
      const cur = k.sched.current!;
      if (!k.profile.pagefaultOomGlobal) {
        if (cur.pending.includes(9)) return 'retry' as const;
        if (k.printk.ratelimit('pfoom_rs', 5_000_000_000, 10))
          printk(k, 4, 'Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF');
        return 'retry' as const;
      }
      // 3.12/4.19: a global OOM with gfp_mask 0 under oom_lock.
      if (k.oom.lock) return 'retry' as const;
      k.oom.lock = true;
      try {
        out_of_memory(k, { memcg: null, gfp: 0, order: 0, nodemask: null });
      } finally {
        k.oom.lock = false;
      }
      return 'retry' as const;
    },
    (r) => r,
  );
}

/** queue_oom_reaper(): 6.1 arms a 2 s timer; 4.19 wakes the reaper at once. */
export function queue_oom_reaper(k: KernelState, t: Task): void {
  const mm = t.mm;
  if (!mm || mm.flags.has('MMF_OOM_REAP_QUEUED')) return;
  mm.flags.add('MMF_OOM_REAP_QUEUED');
  const delay = k.profile.oomReaperDelayNs ?? 0;
  k.tracer.emit('tracepoint', { system: 'oom', name: 'wake_reaper', fields: { pid: t.pid }, text: `pid=${t.pid}` });
  k.upcalls.sched.add_timer(k.sched.clock + delay, `oom_reaper ${t.pid}`, () => oom_reap_task(k, t, mm));
}

/**
 * oom_reap_task() in the oom_reaper kthread's context: unmap the victim's private anonymous
 * memory (__oom_reap_task_mm) while it is still exiting, and mark the mm MMF_OOM_SKIP.
 */
function oom_reap_task(k: KernelState, t: Task, mm: MmStruct): void {
  const prev = k.sched.current;
  k.sched.current = k.oom.reaper;
  try {
    if (!k.mm.mms.has(mm.id) || mm.flags.has('MMF_OOM_SKIP')) {
      k.tracer.emit('tracepoint', {
        system: 'oom',
        name: 'skip_task_reaping',
        fields: { pid: t.pid },
        text: `pid=${t.pid}`,
      });
      return;
    }
    oom_reaper(k, () => {
      k.tracer.emit('tracepoint', {
        system: 'oom',
        name: 'start_task_reaping',
        fields: { pid: t.pid },
        text: `pid=${t.pid}`,
      });
      mm.flags.add('MMF_UNSTABLE');
      for (const v of mm.vmas)
        if (!(v.flags & VM_SHARED) && !v.special) zap_page_range(k, mm, v, v.start, v.end, { anonOnly: true });
      const K = (n: number) => n * 4;
      printk(
        k,
        6,
        `oom_reaper: reaped process ${t.pid} (${t.comm}), now anon-rss:${K(get_mm_counter(mm, MM_ANONPAGES))}kB, file-rss:${K(get_mm_counter(mm, MM_FILEPAGES))}kB, shmem-rss:${K(get_mm_counter(mm, MM_SHMEMPAGES))}kB`,
      );
      k.tracer.emit('tracepoint', {
        system: 'oom',
        name: 'finish_task_reaping',
        fields: { pid: t.pid },
        text: `pid=${t.pid}`,
      });
      mm.flags.add('MMF_OOM_SKIP');
    });
  } finally {
    k.sched.current = prev;
  }
}

/** The oom_reaper kthread's work on one victim (mm/oom_kill.c oom_reaper() -> oom_reap_task()). */
function oom_reaper(k: KernelState, work: () => void): void {
  k.tracer.call('oom_reaper', undefined, work);
}
