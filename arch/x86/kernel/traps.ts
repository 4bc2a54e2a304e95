/**
 * The user-mode side of arch/x86/kernel/traps.c for the non-#PF exceptions the engine raises:
 * the signal each vector sends and show_signal()'s "traps: …" line.
 */
import type { KernelState } from '../../../src/include/faultpath/kernel_state.js';
import type { Task } from '../../../src/include/linux/sched.js';
import { formatVmaAddr, type VmaAddr } from '../include/asm/trap_pf.js';
import { find_vma } from '../../../src/mm/mmap.js';
import { printk } from '../../../src/kernel/printk/printk.js';

interface X86Trap {
  /** show_signal()'s `type`: "trap " from do_trap(), "" from gp_user_force_sig_segv() */
  type: string;
  desc: string;
  sig: number;
  code: string;
}

/** Vector → handler as 6.1 wires them (DEFINE_IDTENTRY* in traps.c). */
const TRAPS: Record<number, X86Trap> = {
  0: { type: 'trap ', desc: 'divide error', sig: 8, code: 'FPE_INTDIV' }, // exc_divide_error
  3: { type: 'trap ', desc: 'int3', sig: 5, code: 'SI_KERNEL' }, // exc_int3 → do_int3_user
  6: { type: 'trap ', desc: 'invalid opcode', sig: 4, code: 'ILL_ILLOPN' }, // exc_invalid_op
  13: { type: '', desc: 'general protection fault', sig: 11, code: 'SI_KERNEL' }, // exc_general_protection
};

/** unhandled_signal(): init, or the signal's action is SIG_DFL / SIG_IGN. */
export function unhandled_signal(t: Task, sig: number): boolean {
  const act = t.sigactions.get(sig);
  return t.pid === 1 || !act || act.handler === 0n || act.handler === 1n;
}

/** What print_vma_addr() names for `ip`: the file-backed VMA containing it, or nothing. */
export function vmaAddrOf(k: KernelState, t: Task, ip: bigint): VmaAddr | null {
  const vma = find_vma(t.mm!, Number(ip));
  return vma && vma.start <= Number(ip) && vma.file
    ? { name: vma.file.path.split('/').pop()!, start: BigInt(vma.start), size: BigInt(vma.end - vma.start) }
    : null;
}

/**
 * do_trap() / gp_user_force_sig_segv(): prints show_signal()'s line when the signal is
 * unhandled (SIG_DFL/SIG_IGN, or init), exception-trace (show_unhandled_signals) is on and
 * printk_ratelimit() allows, then returns the signal to force.
 */
export function x86UserTrap(k: KernelState, t: Task, intno: number, pc: bigint): { sig: number; code: string } {
  const trap = TRAPS[intno] ?? TRAPS[13]!;
  if (
    k.sysctl.get('debug.exception-trace') &&
    unhandled_signal(t, trap.sig) &&
    k.printk.ratelimit('printk_ratelimit', 5_000_000_000, 10)
  ) {
    const sp = t.mm!.cpu.reg('rsp');
    printk(
      k,
      6,
      `traps: ${t.comm.slice(0, 15)}[${t.pid}] ${trap.type}${trap.desc} ip:${pc.toString(16)} sp:${sp.toString(16)} error:0${formatVmaAddr(vmaAddrOf(k, t, pc))}`,
    );
  }
  return { sig: trap.sig, code: trap.code };
}
