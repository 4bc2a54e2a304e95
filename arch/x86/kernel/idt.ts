/**
 * arch/x86/kernel/idt.c: the IDT the model dispatches exceptions through — early_idts,
 * def_idts and early_pf_idts of 6.1, reduced to the vectors whose C handler (the function the
 * asm_exc_* stub calls) is modeled.  The other gates of def_idts (NMI, #OF, #BR, #NM, #DF, #TS,
 * #NP, #SS, #MF, #AC, #XF, #DB, #MC) have no modeled handler.
 */
import { X86_TRAP_BP, X86_TRAP_DE, X86_TRAP_GP, X86_TRAP_PF, X86_TRAP_UD } from '../include/asm/trapnr.js';
import type { X86ExceptionCtx, X86ExceptionHandler } from '../include/asm/traps.js';
import { PF_ENTRY } from '../entry/entry_64.js';
import { exc_divide_error, exc_general_protection, exc_int3, exc_invalid_op } from './traps.js';

/**
 * Vector → the C handler of its gate (INTG/SYSG(vector, asm_exc_*) → DEFINE_IDTENTRY*(exc_*)).  The #PF
 * gate is the profile's entry stub (INTG(X86_TRAP_PF, asm_exc_page_fault) in 6.1, page_fault before),
 * which traces its own frame: see idt_handler().
 */
export const idt_table: Readonly<Record<number, X86ExceptionHandler>> = Object.freeze({
  [X86_TRAP_DE]: exc_divide_error,
  [X86_TRAP_BP]: exc_int3,
  [X86_TRAP_UD]: exc_invalid_op,
  [X86_TRAP_GP]: exc_general_protection,
});

/**
 * The handler for a vector.  A vector without a modeled handler — in practice a CPL3 `int n`
 * through a DPL0 gate, which the CPU turns into #GP — is delivered as #GP, as the model always
 * has.
 */
export function idt_handler(
  vector: number,
  pfEntry: keyof typeof PF_ENTRY = 'asm_exc_page_fault',
): X86ExceptionHandler {
  if (vector === X86_TRAP_PF) return PF_ENTRY[pfEntry];
  return idt_table[vector] ?? exc_general_protection;
}

/** The exception entry: the gate's handler runs with the exception record. */
export function idtentry(c: X86ExceptionCtx) {
  return idt_handler(c.vector, c.vector === X86_TRAP_PF ? c.k.profile.x86PfEntry : undefined)(c);
}
