/** Signal numbers and sigprocmask() operations (include/uapi/asm-generic/signal.h, signal-defs.h). */
export const SIGKILL = 9;
export const SIGCHLD = 17;
export const SIGSTOP = 19;
/** _NSIG: signals 1..64 */
export const _NSIG = 64;

export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;
