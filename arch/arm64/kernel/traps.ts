/**
 * arch/arm64/kernel/traps.c as the model runs it for user exceptions: arm64_force_sig_fault() /
 * arm64_notify_die() / arm64_show_signal() (the "unhandled exception" report of 6.1; 4.19 prints
 * the same from arm64_force_sig_info()), the undefined-instruction handler do_undefinstr(),
 * bad_el0_sync(), and the boot default of show_unhandled_signals.
 *
 * What real 6.1 prints for an unhandled user fault (oracle results/aarch64/sigsegv_*): the
 * "unhandled exception" line, the CPU/Hardware lines, pstate, pc/lr/sp and the register dump.
 * mem_abort_decode() and show_pte() are *not* part of a 6.1/4.19 user-fault report (they run
 * only for kernel faults via die_kernel_fault()/do_mem_abort()); 3.12's __do_user_fault()
 * (arch/arm64/mm/fault.ts) does print show_pte() for user faults.
 */
import type { TrapSignal } from '../../../src/include/faultpath/arch_ops.js';
import type { KernelState } from '../../../src/include/faultpath/kernel_state.js';
import { type KernelProfile, PROFILES } from '../../../src/include/faultpath/profile.js';
import type { Task } from '../../../src/include/linux/sched.js';
import { unhandled_signal } from '../../../src/kernel/signal.js';
import type { DumpStackInfo } from '../../../src/lib/dump_stack.js';
import { formatVmaAddr, print_vma_addr, type VmaAddr } from '../../../src/mm/memory.js';
import { esrLow32, esr_get_class_string } from '../include/asm/esr.js';
import { type Arm64Regs, type pt_regs, user_regs } from '../include/asm/ptrace.js';
import { SIGNAL_NAMES, faultInfo } from '../mm/fault_info.js';
import { __show_regs, type ShowRegsInfo } from './process.js';
import { printk } from '../../../src/kernel/printk/printk.js';

export type Arch = 'aarch64' | 'x86_64';

const u64 = (v: bigint | number): bigint => BigInt.asUintN(64, BigInt(v));
/** `%0Nllx` */
const hexPad = (v: bigint | number, w: number): string => u64(v).toString(16).padStart(w, '0');

/** Signal numbers the arm64 traps raise (include/uapi/asm-generic/signal.h). */
const SIGILL = 4;

/**
 * Boot default of `/proc/sys/debug/exception-trace` (`show_unhandled_signals`):
 * arm64 traps.c initialises it to 0 in 4.19 and 6.1 and to 1 in 3.12; x86 to 1.
 */
export function exceptionTraceDefault(profile: KernelProfile, arch: Arch = 'aarch64'): 0 | 1 {
  if (arch === 'x86_64') return 1;
  return profile.arm64ExceptionTraceDefault ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// The report text
// ---------------------------------------------------------------------------------------------

/** Inputs of arm64_show_signal(): the task, thread.fault_code, the str argument and pt_regs. */
export interface Arm64ShowSignalFields extends Arm64Regs {
  comm: string;
  /** task_pid_nr(tsk) */
  pid: number;
  /** current->pid for the CPU: line, defaults to pid */
  tid?: number;
  /**
   * thread.fault_code — the ESR after set_thread_esr()/__do_user_fault() sanitising (see
   * sanitizeUserFaultEsr); 0 suppresses the "<class>, ESR 0x…, " part (4.19/6.1).  For 3.12
   * this is the ESR do_mem_abort() received; ESR_LNX_EXEC is ORed in for IABT_LOW like el0_ia.
   */
  esr: number | bigint;
  /** the str argument: inf->name of the fault (6.1: from the original ESR; 4.19: from the sanitised one) */
  faultName?: string;
  /** print_vma_addr(" in ", regs->pc) result; null when pc is not in a file-backed VMA */
  vma?: VmaAddr | null;
  /** dump_stack_print_info() inputs other than pid/comm */
  cpu?: number;
  tainted?: string;
  kdumpLoaded?: boolean;
  release: string;
  version: string;
  versionSuffix?: string;
  buildId?: string;
  hardwareName?: string | null;
  /** 3.12 only: the "task: %p ti: %p task.ti: %p" pointers (printed zero-padded) */
  taskPtr?: bigint;
  threadInfoPtr?: bigint;
}

/** show_regs_print_info() inputs of a report. */
export function dumpInfoOf(f: Arm64ShowSignalFields): ShowRegsInfo {
  const d: DumpStackInfo = {
    pid: f.tid ?? f.pid,
    comm: f.comm,
    release: f.release,
    version: f.version,
    ...(f.cpu !== undefined ? { cpu: f.cpu } : {}),
    ...(f.tainted !== undefined ? { tainted: f.tainted } : {}),
    ...(f.kdumpLoaded !== undefined ? { kdumpLoaded: f.kdumpLoaded } : {}),
    ...(f.versionSuffix !== undefined ? { versionSuffix: f.versionSuffix } : {}),
    ...(f.buildId !== undefined ? { buildId: f.buildId } : {}),
    ...(f.hardwareName !== undefined ? { hardwareName: f.hardwareName } : {}),
  };
  return {
    ...d,
    ...(f.taskPtr !== undefined ? { taskPtr: f.taskPtr } : {}),
    ...(f.threadInfoPtr !== undefined ? { threadInfoPtr: f.threadInfoPtr } : {}),
  };
}

/**
 * The lines arm64_show_signal() (6.1) / arm64_force_sig_info() (4.19) print:
 *   null_store[114]: unhandled exception: DABT (lower EL), ESR 0x0000000092000046, level 2 translation fault in null_store[400000+1000]
 * then __show_regs().  The name defaults to fault_info[] of the ESR.
 */
export function arm64ShowSignalText(f: Arm64ShowSignalFields, profile: KernelProfile = PROFILES['6.1']): string[] {
  const comm = f.comm.slice(0, 15);
  const esr = typeof f.esr === 'bigint' ? u64(f.esr) : BigInt(esrLow32(f.esr));
  const name = f.faultName ?? faultInfo(profile.version, esr).name;
  let line = `${comm}[${f.pid}]: unhandled exception: `;
  if (esr !== 0n) {
    // "ESR 0x%016lx" of the u64 esr (6.1) or "ESR 0x%08x" of the u32 one
    const digits = profile.report.arm64.esrDigits;
    const cls = esr_get_class_string(esr, profile.version);
    line += `${cls}, ESR 0x${hexPad(digits === 16 ? esr : esr & 0xffffffffn, digits)}, `;
  }
  line += name;
  line += formatVmaAddr(f.vma);
  return [line, ...__show_regs(dumpInfoOf(f), f, profile)];
}

/** "6.1.0-56-arm64 #1  Debian 6.1.192-2" → release, version token, distribution suffix */
export function utsnameParts(full: string): { release: string; version: string; versionSuffix: string } {
  const [release, ...rest] = full.split(' ');
  const tail = rest.join(' ');
  const sp = tail.indexOf(' ');
  return { release: release!, version: sp < 0 ? tail : tail.slice(0, sp), versionSuffix: sp < 0 ? '' : tail.slice(sp) };
}

/** What the report prints about the current task: comm, pid, the saved registers, utsname, print_vma_addr(regs->pc). */
export function showSignalFields(
  k: KernelState,
  t: Task,
  regs: pt_regs,
  esr: number,
  faultName: string,
): Arm64ShowSignalFields {
  return {
    comm: t.comm,
    pid: t.pid,
    esr,
    faultName,
    vma: print_vma_addr(t.mm!, regs.pc),
    ...utsnameParts(k.profile.release.aarch64),
    hardwareName: k.profile.hardwareName.aarch64,
    ...user_regs(regs.cpu),
  };
}

// ---------------------------------------------------------------------------------------------
// Delivering the signal
// ---------------------------------------------------------------------------------------------

/**
 * arm64_show_signal(signo, str): leave unless show_unhandled_signals (debug.exception-trace) is
 * on, the signal is unhandled and the ratelimit (10 per 5 s) allows; then print the report.  The
 * report's layout is the version's (`report`: 6.1 arm64_show_signal(), 4.19
 * arm64_force_sig_info(), 3.12 __do_user_fault() print under these same conditions).
 */
export function arm64_show_signal(k: KernelState, t: Task, signo: number, report: () => string[]): void {
  if (!k.sysctl.get('debug.exception-trace')) return;
  if (!unhandled_signal(t, signo)) return;
  if (!k.printk.ratelimit('arm64_show_signal', 5_000_000_000, 10)) return;
  for (const l of report()) printk(k, 6, l);
}

/** arm64_force_sig_fault(signo, code, far, str): arm64_show_signal(), then force_sig_fault(). */
export function arm64_force_sig_fault(
  k: KernelState,
  t: Task,
  signo: number,
  code: string,
  far: bigint,
  report: () => string[],
): void {
  k.tracer.emit('signal', {
    sig: signo,
    name: SIGNAL_NAMES[signo] ?? `sig${signo}`,
    code,
    target: t.pid,
    address: `0x${far.toString(16)}`,
  });
  arm64_show_signal(k, t, signo, report);
  k.upcalls.signal.force_sig_fault(t, signo, code, far);
}

/**
 * arm64_notify_die(str, regs, signo, sicode, far, err) for a user-mode exception: thread.fault_code
 * = err (no sanitising), then arm64_force_sig_fault().
 */
export function arm64_notify_die(
  k: KernelState,
  t: Task,
  signo: number,
  code: string,
  far: bigint,
  report: () => string[],
): void {
  arm64_force_sig_fault(k, t, signo, code, far, report);
}

// ---------------------------------------------------------------------------------------------
// Traps the engine raises
// ---------------------------------------------------------------------------------------------

/**
 * do_undefinstr(regs, esr): no undef hook claims the instruction, so force_signal_inject(SIGILL,
 * ILL_ILLOPC, regs->pc).  (The model does not print arm64_show_signal()'s report for traps.)
 */
export function do_undefinstr(): TrapSignal {
  return { kind: 'force_sig', sig: SIGILL, code: 'ILL_ILLOPC' };
}

/** bad_el0_sync(regs, 0, esr): an EL0 exception class the kernel does not expect — SIGILL, ILL_ILLOPC. */
export function bad_el0_sync(): TrapSignal {
  return { kind: 'force_sig', sig: SIGILL, code: 'ILL_ILLOPC' };
}
