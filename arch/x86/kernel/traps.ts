/**
 * arch/x86/kernel/traps.c for the user-mode exceptions the model's CPU raises: exc_divide_error,
 * exc_int3, exc_invalid_op and exc_general_protection, through do_trap() / gp_user_force_sig_segv()
 * and show_signal()'s "traps: …" line.
 */
import type { ArchExceptionOutcome, TrapSignal } from '../../../src/include/faultpath/arch_ops.js';
import { unhandled_signal } from '../../../src/kernel/signal.js';
import { formatVmaAddr, print_vma_addr } from '../../../src/mm/memory.js';
import type { X86ExceptionCtx } from '../include/asm/traps.js';
import { printk } from '../../../src/kernel/printk/printk.js';

const SIGILL = 4;
const SIGTRAP = 5;
const SIGFPE = 8;
const SIGSEGV = 11;

/**
 * show_signal(tsk, signr, type, desc, regs, error_code): when exception-trace
 * (show_unhandled_signals) is on, the signal unhandled and printk_ratelimit() allows,
 * `"%s[%d] %s%s ip:%lx sp:%lx error:%lx"` + print_vma_addr(" in ", ip).
 */
function show_signal(c: X86ExceptionCtx, signr: number, type: string, desc: string, errorCode: number): void {
  const { k, t } = c;
  if (!k.sysctl.get('debug.exception-trace')) return;
  if (!unhandled_signal(t, signr)) return;
  if (!k.printk.ratelimit('printk_ratelimit', 5_000_000_000, 10)) return;
  const sp = t.mm!.cpu.reg('rsp');
  const vma = formatVmaAddr(print_vma_addr(t.mm!, c.ip));
  // pr_fmt of traps.c is "traps: "
  printk(
    k,
    6,
    `traps: ${t.comm.slice(0, 15)}[${t.pid}] ${type}${desc} ip:${c.ip.toString(16)} sp:${sp.toString(16)} error:${errorCode.toString(16)}${vma}`,
  );
}

/** do_trap() from user mode: show_signal() with type "trap ", then the signal to force. */
function do_trap(c: X86ExceptionCtx, signr: number, str: string, code: string): TrapSignal {
  show_signal(c, signr, 'trap ', str, c.errorCode);
  return { kind: 'force_sig', sig: signr, code };
}

/** exc_divide_error → do_error_trap(regs, 0, "divide error", X86_TRAP_DE, SIGFPE, FPE_INTDIV). */
export function exc_divide_error(c: X86ExceptionCtx): TrapSignal {
  return do_trap(c, SIGFPE, 'divide error', 'FPE_INTDIV');
}

/** exc_int3 → do_int3_user → do_trap(X86_TRAP_BP, SIGTRAP, "int3"): force_sig(), si_code SI_KERNEL. */
export function exc_int3(c: X86ExceptionCtx): TrapSignal {
  return do_trap(c, SIGTRAP, 'int3', 'SI_KERNEL');
}

/** exc_invalid_op → handle_invalid_op → do_error_trap(…, "invalid opcode", X86_TRAP_UD, SIGILL, ILL_ILLOPN). */
export function exc_invalid_op(c: X86ExceptionCtx): TrapSignal {
  return do_trap(c, SIGILL, 'invalid opcode', 'ILL_ILLOPN');
}

/** gp_user_force_sig_segv(): show_signal() with an empty type, then force_sig(SIGSEGV) (SI_KERNEL). */
function gp_user_force_sig_segv(c: X86ExceptionCtx, errorCode: number): TrapSignal {
  show_signal(c, SIGSEGV, '', 'general protection fault', errorCode);
  return { kind: 'force_sig', sig: SIGSEGV, code: 'SI_KERNEL' };
}

/**
 * exc_general_protection(regs, error_code) from user mode.  A #GP the MMU raised (a non-canonical
 * address in the middle of the traced fault path) is traced and its signal forced here; a #GP
 * the engine raised (a privileged instruction) returns the signal for the scheduler to force.
 */
export function exc_general_protection(c: X86ExceptionCtx): ArchExceptionOutcome {
  if (c.source === 'cpu') return gp_user_force_sig_segv(c, c.errorCode);
  const { k, t } = c;
  // The address is what the instruction tried to reach; the kernel never sees it (no CR2 for #GP).
  k.tracer.emit('exception', {
    arch: 'x86_64',
    vector: 'asm_exc_general_protection (IDT vector 13, #GP)',
    address: `0x${(c.address ?? 0n).toString(16)}`,
    pc: `0x${c.ip.toString(16)}`,
    errorCode: `0x${c.errorCode.toString(16)}`,
    decoded: 'non-canonical address',
  });
  return k.tracer.call(
    'exc_general_protection',
    { error_code: `0x${c.errorCode.toString(16)}` },
    () => {
      const { sig, code } = gp_user_force_sig_segv(c, c.errorCode);
      k.tracer.emit('signal', { sig, name: 'SIGSEGV', code, target: t.pid });
      k.upcalls.signal.force_sig_fault(t, sig, code, 0n);
      return { kind: 'signal' as const };
    },
    (o) => o.kind,
  );
}
