/**
 * The system call calling convention of the model: every sys_* function takes the context of the
 * calling task and its six argument registers (the kernel's `long sys_x(const struct pt_regs *)`
 * wrappers), and returns the value for the return register.  The per-arch sys_call_table maps
 * numbers to these functions (arch/arm64/kernel/sys.ts, arch/x86/entry/syscall_64.ts).
 *
 * The system calls reach the running machine (scheduler, process table, MMU, console, program
 * loader) only through the narrow interfaces below; src/machine implements them.
 */
import type { Cpu } from '../../hw/cpu.js';
import type { KernelState } from './kernel_state.js';
import type { ModelFile, VirtualFile } from '../linux/fs.js';
import type { MmStruct } from '../linux/mm_types.js';
import type { SavedRegs, Task } from '../linux/sched.js';

/** The six argument registers (x0..x5 / rdi, rsi, rdx, r10, r8, r9). */
export type SyscallArgs = readonly bigint[];
/** The return register's value, or null when the task does not return now (it exited, or sleeps and restarts the call). */
export type SyscallRet = bigint | null;
export type SyscallFn = (c: SyscallContext, a: SyscallArgs) => SyscallRet;

/** The exit status do_exit() records (an exit code, or the signal that killed the task). */
export interface ExitStatus {
  code?: number;
  signal?: number;
  core?: boolean;
}

/** The scheduler and task lifecycle (kernel/sched, do_exit). */
export interface SchedOps {
  makeRunnable(t: Task): void;
  /** do_exit() of `t`, taking it off the run queue */
  exitTask(t: Task, status: ExitStatus): void;
}

/** The process table (kernel/fork.c, kernel/exit.c, kernel/signal.c). */
export interface ProcessOps {
  /** RLIMIT_NPROC of the machine */
  readonly maxProcesses: number;
  liveCount(): number;
  newTask(comm: string, parent: Task | null, memcgId: number): Task;
  /** dup_mm(): a copy-on-write copy of `parent` for the child `childPid` (throws when out of memory) */
  dupMm(parent: MmStruct, childPid: number): MmStruct;
  saveRegs(t: Task): void;
  restoreRegs(t: Task): void;
  sendSignal(t: Task, sig: number): void;
}

/** The machine's MMU. */
export interface MmuOps {
  /** binds a new address space's engine to the MMU */
  attachMm(mm: MmStruct): void;
}

/**
 * The path walk over the machine's mount namespace: fs/namei.c filename_lookup() for the files of
 * mounted pseudo file systems (/proc, cgroup2), fs/dcache.c d_lookup() for the rootfs's files.
 */
export interface PathLookup {
  filename_lookup(path: string, self: Task | null): VirtualFile | undefined;
  d_lookup(path: string): ModelFile | undefined;
}

/** The terminal behind fds 0-2. */
export interface Console {
  output(t: Task, fd: number, text: string): void;
}

/** do_execve()'s loading of a new image into a task (throws ExecError / ElfError). */
export interface ProgramLoader {
  execInto(t: Task, file: ModelFile, argv: string[], envp: string[]): void;
}

/** What the machine gives its system calls; one per machine. */
export interface SyscallHost {
  readonly k: KernelState;
  readonly sched: SchedOps;
  readonly procs: ProcessOps;
  readonly mmu: MmuOps;
  readonly vfs: PathLookup;
  readonly console: Console;
  readonly loader: ProgramLoader;
}

/** The arch's system call ABI (arch/<arch>/include/asm/syscall.h and its entry code). */
export interface SyscallAbi {
  /** the arch's entry for a task stopped at `svc #0` / `syscall` (el0_svc / entry_SYSCALL_64) */
  entry(host: SyscallHost, t: Task): void;
  nr(cpu: Cpu): number;
  arg(cpu: Cpu, i: number): bigint;
  setReturn(cpu: Cpu, v: bigint): void;
  /** syscall number → name for this arch */
  names: Record<number, string>;
  /** the generic name → this arch's number */
  numbers: Record<string, number>;
  /** moves the pc back over the svc / syscall instruction so the call runs again on return */
  restart(cpu: Cpu): void;
  /** copy_thread(): the child's saved registers return 0, on `newSp` if given, with `tls` if given */
  copyThread(regs: SavedRegs, newSp: bigint, tls: bigint | null): void;
}

/** One system call in progress: the machine's services, the calling task (current) and its arch's ABI. */
export interface SyscallContext extends SyscallHost {
  readonly t: Task;
  readonly abi: SyscallAbi;
}

/** A sign-extended argument as a C int/long (SYSCALL_DEFINE's casts). */
export const sarg = (a: SyscallArgs, i: number): number => Number(BigInt.asIntN(64, a[i]!));

/** A negative errno as the return register holds it. */
export const errno = (e: number): bigint => BigInt(-e);
