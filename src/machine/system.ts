/**
 * The running machine: the deterministic scheduler (round-robin by instruction quanta, simulated
 * time), the MMU callback that walks the model's page tables for every guest access and enters
 * the architecture's fault path when the walk refuses, return-to-user work (signals, memory.high
 * throttling), the OOM reaper kernel thread, and timed actions.
 */
import type { Access, Cpu, StopReason } from '../hw/cpu.js';
import { mem_cgroup_handle_over_high } from '../mm/memcontrol.js';
import { PAGE_SIZE } from '../include/linux/mmzone.js';
import { type MmStruct, type Vma } from '../include/linux/mm_types.js';
import { type Task } from '../include/linux/sched.js';
import type { ArchOps } from '../include/faultpath/arch_ops.js';
import { KernelPanic, type KernelState } from '../include/faultpath/kernel_state.js';
import { ProcessTable, SIGNAL_NAMES } from '../kernel/fork.js';
import { init_mount_tree, type MntNamespace } from '../fs/namespace.js';
import { printk } from '../kernel/printk/printk.js';
import { faultin_page } from '../mm/gup.js';
import { TLB_FETCH, TLB_READ, TLB_WRITE, tlb_fill } from '../hw/mmu.js';
import { do_exit } from '../kernel/exit.js';
import { force_sig } from '../kernel/signal.js';
import { get_fatal_signal } from '../kernel/signal.js';
import { get_signal } from '../kernel/signal.js';
import { prepare_to_wait } from '../kernel/sched/wait.js';
import { try_to_wake_up } from '../kernel/sched/core.js';

/** The software TLB's permission bit of each access (src/hw/mmu.ts fills the entries). */
const ACCESS_BIT: Record<Access, number> = { read: TLB_READ, write: TLB_WRITE, fetch: TLB_FETCH };
/** sched slice in instructions (1 instruction = 1 ns of simulated time) */
export const QUANTUM = 20_000;
/** consecutive faults on one address without progress before the run is declared livelocked */
export const REFAULT_LIMIT = 200;

export interface Timer {
  at: number;
  seq: number;
  what: string;
  fn: () => void;
}

export type RunEnd =
  | { kind: 'exited' }
  | { kind: 'budget'; executed: number }
  | { kind: 'panic'; text: string }
  | { kind: 'deadlock'; blocked: { pid: number; comm: string; waitq: string }[] }
  | { kind: 'livelock'; pid: number; comm: string; address: string };

export class System {
  readonly k: KernelState;
  readonly arch: ArchOps;
  readonly procs: ProcessTable;
  readonly vfs: MntNamespace;
  private readonly timers: Timer[] = [];
  private timerSeq = 0;
  /** which task's registers are loaded in each engine (threads / vfork share an engine) */
  private readonly cpuOwner = new Map<Cpu, Task>();
  private running: Task | null = null;
  private stopAfterHook: boolean = false;
  private livelock: RunEnd | null = null;
  totalExecuted = 0;
  private readonly budget: number;
  /** per-task queue order */
  private rq: Task[] = [];
  onProgress: ((s: System) => void) | null = null;
  /** work that will create guest tasks later (scenario starts): keeps the run alive */
  pendingWork: () => boolean = () => false;

  constructor(k: KernelState, arch: ArchOps, budget: number) {
    this.k = k;
    this.arch = arch;
    this.budget = budget;
    this.procs = new ProcessTable(k);
    this.vfs = init_mount_tree(k);
    this.initTasks();
  }

  /** init (pid 1) and the oom_reaper kthread, as a booted system has them. */
  private initTasks(): void {
    const k = this.k;
    const init = this.procs.newTask('init', null, k.memcg.root.id);
    k.sched.tasks.delete(init.pid);
    k.memcg.root.procs.delete(init.pid);
    init.pid = init.tgid = 1;
    init.state = 'S';
    init.wake = { waitq: 'wait:1' };
    k.sched.tasks.set(1, init);
    k.memcg.root.procs.add(1);
    const reaper = this.procs.newTask('oom_reaper', null, k.memcg.root.id);
    k.sched.tasks.delete(reaper.pid);
    k.memcg.root.procs.delete(reaper.pid);
    reaper.pid = reaper.tgid = 30;
    reaper.isKthread = true;
    reaper.state = 'S';
    reaper.wake = { waitq: 'oom_reaper_wait' };
    k.sched.tasks.set(30, reaper);
    k.oom.reaper = reaper;
  }

  addTimer(at: number, what: string, fn: () => void): void {
    this.timers.push({ at, seq: this.timerSeq++, what, fn });
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /** Binds the MMU callback of a new engine to this system. */
  attachMm(mm: MmStruct): void {
    mm.cpu.setMmu((address, size, access) => this.mmuAccess(mm, address, size, access));
  }

  makeRunnable(t: Task): void {
    if (!this.rq.includes(t)) this.rq.push(t);
  }

  // ------------------------------------------------------------------ the MMU

  /** The hot path: software TLB, else a page-table walk, else the arch fault entry. */
  private mmuAccess(mm: MmStruct, address: number, size: number, access: Access): boolean {
    const bit = ACCESS_BIT[access];
    const vpn = Math.floor(address / PAGE_SIZE);
    const e = mm.tlb.get(vpn);
    if (e !== undefined && e & bit) {
      const lastVpn = Math.floor((address + size - 1) / PAGE_SIZE);
      if (lastVpn === vpn) return true;
      const e2 = mm.tlb.get(lastVpn);
      if (e2 !== undefined && e2 & bit) return true;
      return this.mmuSlow(mm, lastVpn * PAGE_SIZE, access);
    }
    if (!this.mmuSlow(mm, address, access)) return false;
    const lastVpn = Math.floor((address + size - 1) / PAGE_SIZE);
    if (lastVpn !== vpn) return this.mmuSlow(mm, lastVpn * PAGE_SIZE, access);
    return true;
  }

  private mmuSlow(mm: MmStruct, address: number, access: Access): boolean {
    if (tlb_fill(mm.pgtable, mm.tlb, address, access)) return true;
    const t = this.running;
    if (!t || t.mm !== mm) return false;
    const pc = access === 'fetch' ? BigInt(address) : mm.cpu.pc();
    // The access as the CPU reports it in the exception (Cpu.faultAccess decides, e.g. RMW loads).
    const faultAccess = mm.cpu.faultAccess(access);
    for (;;) {
      const out = this.enterFault(t, BigInt(address), faultAccess, pc);
      if (out === 'stop') {
        mm.cpu.stop({ kind: 'requested' });
        return false;
      }
      if (tlb_fill(mm.pgtable, mm.tlb, address, access)) {
        t.refaults.count = 0;
        return true;
      }
      if (t.refaults.address === address && ++t.refaults.count > REFAULT_LIMIT) {
        this.livelock = { kind: 'livelock', pid: t.pid, comm: t.comm, address: `0x${address.toString(16)}` };
        mm.cpu.stop({ kind: 'requested' });
        return false;
      }
      if (t.refaults.address !== address) t.refaults = { address, count: 1 };
    }
  }

  /**
   * Runs the architecture's exception entry for a refused access.  Returns 'retry' (the access
   * may be tried again) or 'stop' (a signal is pending or the task sleeps: leave the engine).
   */
  private enterFault(t: Task, address: bigint, access: Access, pc: bigint): 'retry' | 'stop' {
    const k = this.k;
    k.sched.clock += 500; // exception entry and the handler take simulated time
    const out = this.arch.userFault(k, t, address, access, pc);
    if (out.kind === 'sleep') {
      prepare_to_wait(this.k, t, out.waitq);
      return 'stop';
    }
    if (out.kind === 'signal' || get_fatal_signal(t) !== null) return 'stop';
    if (t.state !== 'R') return 'stop';
    return 'retry';
  }

  /** A fault taken from kernel mode on a user address (copy_from_user / GUP): 0 or -errno. */
  faultInKernel(mm: MmStruct, vma: Vma | undefined, address: number, write: boolean): number {
    return faultin_page(this.k, mm, vma, address, write, this.running?.mm === mm);
  }

  // ------------------------------------------------------------------ signals and exit

  exitTask(t: Task, status: { code?: number; signal?: number; core?: boolean }): void {
    const prev = this.k.sched.current;
    this.k.sched.current = t;
    try {
      do_exit(this.procs, t, status);
    } finally {
      this.k.sched.current = prev === t ? null : prev;
    }
    this.rq = this.rq.filter((x) => x !== t);
    if (this.running === t) this.running = null;
  }

  /** cond_resched() from the running task: SIGKILLed tasks that are not running exit now. */
  exitDyingTasks(): void {
    // A woken oom_reaper (4.19 wakes it at once; 6.1 after OOM_REAPER_DELAY) gets the CPU at the
    // same scheduling point, before the victims it was woken for have finished exiting.
    for (const tm of this.timers.filter((x) => x.what.startsWith('oom_reaper') && x.at <= this.k.sched.clock)) {
      this.timers.splice(this.timers.indexOf(tm), 1);
      tm.fn();
    }
    for (const t of [...this.k.sched.tasks.values()]) {
      if (t === this.running || t === this.k.sched.current) continue;
      if (t.state === 'Z' || t.state === 'X' || t.isKthread) continue;
      if (t.pending.includes(9)) {
        this.k.tracer.emit('signal', { sig: 9, name: 'SIGKILL', code: 'delivered: victim exits', target: t.pid });
        this.exitTask(t, { signal: 9 });
      }
    }
  }

  // ------------------------------------------------------------------ scheduling

  private switchTo(t: Task): void {
    const cpu = t.mm!.cpu;
    const owner = this.cpuOwner.get(cpu);
    if (owner !== t) {
      if (owner && owner.mm?.cpu === cpu && owner.state !== 'Z' && owner.state !== 'X') this.procs.saveRegs(owner);
      this.procs.restoreRegs(t);
      this.cpuOwner.set(cpu, t);
    }
  }

  private pickNext(): Task | null {
    for (let i = 0; i < this.rq.length; i++) {
      const t = this.rq.shift()!;
      if (t.state === 'R' && t.mm) {
        this.rq.push(t);
        return t;
      }
      if (t.state === 'S' || t.state === 'R') this.rq.push(t);
    }
    return null;
  }

  /** Fires timers due now and wakes timed sleepers. */
  private runTimers(): void {
    while (this.timers.length && this.timers[0]!.at <= this.k.sched.clock) {
      const tm = this.timers.shift()!;
      tm.fn();
    }
    for (const t of this.k.sched.tasks.values())
      if (t.state === 'S' && t.wake?.at !== undefined && t.wake.at <= this.k.sched.clock)
        try_to_wake_up(this.k, t, 'timer');
  }

  private nextEventTime(): number | null {
    let next: number | null = this.timers.length ? this.timers[0]!.at : null;
    for (const t of this.k.sched.tasks.values())
      if (t.state === 'S' && t.wake?.at !== undefined && !t.isKthread)
        next = next === null ? t.wake.at : Math.min(next, t.wake.at);
    return next;
  }

  private guestAlive(): boolean {
    for (const t of this.k.sched.tasks.values())
      if (t.pid !== 1 && !t.isKthread && t.state !== 'Z' && t.state !== 'X') return true;
    return false;
  }

  /** The main loop: run until every guest task has exited, the budget is gone, or a panic. */
  run(handleSyscall: (t: Task) => void): RunEnd {
    const k = this.k;
    try {
      for (;;) {
        this.runTimers();
        this.procs.closeDeadCpus(null);
        if (this.livelock) return this.livelock;
        this.onProgress?.(this);
        if (!this.guestAlive() && !this.pendingWork() && !this.timers.some((t) => !t.what.startsWith('oom_reaper')))
          return { kind: 'exited' };
        if (this.totalExecuted >= this.budget) return { kind: 'budget', executed: this.totalExecuted };
        const t = this.pickNext();
        if (!t) {
          const next = this.nextEventTime();
          if (next === null) {
            const blocked = [...k.sched.tasks.values()]
              .filter((x) => x.state === 'S' && !x.isKthread && x.pid !== 1)
              .map((x) => ({ pid: x.pid, comm: x.comm, waitq: x.wake?.waitq ?? '?' }));
            return { kind: 'deadlock', blocked };
          }
          k.sched.clock = Math.max(k.sched.clock, next);
          continue;
        }
        this.runTask(t, handleSyscall);
      }
    } catch (e) {
      if (e instanceof KernelPanic) return { kind: 'panic', text: e.text };
      throw e;
    }
  }

  private lastRun: Task | null = null;

  private runTask(t: Task, handleSyscall: (t: Task) => void): void {
    const k = this.k;
    if (this.lastRun !== t) {
      const prev = this.lastRun;
      const prevState = !prev ? 'R' : prev.state === 'Z' || prev.state === 'X' ? 'X' : prev.state;
      k.sched.current = prev;
      k.tracer.emit('sched_switch', { prevPid: prev?.pid ?? 0, prevState, nextPid: t.pid, nextComm: t.comm });
      // formatted as sched:sched_switch by the trace formatters
      this.lastRun = t;
    }
    if (this.returnToUser(t)) return;
    this.switchTo(t);
    const cpu = t.mm!.cpu;
    this.running = t;
    k.sched.current = t;
    const prevTs = k.sched.clock;
    const res = cpu.run(Math.min(QUANTUM, Math.max(1, this.budget - this.totalExecuted)));
    this.running = null;
    this.totalExecuted += res.executed;
    k.sched.clock = prevTs + res.executed + (k.sched.clock - prevTs);
    this.handleStop(t, res.reason, handleSyscall);
    if (t.state === 'R' && t.mm) this.returnToUser(t);
    k.sched.current = null;
  }

  /** exit_to_user_mode(): pending signals, memory.high throttling. True if the task is gone/asleep. */
  private returnToUser(t: Task): boolean {
    const k = this.k;
    const prev = k.sched.current;
    k.sched.current = t;
    try {
      if (get_signal(this.k, t, (x, status) => this.exitTask(x, status))) return true;
      const delay = mem_cgroup_handle_over_high(k, t) + t.highDelayNs;
      t.highDelayNs = 0;
      if (delay > 0) {
        prepare_to_wait(this.k, t, 'memory.high throttle', k.sched.clock + delay);
        return true;
      }
      return t.state !== 'R';
    } finally {
      k.sched.current = prev;
    }
  }

  private handleStop(t: Task, reason: StopReason, handleSyscall: (t: Task) => void): void {
    const k = this.k;
    switch (reason.kind) {
      case 'budget':
      case 'requested':
        return;
      case 'syscall':
        k.sched.clock += 100;
        handleSyscall(t);
        return;
      case 'fault': {
        // Accesses the engine refused without asking the MMU (no engine region there).
        this.enterFault(t, reason.address, reason.access, reason.access === 'fetch' ? reason.address : reason.pc);
        return;
      }
      case 'exception': {
        const { sig, code } = this.arch.otherException(k, t, reason.intno, reason.pc, reason.what);
        k.tracer.emit('signal', {
          sig,
          name: SIGNAL_NAMES[sig] ?? `sig${sig}`,
          code: `${code} (${reason.what} at 0x${reason.pc.toString(16)})`,
          target: t.pid,
        });
        force_sig(t, sig);
        return;
      }
      case 'error':
        printk(
          k,
          3,
          `faultpath: engine error in ${t.comm}[${t.pid}] at pc 0x${reason.pc.toString(16)}: ${reason.message}`,
        );
        force_sig(t, 11);
        return;
    }
  }

  /** syncs per-thread RSS caches (for reports at the end of a run) */
}
