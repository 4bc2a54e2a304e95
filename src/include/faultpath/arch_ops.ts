/**
 * What the generic kernel model needs from an architecture: its entry path for a refused user
 * access (building the exception record), its syscall ABI, and its register report for oopses.
 * arch/arm64 and arch/x86 implement it.
 */
import type { Access, Cpu } from '../../hw/cpu.js';
import type { KernelState } from './kernel_state.js';
import type { Task } from '../linux/sched.js';
import type { SyscallAbi } from './syscall.js';

export type { SyscallAbi };

export type ArchFaultOutcome = { kind: 'retry' } | { kind: 'signal' } | { kind: 'sleep'; waitq: string };

/** A trap whose signal the caller forces on the task (the answer of otherException). */
export interface TrapSignal {
  kind: 'force_sig';
  sig: number;
  /** si_code name (ILL_ILLOPC, TRAP_BRKPT, SI_KERNEL, ...) */
  code: string;
}

/** What an arch exception handler returns: a fault outcome, or a signal for the caller to force. */
export type ArchExceptionOutcome = ArchFaultOutcome | TrapSignal;

export interface ArchOps {
  /** The exception entry for a user access the MMU refused. */
  userFault(k: KernelState, t: Task, address: bigint, access: Access, pc: bigint): ArchFaultOutcome;
  /** A non-memory CPU exception (undefined instruction, brk/int3, #GP ...) → the signal to force. */
  otherException(k: KernelState, t: Task, intno: number, pc: bigint, what: string): TrapSignal;
  syscall: SyscallAbi;
  /** register lines x86 prints inside an OOM report's Call Trace (RIP/Code/RSP/...) */
  userRegsForOops(k: KernelState, t: Task): string[];
  /** initial register state for exec */
  startThread(cpu: Cpu, entry: number, sp: number): void;
  /** set up the child's return value / stack after fork */
  forkChild(cpu: Cpu, newSp: bigint | null): void;
  /** thread pointer register name (tpidr_el0 / fs_base) */
  tlsReg: string;
  spReg: string;
}
