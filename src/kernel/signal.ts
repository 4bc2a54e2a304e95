/**
 * kernel/signal.c: the signal helpers the architecture fault reporters share.
 */
import type { Task } from '../include/linux/sched.js';

/** SIG_DFL / SIG_IGN as sa_handler values (include/uapi/asm-generic/signal-defs.h). */
const SIG_DFL = 0n;
const SIG_IGN = 1n;

/**
 * unhandled_signal() (kernel/signal.c): init always counts as unhandled; otherwise a signal is
 * unhandled when its action is SIG_DFL or SIG_IGN (the model has no ptrace, so "let the tracer
 * decide" never applies).  The fault reporters print only for unhandled signals.
 */
export function unhandled_signal(t: Task, sig: number): boolean {
  if (t.pid === 1) return true;
  const act = t.sigactions.get(sig);
  return !act || act.handler === SIG_DFL || act.handler === SIG_IGN;
}
