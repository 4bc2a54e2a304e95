/**
 * Event filters applied before any formatter runs (function_graph, JSON lines, Perfetto, dmesg,
 * summary all see the same filtered list), plus the fault-episode segmentation that `onlyFatal`
 * and `--summary` share.
 *
 * The function filters mirror tracefs knobs a kernel engineer already knows:
 *   functions  ~ set_graph_function   (a matching function *and everything it calls*)
 *   notrace    ~ set_graph_notrace    (a matching function and everything it calls are hidden)
 *   maxDepth   ~ max_graph_depth      (0 / undefined = unlimited, 1 = only the outermost calls)
 * Globs use ftrace's filter syntax (kernel/trace/ftrace.c, lib/glob.c): `*`, `?`, `[...]`.
 */
import type { EventKind, TraceEvent } from './events.js';

export interface TraceFilters {
  /** set_graph_function: keep calls of matching functions and all their callees (per task). */
  functions?: readonly string[];
  /** set_graph_notrace: drop calls of matching functions and all their callees (per task). */
  notrace?: readonly string[];
  /** keep only these tasks: a number matches the pid, a string is a glob on comm */
  tasks?: readonly (number | string)[];
  /** keep only events of these kinds (applied last, so structure-based filters still see all) */
  kinds?: readonly EventKind[];
  /** max_graph_depth: keep function frames whose depth (0 = outermost kept frame) is < maxDepth */
  maxDepth?: number;
  /** keep only fault episodes that contained an OOM decision, VM_FAULT_OOM or a fatal signal */
  onlyFatal?: boolean;
}

/* ------------------------------------------------------------------------------------------ */
/* globs                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/** Compiles an ftrace-style glob (`*`, `?`, `[a-z]`, `[!x]`) into an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      // lib/glob.c accepts both `[!...]` and `[^...]` as negation.
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = close;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** A matcher for a list of globs; an empty list matches nothing. */
export function globMatcher(globs: readonly string[]): (name: string) => boolean {
  const res = globs.map(globToRegExp);
  return (name) => res.some((r) => r.test(name));
}

/* ------------------------------------------------------------------------------------------ */
/* fault episodes                                                                             */
/* ------------------------------------------------------------------------------------------ */

/** One user fault as the kernel handled it: from the exception to the return to user space. */
export interface FaultEpisode {
  pid: number;
  comm: string;
  /** index (into the input list) of the first and last event of the episode */
  start: number;
  end: number;
  /** indices of this task's events that belong to the episode, ascending */
  indices: number[];
  /** the episode contained an `oom` decision (or an oom:mark_victim tracepoint) */
  oom: boolean;
  /** some function in the episode returned a VM_FAULT_* error (VM_FAULT_OOM, VM_FAULT_SIGBUS, …) */
  vmFaultError: string | null;
  /** names of fatal signals generated during the episode (SIGKILL, SIGSEGV, …) */
  fatalSignals: string[];
  /** oom || vmFaultError === VM_FAULT_OOM || fatalSignals.length > 0 */
  fatal: boolean;
}

/**
 * Signals whose default action terminates the task (Term or Core in signal(7)).  The numbers
 * are the asm-generic ones, which arm64 and x86 share; the ones below are those that do *not*
 * kill by default (SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGWINCH).
 */
const NON_FATAL_SIGNALS: ReadonlySet<number> = new Set([17, 18, 19, 20, 21, 22, 23, 28]);

export function isFatalSignal(sig: number): boolean {
  return sig > 0 && sig < 32 && !NON_FATAL_SIGNALS.has(sig);
}

/**
 * VM_FAULT_ERROR in include/linux/mm_types.h: the fault bits that mean the fault failed.
 * VM_FAULT_FALLBACK is deliberately absent: it only means "retry with a smaller page".
 */
const VM_FAULT_ERROR_BITS = [
  'VM_FAULT_OOM',
  'VM_FAULT_SIGBUS',
  'VM_FAULT_SIGSEGV',
  'VM_FAULT_HWPOISON_LARGE',
  'VM_FAULT_HWPOISON',
].map(
  // word match so VM_FAULT_HWPOISON does not also match VM_FAULT_HWPOISON_LARGE
  (bit) => [bit, new RegExp(`\\b${bit}\\b`)] as const,
);

/** The VM_FAULT_* error bit a return value string carries, if any (e.g. "VM_FAULT_OOM"). */
export function vmFaultError(ret: string | undefined): string | null {
  if (!ret || !ret.includes('VM_FAULT_')) return null;
  for (const [bit, re] of VM_FAULT_ERROR_BITS) if (re.test(ret)) return bit;
  return null;
}

/**
 * Functions that run on the way back to user space after the fault handler's outermost frame
 * has returned (arm64 entry.S ret_to_user, kernel/entry/common.c exit_to_user_mode*, the x86
 * pre-5.8 prepare_exit_to_usermode and arch do_notify_resume).  If the model emits them as a
 * separate top-level frame right after the handler, they still belong to the fault episode:
 * that is where a pending fatal signal is delivered.
 */
const RETURN_TO_USER: ReadonlySet<string> = new Set([
  'ret_to_user',
  'exit_to_user_mode',
  'irqentry_exit_to_user_mode',
  'exit_to_user_mode_prepare',
  'exit_to_user_mode_loop',
  'prepare_exit_to_usermode',
  'do_notify_resume',
]);

interface TaskState {
  stack: string[];
  ep: FaultEpisode | null;
  /** the episode's outermost frames have all returned; only a return-to-user frame may follow */
  closing: boolean;
  /** indices of the current outermost frame's events (an exception may arrive inside it) */
  region: number[];
  /** function entries seen in the open episode */
  epEnters: number;
}

/**
 * Splits a trace into fault episodes.  Per task, an episode starts at an `exception` event (or,
 * if the exception is reported from inside the entry code, at the outermost frame that was open
 * at that moment) and ends when the task's modeled call stack is empty again — the return to
 * user space — optionally extended by a directly following return-to-user frame.  An exception
 * while an episode is still open (a kernel-mode fault inside the handler, e.g. a uaccess fault)
 * belongs to the open episode.  Events of other tasks never belong to an episode.
 */
export function findFaultEpisodes(events: readonly TraceEvent[]): FaultEpisode[] {
  const tasks = new Map<number, TaskState>();
  const episodes: FaultEpisode[] = [];

  const finish = (st: TaskState): void => {
    const ep = st.ep;
    if (!ep) return;
    ep.end = ep.indices[ep.indices.length - 1] ?? ep.start;
    ep.fatal = ep.oom || ep.vmFaultError === 'VM_FAULT_OOM' || ep.fatalSignals.length > 0;
    episodes.push(ep);
    st.ep = null;
    st.closing = false;
    st.epEnters = 0;
  };

  events.forEach((e, i) => {
    let st = tasks.get(e.pid);
    if (!st) {
      st = { stack: [], ep: null, closing: false, region: [], epEnters: 0 };
      tasks.set(e.pid, st);
    }

    if (st.ep && st.closing) {
      // The handler's frames have all returned.  Only a return-to-user frame continues the
      // episode; anything else (the next instruction's events) starts outside it.
      if (!(e.kind === 'enter' && RETURN_TO_USER.has(e.fn))) finish(st);
      else st.closing = false;
    }

    if (e.kind === 'exception') {
      if (st.ep && st.stack.length === 0 && st.epEnters === 0) {
        // A previous exception whose handling emitted no frames at all: close it here.
        finish(st);
      }
      if (!st.ep) {
        const pre = st.stack.length > 0 ? st.region.slice() : [];
        st.epEnters = pre.filter((j) => events[j]!.kind === 'enter').length;
        st.ep = {
          pid: e.pid,
          comm: e.comm,
          start: pre[0] ?? i,
          end: i,
          indices: pre,
          oom: false,
          vmFaultError: null,
          fatalSignals: [],
          fatal: false,
        };
      }
    }

    if (e.kind === 'enter') {
      if (st.stack.length === 0) st.region = [];
      st.stack.push(e.fn);
    }
    if (st.stack.length > 0 || e.kind === 'exit') st.region.push(i);

    const ep = st.ep;
    if (ep) {
      ep.indices.push(i);
      ep.comm = e.comm;
      if (e.kind === 'enter') st.epEnters++;
      if (e.kind === 'oom') ep.oom = true;
      if (e.kind === 'tracepoint' && e.system === 'oom' && e.name === 'mark_victim') ep.oom = true;
      if (e.kind === 'signal' && isFatalSignal(e.sig) && !ep.fatalSignals.includes(e.name))
        ep.fatalSignals.push(e.name);
      if (e.kind === 'exit') {
        const err = vmFaultError(e.ret);
        // keep the first error seen: the innermost function that produced it
        if (err && !ep.vmFaultError) ep.vmFaultError = err;
      }
    }

    if (e.kind === 'exit') {
      popFrame(st.stack, e.fn);
      if (st.stack.length === 0 && ep && st.epEnters > 0) st.closing = true;
    }
  });
  for (const st of tasks.values()) finish(st);
  episodes.sort((a, b) => a.start - b.start || a.pid - b.pid);
  return episodes;
}

/** Pops `fn` from a modeled stack; tolerates lost returns (pops through) and lost entries. */
function popFrame(stack: string[], fn: string): void {
  const at = stack.lastIndexOf(fn);
  if (at >= 0) stack.length = at;
}

/* ------------------------------------------------------------------------------------------ */
/* filters                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/**
 * Applies `filters` and returns the kept events (same objects, original order).  Order of
 * application: onlyFatal (needs the whole trace), tasks, functions/notrace/maxDepth (call-graph
 * based, per task, so they see every frame), kinds.
 *
 * Non-function events (tracepoints, charges, printk, …) under `functions` are kept only while the
 * task is inside a selected graph — the point of narrowing to `do_*` is to hide everything else.
 * Under `notrace` and `maxDepth` they are kept: like ftrace, those knobs only prune function
 * entries/returns, and the events inside a pruned subtree are usually the reason to look.
 */
export function applyFilters(events: readonly TraceEvent[], filters: TraceFilters = {}): TraceEvent[] {
  let idx: number[] = events.map((_, i) => i);

  if (filters.onlyFatal) {
    const keep = new Set<number>();
    for (const ep of findFaultEpisodes(events)) if (ep.fatal) for (const j of ep.indices) keep.add(j);
    idx = idx.filter((i) => keep.has(i));
  }

  if (filters.tasks && filters.tasks.length > 0) {
    const pids = new Set(filters.tasks.filter((t): t is number => typeof t === 'number'));
    const comm = globMatcher(filters.tasks.filter((t): t is string => typeof t === 'string'));
    idx = idx.filter((i) => pids.has(events[i]!.pid) || comm(events[i]!.comm));
  }

  const hasGraphFilter =
    (filters.functions && filters.functions.length > 0) ||
    (filters.notrace && filters.notrace.length > 0) ||
    (filters.maxDepth !== undefined && filters.maxDepth > 0);
  if (hasGraphFilter) idx = graphFilter(events, idx, filters);

  if (filters.kinds) {
    const kinds = new Set<EventKind>(filters.kinds);
    idx = idx.filter((i) => kinds.has(events[i]!.kind));
  }
  return idx.map((i) => events[i]!);
}

interface GFrame {
  fn: string;
  /** inside a set_graph_function graph (or no such filter) */
  inGraph: boolean;
  /** inside a set_graph_notrace subtree */
  notrace: boolean;
  /** depth counted from the outermost in-graph frame; -1 when not in graph */
  depth: number;
  keep: boolean;
}

function graphFilter(events: readonly TraceEvent[], idx: readonly number[], f: TraceFilters): number[] {
  const useGraph = !!f.functions && f.functions.length > 0;
  const inFunctions = globMatcher(f.functions ?? []);
  const inNotrace = globMatcher(f.notrace ?? []);
  const maxDepth = f.maxDepth !== undefined && f.maxDepth > 0 ? f.maxDepth : Infinity;
  const stacks = new Map<number, GFrame[]>();
  const out: number[] = [];

  for (const i of idx) {
    const e = events[i]!;
    let stack = stacks.get(e.pid);
    if (!stack) stacks.set(e.pid, (stack = []));
    const top = stack[stack.length - 1];

    if (e.kind === 'enter') {
      const inGraph = !useGraph || (top?.inGraph ?? false) || inFunctions(e.fn);
      const notrace = (top?.notrace ?? false) || inNotrace(e.fn);
      const depth = inGraph ? (top && top.inGraph ? top.depth + 1 : 0) : -1;
      const keep = inGraph && !notrace && depth < maxDepth;
      stack.push({ fn: e.fn, inGraph, notrace, depth, keep });
      if (keep) out.push(i);
    } else if (e.kind === 'exit') {
      const at = findFrame(stack, e.fn);
      if (at >= 0) {
        const fr = stack[at]!;
        stack.length = at;
        if (fr.keep) out.push(i);
      } else {
        // Return without a visible entry (the trace started inside it): decide on the name
        // alone, at depth 0 of a graph — the same call ftrace would make from the return.
        const inGraph = !useGraph || (top?.inGraph ?? false) || inFunctions(e.fn);
        if (inGraph && !inNotrace(e.fn) && !(top?.notrace ?? false)) out.push(i);
      }
    } else {
      // Non-function event: see the policy in applyFilters' comment.
      const inGraph = !useGraph || (top?.inGraph ?? false);
      if (inGraph) out.push(i);
    }
  }
  return out;
}

function findFrame(stack: readonly GFrame[], fn: string): number {
  for (let k = stack.length - 1; k >= 0; k--) if (stack[k]!.fn === fn) return k;
  return -1;
}
