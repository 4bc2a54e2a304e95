/**
 * arch/x86/entry/entry_64.S as the model runs it: the #PF entry stub the IDT gate points to
 * (6.1 asm_exc_page_fault, built by idtentry; 4.19 and 3.12 page_fault), which calls the C
 * handler with the exception record the hardware built (src/hw/x86-exception.ts).
 */
import type { ArchFaultOutcome } from '../../../src/include/faultpath/arch_ops.js';
import type { X86ExceptionCtx } from '../include/asm/traps.js';
import { do_page_fault, exc_page_fault, pageFaultArgs, tracePageFaultEntry } from '../mm/fault.js';

/** asm_exc_page_fault (6.1): idtentry_raw_errorcode → exc_page_fault(). */
export function asm_exc_page_fault(e: X86ExceptionCtx): ArchFaultOutcome {
  tracePageFaultEntry(e);
  return e.k.tracer.call(
    'asm_exc_page_fault',
    pageFaultArgs(e),
    () => exc_page_fault(e),
    (o) => o.kind,
  );
}

/** page_fault (4.19, 3.12): the errorentry stub → do_page_fault(). */
export function page_fault(e: X86ExceptionCtx): ArchFaultOutcome {
  tracePageFaultEntry(e);
  return e.k.tracer.call(
    'page_fault',
    pageFaultArgs(e),
    () => do_page_fault(e),
    (o) => o.kind,
  );
}

/** The #PF gate's stub of the profile (INTG(X86_TRAP_PF, asm_exc_page_fault) in 6.1). */
export const PF_ENTRY = { asm_exc_page_fault, page_fault };
