/**
 * Tasks: creation (copy_process / dup_mm with copy-on-write), exit (do_exit → exit_mm → mmput
 * → exit_mmap), zombies and reaping, signal sending and the default actions of fatal signals
 * (kernel/fork.c, kernel/exit.c, kernel/signal.c).
 */
import { EAGAIN, EINVAL, ENOMEM } from '../include/uapi/asm-generic/errno.js';
import { SIGCHLD } from '../include/uapi/asm-generic/signal.js';
import { CLONE_SETTLS, CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK, CLONE_VM } from '../include/uapi/linux/sched.js';
import { printk } from './printk/printk.js';
import { errno, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { Cpu } from '../hw/cpu.js';
import { exit_mmap } from '../mm/mmap.js';
import { Lru, PageKind } from '../include/linux/mmzone.js';
import { type KernelState } from '../include/faultpath/kernel_state.js';
import { VM_SHARED, VM_WRITE } from '../include/linux/mm.js';
import { type MmStruct } from '../include/linux/mm_types.js';
import { type Task } from '../include/linux/sched.js';
import { MemCgroup } from '../include/linux/memcontrol.js';
import { SLAB_MM_STRUCT } from '../mm/slab.js';
import { SLAB_VM_AREA_STRUCT } from '../mm/slab.js';
import { flush_tlb_page } from '../mm/mmu_gather.js';
import { mem_cgroup_uncharge } from '../mm/memcontrol.js';
import { memcg_slab_free_hook } from '../mm/slab.js';
import { memcg_slab_post_alloc_hook } from '../mm/slab.js';
import { pte_alloc_one } from '../mm/pgtable-generic.js';
import { swap_duplicate } from '../mm/swapfile.js';
import { try_charge } from '../mm/memcontrol.js';
import { try_to_wake_up } from './sched/core.js';
import { prepare_to_wait } from './sched/wait.js';

export const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  17: 'SIGCHLD',
  18: 'SIGCONT',
  19: 'SIGSTOP',
  20: 'SIGTSTP',
};
/** Signals whose default action dumps core (wait status gets 0x80). */
const CORE_SIGNALS = new Set([3, 4, 5, 6, 7, 8, 11, 24, 25, 31]);
/** Signals whose default action is to ignore. */
export const IGNORE_SIGNALS = new Set([17, 18, 23, 28]);

export const FIRST_GUEST_PID = 100;

export class ProcessTable {
  private nextPid = FIRST_GUEST_PID;
  readonly k: KernelState;
  /** RLIMIT_NPROC and the engine-instance cap that bounds fork bombs */
  maxProcesses = 256;

  constructor(k: KernelState) {
    this.k = k;
  }

  /** alloc_pid(): next free pid below pid_max, wrapping like the kernel. */
  allocPid(): number {
    const max = this.k.sysctl.get('kernel.pid_max');
    for (let i = 0; i < max; i++) {
      const pid = this.nextPid;
      this.nextPid = this.nextPid + 1 >= max ? FIRST_GUEST_PID : this.nextPid + 1;
      if (!this.k.sched.tasks.has(pid)) return pid;
    }
    return -EAGAIN;
  }

  liveCount(): number {
    let n = 0;
    for (const t of this.k.sched.tasks.values()) if (t.state !== 'X' && !t.isKthread && t.pid !== 1) n++;
    return n;
  }

  newTask(comm: string, parent: Task | null, memcgId: number): Task {
    const pid = this.allocPid();
    if (pid < 0) throw new Error('pid space exhausted');
    const t: Task = {
      pid,
      tgid: pid,
      comm: comm.slice(0, 15),
      parent,
      children: [],
      state: 'R',
      exitStatus: null,
      exitCode: null,
      termSignal: null,
      mm: null,
      regs: null,
      pending: [],
      sigactions: new Map(),
      sigmask: 0n,
      rlimits: new Map(),
      oomScoreAdj: parent?.oomScoreAdj ?? 0,
      oomScoreAdjMin: parent?.oomScoreAdjMin ?? 0,
      memcgId,
      minFlt: 0,
      majFlt: 0,
      rssCache: [0, 0, 0, 0],
      rssEvents: 0,
      memcgInOom: null,
      inUserFault: false,
      flags: new Set(),
      oomVictim: false,
      wake: null,
      resume: null,
      vforkParent: null,
      uid: 0,
      clearChildTid: 0n,
      stdout: [],
      startTime: this.k.sched.clock,
      refaults: { address: -1, count: 0 },
      highDelayNs: 0,
      isKthread: false,
    };
    this.k.sched.tasks.set(pid, t);
    this.k.memcg.get(memcgId).procs.add(pid);
    if (parent) parent.children.push(t);
    return t;
  }

  /** Saves the engine registers of the task that shares mm's CPU. */
  saveRegs(t: Task): void {
    const cpu = t.mm?.cpu;
    if (!cpu) return;
    const gp = new Map<string, bigint>();
    const vec = new Map<string, Buffer>();
    for (const r of gpRegNames(cpu.arch)) gp.set(r, cpu.reg(r));
    for (const r of vecRegNames(cpu.arch)) vec.set(r, cpu.vreg(r));
    t.regs = { gp, vec };
  }

  restoreRegs(t: Task): void {
    const cpu = t.mm?.cpu;
    if (!cpu || !t.regs) return;
    for (const [r, v] of t.regs.gp) cpu.setReg(r, v);
    for (const [r, v] of t.regs.vec) cpu.setVreg(r, v);
  }

  /**
   * dup_mm(): a new engine instance, the same VMAs with copied bytes (MAP_SHARED VMAs share
   * the host memory), and copy_page_range(): PTEs copied, private writable ones write-protected
   * in both parent and child so the first write takes the COW fault.
   */
  dupMm(parent: MmStruct, childPid: number): MmStruct {
    const k = this.k;
    const cpu = new Cpu(parent.arch);
    const mm = mm_alloc(k, cpu);
    // The child's page tables and vm_area_structs are charged to the forking task's memcg.
    mm.ownerPid = childPid;
    try {
      this.copyMm(parent, mm);
    } catch (e) {
      k.mm.mms.delete(mm.id);
      mmput(k, mm);
      cpu.close();
      throw e;
    }
    return mm;
  }

  /** dup_mmap(): VMAs (each a vm_area_struct), then copy_page_range() for those that need it. */
  private copyMm(parent: MmStruct, mm: MmStruct): void {
    const k = this.k;
    const cpu = mm.cpu;
    Object.assign(mm, {
      totalVm: parent.totalVm,
      stackVm: parent.stackVm,
      dataVm: parent.dataVm,
      execVm: parent.execVm,
      startBrk: parent.startBrk,
      brk: parent.brk,
      startStack: parent.startStack,
      mmapBase: parent.mmapBase,
      argStart: parent.argStart,
      argEnd: parent.argEnd,
      envStart: parent.envStart,
      envEnd: parent.envEnd,
      exe: parent.exe,
    });
    mm.committed = parent.committed;
    k.mm.committedAs += parent.committed;
    const regionMem = new Map<number, Buffer>();
    for (const v of parent.vmas) {
      const r = parent.cpu.mem.regionAt(v.regionBase)!;
      let mem = regionMem.get(r.begin);
      if (!mem) {
        mem = v.flags & VM_SHARED ? r.mem : Buffer.from(r.mem);
        regionMem.set(r.begin, mem);
        cpu.mem.map(r.begin, mem);
        if (parent.vmas.some((x) => x.regionBase === r.begin && x.flags & 4)) cpu.mem.addCodeRange(r.begin, r.end);
      }
      mm.vmas.push({ ...v, mem: mem.subarray(v.start - r.begin, v.end - r.begin) });
      memcg_slab_post_alloc_hook(k, mm, SLAB_VM_AREA_STRUCT);
    }
    const fmt = parent.pgtable.fmt;
    for (const v of parent.vmas) {
      // vma_needs_copy(): only VMAs with an anon_vma; file and shared pages refault from the cache.
      if (!v.anonVma) continue;
      parent.pgtable.forEachPte(v.start, v.end, (address, lo, hi) => {
        const pv = fmt.view(lo, hi);
        for (let level = mm.pgtable.walk(address).tables.length; level <= 3; level++) {
          const pfn = pte_alloc_one(k, mm, level);
          if (pfn < 0) throw new Error('fork: out of memory for page tables');
          mm.pgtable.populate(address, level - 1, pfn);
        }
        if (!pv.valid) {
          // copy_nonpresent_pte(): the child's swap PTE takes its own reference on the slot
          mm.pgtable.setPte(address, lo, hi);
          if (pv.swapSlot !== null) {
            swap_duplicate(k, pv.swapSlot);
            mm.rss[2]!++;
          }
          return;
        }
        let [nlo, nhi] = [lo, hi];
        const cow = !(v.flags & VM_SHARED) && (v.flags & VM_WRITE) !== 0 && pv.write;
        if (cow) {
          [nlo, nhi] = fmt.wrprotect(lo, hi);
          parent.pgtable.setPte(address, nlo, nhi);
          flush_tlb_page(parent, address);
        }
        mm.pgtable.setPte(address, nlo, nhi);
        if (!pv.special) {
          k.phys.rmapAdd(pv.pfn, { mmId: mm.id, address });
          k.phys.refcount[pv.pfn]!++;
          const kind = k.phys.kind[pv.pfn] as PageKind;
          const member = kind === PageKind.Anon ? 1 : kind === PageKind.Shmem ? 3 : 0;
          mm.rss[member]!++;
          if (kind === PageKind.File || kind === PageKind.Shmem) {
            const id = k.phys.memcg[pv.pfn]!;
            if (id) k.memcg.get(id).stat.file_mapped++;
          }
        }
      });
    }
  }

  /** Sends a signal (send_signal / do_send_sig_info); SIGKILL wakes sleepers. */
  sendSignal(t: Task, sig: number): void {
    if (t.state === 'Z' || t.state === 'X') return;
    if (sig === 9) {
      this.k.tracer.emit('signal', { sig, name: 'SIGKILL', code: 'SI_KERNEL', target: t.pid });
      for (const m of this.k.sched.tasks.values()) if (m.tgid === t.tgid && !m.pending.includes(9)) m.pending.push(9);
      for (const m of this.k.sched.tasks.values())
        if (m.tgid === t.tgid && m.state === 'S') try_to_wake_up(this.k, m, 'SIGKILL');
      return;
    }
    const act = t.sigactions.get(sig);
    if (IGNORE_SIGNALS.has(sig) && (!act || act.handler === 0n)) return;
    if (act && act.handler === 1n) return; // SIG_IGN
    if (!t.pending.includes(sig)) t.pending.push(sig);
    if (t.state === 'S') try_to_wake_up(this.k, t, SIGNAL_NAMES[sig] ?? `signal ${sig}`);
  }

  readonly deadCpus: Cpu[] = [];

  /** Closes engines of exited mms (never from inside a running engine's hook). */
  closeDeadCpus(running: Cpu | null): void {
    for (let i = this.deadCpus.length - 1; i >= 0; i--) {
      const c = this.deadCpus[i]!;
      if (c === running) continue;
      c.close();
      this.deadCpus.splice(i, 1);
    }
  }
}

export function gpRegNames(arch: 'aarch64' | 'x86_64'): string[] {
  if (arch === 'aarch64')
    return [
      ...Array.from({ length: 29 }, (_, i) => `x${i}`),
      'x29',
      'x30',
      'sp',
      'pc',
      'nzcv',
      'tpidr_el0',
      'fpcr',
      'fpsr',
    ];
  return [
    'rax',
    'rbx',
    'rcx',
    'rdx',
    'rsi',
    'rdi',
    'rbp',
    'rsp',
    'r8',
    'r9',
    'r10',
    'r11',
    'r12',
    'r13',
    'r14',
    'r15',
    'rip',
    'rflags',
    'fs_base',
    'gs_base',
  ];
}

export function vecRegNames(arch: 'aarch64' | 'x86_64'): string[] {
  return arch === 'aarch64'
    ? Array.from({ length: 32 }, (_, i) => `q${i}`)
    : Array.from({ length: 16 }, (_, i) => `xmm${i}`);
}

export { Lru };

/**
 * mm_alloc() + mm_init() + pgd_alloc(): the pgd comes from GFP_PGTABLE_USER (memcg-accounted where
 * the profile accounts page tables), the mm_struct from an accounted slab cache.  Both are charged
 * to the memcg of the task that creates the mm (exec or fork runs in its context).
 */
export function mm_alloc(k: KernelState, cpu: Cpu): MmStruct {
  const memcg = k.sched.current ? k.memcg.get(k.sched.current.memcgId) : k.memcg.root;
  const pgds: number[] = [];
  for (let i = 0; i < k.profile.pgdPages[k.arch]; i++) {
    const pfn = pgd_alloc_page(k, memcg);
    if (pfn < 0) {
      for (const p of pgds) pgd_free(k, p);
      throw new Error(
        pfn === -1 ? 'out of memory allocating a pgd' : 'out of memory: cannot charge the pgd to the memory cgroup',
      );
    }
    pgds.push(pfn);
  }
  const mm = newMmStruct(k, cpu, pgds, memcg.id);
  k.mm.mms.set(mm.id, mm);
  memcg_slab_post_alloc_hook(k, mm, SLAB_MM_STRUCT);
  return mm;
}

/** One pgd page; -1 when no page, -2 when the memcg charge fails. */
function pgd_alloc_page(k: KernelState, memcg: MemCgroup): number {
  const pfn = k.phys.takeFrame(PageKind.PageTable);
  if (pfn < 0) return -1;
  if (k.profile.pgtableAccounted[k.arch] && !memcg.isRoot) {
    if (try_charge(k, memcg, k.profile.gfp.GFP_KERNEL | k.profile.gfp.ACCOUNT, 1) !== 0) {
      k.phys.freeFrame(pfn);
      return -2;
    }
    k.phys.memcg[pfn] = memcg.id;
    memcg.stat.kernel++;
  }
  return pfn;
}

function newMmStruct(k: KernelState, cpu: Cpu, pgds: number[], memcgId: number): MmStruct {
  return {
    id: k.mm.nextMmId++,
    arch: k.arch,
    cpu,
    pgtable: k.mm.newPageTable(pgds[0]!),
    vmas: [],
    rss: [0, 0, 0, 0],
    totalVm: 0,
    stackVm: 0,
    dataVm: 0,
    execVm: 0,
    lockedVm: 0,
    startBrk: 0,
    brk: 0,
    startStack: 0,
    mmapBase: 0,
    argStart: 0,
    argEnd: 0,
    envStart: 0,
    envEnd: 0,
    flags: new Set(),
    users: 1,
    tlb: new Map(),
    committed: 0,
    ownerPid: 0,
    pgdExtra: pgds.slice(1),
    slab: { memcgId, bytes: 0 },
  };
}

/** __mmdrop(): mm_free_pgd() and free_mm() — the mm's own kernel pages and slab objects. */
export function __mmdrop(k: KernelState, mm: MmStruct): void {
  for (const pfn of [mm.pgtable.pgd, ...mm.pgdExtra]) pgd_free(k, pfn);
  memcg_slab_free_hook(k, mm, mm.slab.bytes);
}

function pgd_free(k: KernelState, pfn: number): void {
  const id = k.phys.memcg[pfn]!;
  if (id) {
    const m = k.memcg.get(id);
    m.stat.kernel--;
    mem_cgroup_uncharge(k, m, 1);
    k.phys.memcg[pfn] = 0;
  }
  k.phys.freeFrame(pfn);
}

/** mmput() of the last user: __mmput() -> exit_mmap(), then mmdrop() -> __mmdrop(). */
export function mmput(k: KernelState, mm: MmStruct): void {
  exit_mmap(k, mm);
  __mmdrop(k, mm);
}

// ---------------------------------------------------------------- system calls

/**
 * copy_process(): a new task under the caller with its credentials, oom_score_adj, signal
 * handlers and limits (shared with CLONE_THREAD), the same mm (CLONE_VM) or a copy-on-write copy
 * (dup_mm, -ENOMEM when it cannot be made), and the caller's registers returning 0 (copy_thread).
 */
function copy_process(c: SyscallContext, flags: number, stack: bigint, tls: bigint): Task | bigint {
  const { k, t, procs } = c;
  procs.saveRegs(t);
  const child = procs.newTask(t.comm, t, t.memcgId);
  child.oomScoreAdj = t.oomScoreAdj;
  child.oomScoreAdjMin = t.oomScoreAdjMin;
  child.uid = t.uid;
  child.sigactions = new Map(t.sigactions);
  child.rlimits = flags & CLONE_THREAD ? t.rlimits : new Map(t.rlimits);
  child.label = undefined;
  if (flags & CLONE_THREAD) child.tgid = t.tgid;
  if (flags & CLONE_VM) {
    child.mm = t.mm;
    t.mm!.users++;
  } else {
    try {
      child.mm = procs.dupMm(t.mm!, child.pid);
    } catch {
      k.sched.tasks.delete(child.pid);
      k.memcg.get(child.memcgId).procs.delete(child.pid);
      t.children = t.children.filter((x) => x !== child);
      return errno(ENOMEM);
    }
    c.mmu.attachMm(child.mm);
  }
  child.regs = { gp: new Map(t.regs!.gp), vec: new Map(t.regs!.vec) };
  c.abi.copyThread(child.regs, stack, flags & CLONE_SETTLS ? tls : null);
  if (!(flags & CLONE_VM)) procs.restoreRegs(child);
  return child;
}

/**
 * kernel_clone(): the process limit (RLIMIT_NPROC, with a ratelimited "fork refused" line), the
 * flag rules of copy_process() (threads share signal handlers, shared handlers need a shared mm),
 * the copy, then wake_up_new_task().  A vfork parent sleeps until the child execs or exits and
 * then sees the child's pid.
 */
export function kernel_clone(c: SyscallContext, flags: number, stack: bigint, tls: bigint): SyscallRet {
  const { k, t, procs } = c;
  if (procs.liveCount() >= procs.maxProcesses) {
    if (k.printk.ratelimit('fork_limit', 5_000_000_000, 1))
      printk(
        k,
        4,
        `faultpath: fork refused: ${procs.maxProcesses} processes (RLIMIT_NPROC) reached by ${t.comm}[${t.pid}]`,
      );
    return errno(EAGAIN);
  }
  if (flags & CLONE_THREAD && !(flags & CLONE_SIGHAND)) return errno(EINVAL);
  if (flags & CLONE_SIGHAND && !(flags & CLONE_VM)) return errno(EINVAL);
  const child = copy_process(c, flags, stack, tls);
  if (typeof child === 'bigint') return child;
  c.sched.makeRunnable(child);
  if (flags & CLONE_VFORK) {
    child.vforkParent = t;
    prepare_to_wait(c.k, t, 'vfork');
  }
  return BigInt(child.pid);
}

/**
 * clone(flags, newsp, parent_tid, ...).  The tls argument: the model reads the 5th argument on
 * arm64 and the 4th on x86-64, as it always has; note the kernel's order is the other way round
 * (arm64 selects CONFIG_CLONE_BACKWARDS: clone(flags, newsp, parent_tid, tls, child_tid); x86-64
 * passes tls last).
 */
export function sys_clone(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const tls = c.k.arch === 'aarch64' ? a[4]! : a[3]!;
  return kernel_clone(c, Number(a[0]! & 0xffffffffn), a[1]!, tls);
}

/** fork() (x86-64): clone(SIGCHLD) */
export function sys_fork(c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return kernel_clone(c, SIGCHLD, 0n, 0n);
}

/** vfork() (x86-64): clone(CLONE_VM | CLONE_VFORK | SIGCHLD) */
export function sys_vfork(c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return kernel_clone(c, CLONE_VM | CLONE_VFORK | SIGCHLD, 0n, 0n);
}

/** set_tid_address(tidptr): recorded as clear_child_tid; returns the caller's tid. */
export function sys_set_tid_address(c: SyscallContext, a: SyscallArgs): SyscallRet {
  c.t.clearChildTid = a[0]!;
  return BigInt(c.t.pid);
}
