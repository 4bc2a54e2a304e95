/**
 * arch/x86/include/asm/traps.h (+ idtentry.h): what an exception handler receives and returns in
 * the model.  The handlers are the C functions the asm_exc_* stubs call (DEFINE_IDTENTRY*).
 */
import type { X86Exception } from '../../../../src/hw/x86-exception.js';
import type { ArchExceptionOutcome } from '../../../../src/include/faultpath/arch_ops.js';
import type { KernelState } from '../../../../src/include/faultpath/kernel_state.js';
import type { Task } from '../../../../src/include/linux/sched.js';

/** The exception record (vector, error code, CR2, ip) with the kernel state and current. */
export interface X86ExceptionCtx extends X86Exception {
  k: KernelState;
  t: Task;
}

/**
 * A DEFINE_IDTENTRY handler.  A #PF returns how the fault ended; a trap returns the signal to
 * force — delivered by the handler itself when the MMU raised it inside the traced fault path,
 * else by the scheduler (ArchOps.otherException).
 */
export type X86ExceptionHandler = (c: X86ExceptionCtx) => ArchExceptionOutcome;
