/**
 * arch/arm64/kernel/debug-monitors.c: the BRK handler for user breakpoints.
 */
import type { TrapSignal } from '../../../src/include/faultpath/arch_ops.js';

const SIGTRAP = 5;

/** send_user_sigtrap(TRAP_BRKPT): SIGTRAP for the current task.  (No report is printed by the model.) */
function send_user_sigtrap(): TrapSignal {
  return { kind: 'force_sig', sig: SIGTRAP, code: 'TRAP_BRKPT' };
}

/** brk_handler(): no break hook (kgdb, uprobes, BUG/WARN) claims a user BRK → send_user_sigtrap(). */
export function brk_handler(): TrapSignal {
  return send_user_sigtrap();
}
