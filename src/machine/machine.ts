import { arm64Ops } from '../../arch/arm64/kernel/entry.js';
import { x86Ops } from './arch/x86.js';
import { parseElf } from '../fs/binfmt_elf.js';
import { sync_mm_rss } from '../mm/memory.js';
import { PageKind } from '../include/linux/mmzone.js';
import { sysrq_handle_moom } from '../drivers/tty/sysrq.js';
import { d_lookup } from '../fs/dcache.js';
import { filename_lookup, vfs_create } from '../fs/namei.js';
import { cgroup_mkdir } from '../kernel/cgroup/cgroup.js';
import { Tracer } from '../trace/tracer.js';
import type { ArchOps } from '../include/faultpath/arch_ops.js';
import type { SyscallHost } from '../include/faultpath/syscall.js';
import { load_elf_binary } from '../fs/exec.js';
import { KernelState } from '../include/faultpath/kernel_state.js';
import { bootMemory, type MachineKind } from './boot-memory.js';
import { getProfile, type GuestArch } from '../include/faultpath/profile.js';
import { System, type RunEnd } from './system.js';
import type { ModelFile } from '../include/linux/fs.js';
import type { Task } from '../include/linux/sched.js';
import { filemap_add_folio } from '../mm/filemap.js';
import { printk } from '../kernel/printk/printk.js';
import type { KernelUpcalls } from '../include/faultpath/kernel_state.js';
import { bootKernelState } from './boot.js';
import { out_of_memory } from '../mm/oom_kill.js';
import { shrink_node } from '../mm/vmscan.js';
import { mmput } from '../kernel/fork.js';
import { try_to_free_mem_cgroup_pages } from '../mm/vmscan.js';
import { __wake_up } from '../kernel/sched/wait.js';
import { force_sig } from '../kernel/signal.js';
import { try_to_wake_up } from '../kernel/sched/core.js';

export interface MachineOptions {
  arch: GuestArch;
  kernel?: string;
  memBytes?: number;
  swapBytes?: number;
  sysctls?: Record<string, number>;
  trace?: boolean;
  /** events the tracer stores before it counts the rest as dropped (default 2,000,000) */
  traceLimit?: number;
  budget?: number;
  seed?: number;
  rootfs?: 'tmpfs' | 'disk';
  /** boot-time memory model (src/machine/boot-memory.ts) */
  machine?: MachineKind;
  maxProcesses?: number;
  /** OOM notifiers (register_oom_notifier), each owning `pages` kernel pages it can free */
  oomNotifiers?: { name: string; pages: number }[];
}

export interface SpawnOptions {
  path: string;
  argv?: string[];
  envp?: string[];
  cgroup?: string;
  oomScoreAdj?: number;
  label?: string;
  uid?: number;
}

export interface OutputChunk {
  pid: number;
  fd: number;
  text: string;
}

/**
 * The environment a process gets by default.  The oracle's recorded stack pointers (three
 * programs with different name lengths, both arches) pin down the size of the runner's
 * environment (4 strings, 48 bytes) but not its text; this one has that size, so initial stack
 * pointers equal the real ones (docs/oracle.md).
 */
export const DEFAULT_ENV = ['HOME=/', 'PWD=/', 'PATH=/bin:/sbin', 'LOGNAME=root'];

export class Machine {
  readonly k: KernelState;
  readonly sys: System;
  readonly arch: ArchOps;
  /**
   * The system call entry the run loop calls for a task stopped at svc / syscall: the arch's
   * (el0_svc / entry_SYSCALL_64).  A property so tests, bench and debug_vm can wrap it.
   */
  readonly syscalls: { handle(t: Task): void };
  private readonly opts: MachineOptions;
  readonly tracer: Tracer;
  readonly output_: OutputChunk[] = [];

  constructor(opts: MachineOptions) {
    this.opts = opts;
    const profile = getProfile(opts.kernel ?? '6.1');
    const memBytes = opts.memBytes ?? 128 * 1024 * 1024;
    const boot = bootMemory(opts.machine ?? 'qemu-virt', opts.arch, Math.floor(memBytes / 4096));
    this.tracer = new Tracer(opts.trace ?? false, opts.traceLimit);
    this.arch = opts.arch === 'aarch64' ? arm64Ops : x86Ops;
    this.k = bootKernelState(
      {
        arch: opts.arch,
        profile,
        memBytes,
        reservedPages: boot.reserved,
        idleKernelPages: boot.idleKernel,
        swapBytes: opts.swapBytes ?? 0,
        tracer: this.tracer,
        rootfs: opts.rootfs ?? 'tmpfs',
        seed: opts.seed ?? 1,
      },
      (k) => machineUpcalls(k, this.arch, () => this.sys),
    );
    this.sys = new System(this.k, this.arch, opts.budget ?? 2_000_000_000);
    if (opts.maxProcesses) this.sys.procs.maxProcesses = opts.maxProcesses;
    // What the system calls may use of the machine (src/include/faultpath/syscall.ts).  The
    // objects themselves, not bound methods: wrappers installed on them later (debug_vm) apply.
    const host: SyscallHost = {
      k: this.k,
      sched: this.sys,
      procs: this.sys.procs,
      mmu: this.sys,
      vfs: {
        filename_lookup: (path, self) => filename_lookup(this.sys.vfs, path, self),
        d_lookup: (path) => d_lookup(this.sys.vfs.root, path),
      },
      console: this,
      loader: this,
    };
    this.syscalls = { handle: (t) => this.arch.syscall.entry(host, t) };
    for (const [key, v] of Object.entries(opts.sysctls ?? {})) {
      const r = this.k.sysctl.set(key, v);
      if (r === -2) throw new Error(`unknown sysctl '${key}' (known: ${this.k.sysctl.names().join(', ')})`);
      if (r < 0) throw new Error(`invalid value ${v} for sysctl '${key}'`);
    }
    for (const n of opts.oomNotifiers ?? []) this.registerOomNotifier(n.name, n.pages);
  }

  /**
   * Puts a program into the rootfs.  On the default tmpfs rootfs (the oracle's initramfs) its
   * pages already sit in the page cache from boot, charged to the root memcg, so a later exec
   * in a cgroup maps them without charging that cgroup.
   */
  addProgram(path: string, bytes: Uint8Array): ModelFile {
    const known = d_lookup(this.sys.vfs.root, path);
    const f = vfs_create(this.sys.vfs, path, bytes);
    if (!known && f.shmem) {
      for (let i = 0; i * 4096 < bytes.length; i++) filemap_add_folio(this.k, f, i, this.k.memcg.root);
    }
    return f;
  }

  output(t: Task, fd: number, text: string): void {
    this.output_.push({ pid: t.pid, fd, text });
    t.stdout.push(text);
  }

  /** Creates a task under init, places it in its cgroup with its oom_score_adj, then execs. */
  spawn(o: SpawnOptions): Task {
    const k = this.k;
    const file = d_lookup(this.sys.vfs.root, o.path);
    if (!file) throw new Error(`no such program: ${o.path}`);
    const memcg = o.cgroup ? (k.memcg.lookup(o.cgroup) ?? cgroup_mkdir(k, o.cgroup)) : k.memcg.root;
    const init = k.sched.tasks.get(1)!;
    const t = this.sys.procs.newTask(o.path.split('/').pop()!, init, memcg.id);
    t.oomScoreAdj = o.oomScoreAdj ?? 0;
    // written by the (root) runner before exec: __set_oom_adj() also sets oom_score_adj_min
    t.oomScoreAdjMin = t.oomScoreAdj;
    t.uid = o.uid ?? 0;
    if (o.label) t.label = o.label;
    try {
      this.execInto(t, file, o.argv ?? [o.path], o.envp ?? DEFAULT_ENV);
    } catch (e) {
      // A failed exec leaves nothing behind: no half-made task for the scheduler to find.
      k.sched.tasks.delete(t.pid);
      memcg.procs.delete(t.pid);
      init.children = init.children.filter((c) => c !== t);
      throw e;
    }
    this.sys.makeRunnable(t);
    return t;
  }

  /** do_execve(): load the ELF into a new mm, switch the task to it (exec_mmap), set registers. */
  execInto(t: Task, file: ModelFile, argv: string[], envp: string[]): void {
    const k = this.k;
    const image = parseElf(file.bytes, file.path);
    const prev = k.sched.current;
    k.sched.current = t;
    try {
      const { mm, entry, sp } = load_elf_binary(k, t, { file, image, argv, envp });
      const old = t.mm;
      if (old) {
        sync_mm_rss(t);
        old.users--;
        if (old.users <= 0) {
          k.mm.mms.delete(old.id);
          this.releaseMm(old);
        }
      }
      t.mm = mm;
      for (let i = 0; i < 4; i++) t.rssCache[i] = 0;
      t.rssEvents = 0;
      t.comm = file.path.split('/').pop()!.slice(0, 15);
      this.sys.attachMm(mm);
      this.arch.startThread(mm.cpu, entry, sp);
      t.regs = null;
      if (t.vforkParent) {
        try_to_wake_up(this.k, t.vforkParent, 'vfork exec');
        t.vforkParent = null;
      }
    } finally {
      k.sched.current = prev;
    }
  }

  private releaseMm(old: NonNullable<Task['mm']>): void {
    // exit_mmap of the image replaced by exec
    mmput(this.k, old);
    this.sys.procs.deadCpus.push(old.cpu);
  }

  /**
   * A notifier on oom_notify_list that owns `pages` kernel pages (taken now, like a balloon) and
   * gives them all back the first time out_of_memory() calls it.
   */
  private registerOomNotifier(name: string, pages: number): void {
    const k = this.k;
    const held: number[] = [];
    for (let i = 0; i < pages; i++) {
      const pfn = k.phys.takeFrame(PageKind.Kernel);
      if (pfn < 0) throw new Error(`oom notifier ${name}: cannot reserve ${pages} pages`);
      held.push(pfn);
    }
    k.oom.notifiers.push(() => {
      const n = held.length;
      while (held.length) k.phys.freeFrame(held.pop()!);
      if (n) printk(k, 6, `faultpath: oom notifier ${name} freed ${n} pages`);
      return n;
    });
  }

  /** sysrq-f at the current simulated time (a scenario action: no "sysrq:" log line). */
  sysrqF(): void {
    sysrq_handle_moom(this.k);
  }

  run(): RunEnd {
    const end = this.sys.run((t) => this.syscalls.handle(t));
    // sync_mm_rss() of every task, so the counters the tools read are exact
    for (const t of this.k.sched.tasks.values()) if (t.mm) sync_mm_rss(t);
    return end;
  }

  close(): void {
    for (const mm of this.k.mm.mms.values()) this.sys.procs.deadCpus.push(mm.cpu);
    this.sys.procs.closeDeadCpus(null);
  }
}

/** The generic kernel's upcalls, served by the run loop (System) and the arch. */
function machineUpcalls(k: KernelState, arch: ArchOps, sys: () => System): KernelUpcalls {
  return {
    sched: {
      cond_resched: () => sys().exitDyingTasks(),
      wake_up: (waitq, match) => __wake_up(k, waitq, match),
      add_timer: (at, what, fn) => sys().addTimer(at, what, fn),
    },
    signal: {
      send_sigkill: (t) => sys().procs.sendSignal(t, 9),
      force_sig_fault: (t, sig) => force_sig(t, sig),
    },
    mm: {
      shrink_node: (nr, scope) => shrink_node(k, nr, scope),
      try_to_free_mem_cgroup_pages: (memcg, nr, gfp) => try_to_free_mem_cgroup_pages(k, memcg, nr, gfp),
      out_of_memory: (oc) => out_of_memory(k, oc),
      faultin_page: (mm, vma, address, write) => sys().faultInKernel(mm, vma, address, write) === 0,
    },
    arch: {
      user_regs_for_oops: () => (k.sched.current?.mm ? arch.userRegsForOops(k, k.sched.current) : []),
    },
  };
}
