/**
 * kernel/signal.c: the signal helpers the architecture fault reporters share, and the signal
 * system calls (sigaction, sigprocmask, kill, tkill, tgkill, sigaltstack).
 */
import { errno, sarg, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { _NSIG, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SIGKILL, SIGSTOP } from '../include/uapi/asm-generic/signal.js';
import { EFAULT, EINVAL, ESRCH } from '../include/uapi/asm-generic/errno.js';
import type { Task } from '../include/linux/sched.js';
import { copy_to_user } from '../lib/usercopy.js';
import { memdup_user } from '../mm/util.js';
import { IGNORE_SIGNALS } from './fork.js';
import { KernelState } from '../include/faultpath/kernel_state.js';
import { SIGNAL_NAMES } from './fork.js';
import type { ExitStatus } from '../include/faultpath/syscall.js';

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

/** sizeof(sigset_t) on both arches */
const SIGSET_SIZE = 8n;
/** sigmask(SIGKILL) | sigmask(SIGSTOP): never blocked */
const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));

/**
 * rt_sigaction(sig, act, oact, sigsetsize): do_sigaction() — SIGKILL and SIGSTOP may be queried
 * but not changed; the old action is copied out before the new one is read.  struct sigaction as
 * both arches pass it: handler, flags, restorer, mask (SA_RESTORER).
 */
export function sys_rt_sigaction(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const { t } = c;
  const sig = sarg(a, 0);
  if (a[3] !== SIGSET_SIZE) return errno(EINVAL);
  if (sig < 1 || sig > _NSIG) return errno(EINVAL);
  if ((sig === SIGKILL || sig === SIGSTOP) && a[1] !== 0n) return errno(EINVAL);
  if (a[2] !== 0n) {
    const old = t.sigactions.get(sig);
    const buf = Buffer.alloc(32);
    buf.writeBigUInt64LE(old?.handler ?? 0n, 0);
    buf.writeBigUInt64LE(old?.flags ?? 0n, 8);
    buf.writeBigUInt64LE(old?.restorer ?? 0n, 16);
    buf.writeBigUInt64LE(old?.mask ?? 0n, 24);
    if (copy_to_user(c, a[2]!, buf) !== 0) return errno(EFAULT);
  }
  if (a[1] !== 0n) {
    const act = memdup_user(c, a[1]!, 32);
    if (!act) return errno(EFAULT);
    t.sigactions.set(sig, {
      handler: act.readBigUInt64LE(0),
      flags: act.readBigUInt64LE(8),
      restorer: act.readBigUInt64LE(16),
      mask: act.readBigUInt64LE(24),
    });
  }
  return 0n;
}

/** rt_sigprocmask(how, nset, oset, sigsetsize): the old mask out first, then SIG_BLOCK / UNBLOCK / SETMASK. */
export function sys_rt_sigprocmask(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const { t } = c;
  if (a[2] !== 0n) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(t.sigmask, 0);
    if (copy_to_user(c, a[2]!, b) !== 0) return errno(EFAULT);
  }
  if (a[1] !== 0n) {
    const s = memdup_user(c, a[1]!, 8);
    if (!s) return errno(EFAULT);
    const set = s.readBigUInt64LE(0) & ~UNBLOCKABLE;
    const how = sarg(a, 0);
    if (how === SIG_BLOCK) t.sigmask |= set;
    else if (how === SIG_UNBLOCK) t.sigmask &= ~set;
    else if (how === SIG_SETMASK) t.sigmask = set;
    else return errno(EINVAL);
  }
  return 0n;
}

/**
 * kill_something_info(): pid > 0 one process, -1 every process but init and the caller's group,
 * 0 the caller's process group (every guest process runs in one group here).  Signal 0 only
 * checks the target exists; init and kernel threads ignore signals they have no handler for.
 */
function kill_something_info(c: SyscallContext, sig: number, pid: number): SyscallRet {
  const { k, t } = c;
  const live = (x: Task) => x.state !== 'X' && x.state !== 'Z' && !x.isKthread;
  const targets =
    pid > 0
      ? [k.sched.tasks.get(pid)].filter((x): x is Task => !!x && live(x))
      : pid === -1
        ? [...k.sched.tasks.values()].filter((x) => x.pid > 1 && live(x) && x.tgid !== t.tgid)
        : pid === 0
          ? [...k.sched.tasks.values()].filter((x) => x.pid > 1 && live(x) && x.pid === x.tgid)
          : [];
  if (!targets.length) return errno(ESRCH);
  if (sig === 0) return 0n;
  for (const tg of targets) {
    if (tg.pid === 1 || tg.isKthread) continue;
    c.procs.sendSignal(tg, sig);
  }
  return 0n;
}

const validSignal = (sig: number) => sig >= 0 && sig <= _NSIG;

/** kill(pid, sig) */
export function sys_kill(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const sig = sarg(a, 1);
  if (!validSignal(sig)) return errno(EINVAL);
  return kill_something_info(c, sig, sarg(a, 0));
}

/** tkill(pid, sig): as kill() in the model. */
export function sys_tkill(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return sys_kill(c, a);
}

/** tgkill(tgid, pid, sig): do_tkill() — the thread must be alive and in that thread group. */
export function sys_tgkill(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const tgid = sarg(a, 0);
  const pid = sarg(a, 1);
  const sig = sarg(a, 2);
  if (!validSignal(sig)) return errno(EINVAL);
  if (tgid <= 0 || pid <= 0) return errno(EINVAL);
  const tk = c.k.sched.tasks.get(pid);
  if (!tk || tk.tgid !== tgid || tk.state === 'Z' || tk.state === 'X') return errno(ESRCH);
  return kill_something_info(c, sig, pid);
}

/** sigaltstack(ss, old_ss): accepted and ignored (handlers are not invoked in the model). */
export function sys_sigaltstack(_c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return 0n;
}

/** force_sig_fault()'s delivery half: unblock and reset an ignored action so the signal arrives. */
export function force_sig(t: Task, sig: number): void {
  const act = t.sigactions.get(sig);
  if (act && act.handler === 1n) t.sigactions.delete(sig);
  if (!t.pending.includes(sig)) t.pending.push(sig);
}

/** The first pending signal whose default action is fatal (SIGKILL first), or null. */
export function get_fatal_signal(t: Task): number | null {
  if (t.pending.includes(9)) return 9;
  for (const sig of t.pending) {
    if (t.sigmask & (1n << BigInt(sig - 1))) continue; // blocked: stays pending
    const act = t.sigactions.get(sig);
    if (act && act.handler !== 0n) continue;
    if (!IGNORE_SIGNALS.has(sig)) return sig;
  }
  return null;
}

/** Signals whose default action dumps core (sig_kernel_coredump). */
const COREDUMP_SIGNALS = new Set([3, 4, 5, 6, 7, 8, 11, 24, 25, 31]);

/**
 * get_signal() on the way back to user mode: a fatal default action ends the thread group
 * (do_group_exit); handled signals are dropped, since signal frames are not modeled.  True when
 * the task is gone.
 */
export function get_signal(k: KernelState, t: Task, do_group_exit: (t: Task, status: ExitStatus) => void): boolean {
  const sig = get_fatal_signal(t);
  if (sig === null) {
    t.pending = t.pending.filter((s) => {
      const a = t.sigactions.get(s);
      if (a && a.handler > 1n) {
        k.tracer.emit('signal', {
          sig: s,
          name: SIGNAL_NAMES[s] ?? `sig${s}`,
          code: 'handler not invoked (signal frames are not modeled)',
          target: t.pid,
        });
        return false;
      }
      return true;
    });
    return false;
  }
  const core = sig !== 9 && COREDUMP_SIGNALS.has(sig);
  k.tracer.emit('signal', {
    sig,
    name: SIGNAL_NAMES[sig] ?? `sig${sig}`,
    code: 'delivered: default action terminates',
    target: t.pid,
  });
  for (const o of [...k.sched.tasks.values()])
    if (o.tgid === t.tgid && o !== t) do_group_exit(o, { signal: sig, core });
  do_group_exit(t, { signal: sig, core });
  return true;
}
