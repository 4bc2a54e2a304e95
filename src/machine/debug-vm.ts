/**
 * Runs the mm invariant checker (src/mm/debug_vm.ts, the model's CONFIG_DEBUG_VM) while a machine
 * runs: after every user fault, every task exit (deferred to the end of a fault in progress),
 * optionally every system call, and from the progress callback.
 */
import { checkInvariants, recordBaseline } from '../mm/debug_vm.js';
import type { ArchOps } from '../include/faultpath/arch_ops.js';
import { KernelState } from '../include/faultpath/kernel_state.js';
import { Machine } from './machine.js';
import { System } from './system.js';
import type { Task } from '../include/linux/sched.js';

export interface Violation {
  /** what triggered the check: 'fault', 'exit', 'syscall', 'progress', 'manual' */
  when: string;
  pid: number | null;
  clock: number;
  messages: string[];
}

export interface DebugVmOptions {
  /** check after every n-th user fault (default 1: every fault) */
  everyNthFault?: number;
  /** invariant ids (without brackets, prefix match) whose violations are recorded separately as known */
  ignore?: string[];
  /** also check after every system call (default false: only when an exit inside it was deferred) */
  afterSyscalls?: boolean;
}

export interface DebugVm {
  /** number of checks run */
  checks: number;
  faultChecks: number;
  exitChecks: number;
  /** how many checks ran per trigger ('fault', 'exit', 'exit+fault' for a deferred exit, ...) */
  byTrigger: Record<string, number>;
  violations: Violation[];
  /** violations of ignored ids (known model bugs) */
  known: Violation[];
  /** run a check now */
  check(when?: string): string[];
  /** throws with every recorded violation */
  assertClean(): void;
  disable(): void;
}

/** Faults in progress on the tracer stack: an exit seen there is checked once the fault is done. */
const FAULT_FRAMES = new Set([
  'handle_mm_fault',
  '__alloc_pages',
  'do_page_fault',
  'do_user_addr_fault',
  'exc_page_fault',
  'do_mem_abort',
  'out_of_memory',
  'mem_cgroup_out_of_memory',
  'shrink_node',
]);

/**
 * Runs checkInvariants after every fault and every exit of the machine's tasks (and from
 * onProgress), recording violations.  See the header for the mechanism.
 */
export function enableDebugVm(m: Machine, opts: DebugVmOptions = {}): DebugVm {
  const k = m.k;
  const sys = m.sys;
  recordBaseline(k);
  const every = Math.max(1, opts.everyNthFault ?? 1);
  const ignore = opts.ignore ?? [];
  let enabled = true;
  let depth = 0;
  let faults = 0;
  let pending: string | null = null;
  const state: DebugVm = {
    checks: 0,
    faultChecks: 0,
    exitChecks: 0,
    byTrigger: {},
    violations: [],
    known: [],
    check: (when = 'manual') => run(when),
    assertClean() {
      if (state.violations.length) {
        const v = state.violations[0]!;
        throw new Error(
          `debug_vm: ${state.violations.length} failed check(s); first after ${v.when} (pid ${v.pid}, t=${v.clock}):\n${v.messages.join('\n')}`,
        );
      }
    },
    disable() {
      enabled = false;
    },
  };
  const isIgnored = (msg: string) => ignore.some((id) => msg.startsWith(`[${id}`));
  function run(when: string): string[] {
    state.checks++;
    state.byTrigger[when] = (state.byTrigger[when] ?? 0) + 1;
    const msgs = checkInvariants(k);
    const bad = msgs.filter((x) => !isIgnored(x));
    const known = msgs.filter(isIgnored);
    const rec = (list: Violation[], ms: string[]) => {
      if (ms.length) list.push({ when, pid: k.sched.current?.pid ?? null, clock: k.sched.clock, messages: ms });
    };
    rec(state.violations, bad);
    rec(state.known, known);
    return msgs;
  }
  const insideFault = () => depth > 0 || k.tracer.stack.some((f) => FAULT_FRAMES.has(f));

  // 1. the arch entry for user faults: a per-machine Proxy over the shared ArchOps object
  const origArch = sys.arch;
  const archProxy = new Proxy(origArch, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== 'userFault' || typeof v !== 'function') return v;
      const userFault = v as ArchOps['userFault'];
      return (kk: KernelState, t: Task, address: bigint, access: Parameters<ArchOps['userFault']>[3], pc: bigint) => {
        depth++;
        let out;
        try {
          out = userFault.call(target, kk, t, address, access, pc);
        } finally {
          depth--;
        }
        if (enabled && depth === 0 && !insideFault()) {
          faults++;
          if (faults % every === 0 || pending) {
            state.faultChecks++;
            run(pending ? `${pending}+fault` : 'fault');
            pending = null;
          }
        }
        return out;
      };
    },
  });
  Object.defineProperty(sys, 'arch', { value: archProxy, configurable: true, writable: true });

  // 2. task exit
  const origExit = sys.exitTask.bind(sys);
  (sys as { exitTask: System['exitTask'] }).exitTask = (t, status) => {
    origExit(t, status);
    if (!enabled) return;
    if (insideFault()) {
      pending = 'exit';
      return;
    }
    state.exitChecks++;
    run('exit');
  };

  // 3. system calls (exits deferred inside one, optionally every call)
  const sc = m.syscalls;
  const origHandle = sc.handle.bind(sc);
  sc.handle = (t: Task) => {
    origHandle(t);
    if (!enabled || insideFault()) return;
    if (pending || opts.afterSyscalls) {
      run(pending ? `${pending}+syscall` : 'syscall');
      pending = null;
    }
  };

  // 4. onProgress: chained with whatever handler is (or later gets) installed
  let user: System['onProgress'] = sys.onProgress;
  const hook = (s: System) => {
    if (enabled && pending && !insideFault()) {
      run(`${pending}+progress`);
      pending = null;
    }
    user?.(s);
  };
  Object.defineProperty(sys, 'onProgress', {
    configurable: true,
    get: () => hook,
    set: (f: System['onProgress']) => {
      user = f;
    },
  });
  return state;
}
