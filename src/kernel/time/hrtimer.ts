/** kernel/time/hrtimer.c: nanosleep(2) and the sleep it shares with clock_nanosleep(2). */
import { errno, type SyscallArgs, type SyscallContext, type SyscallRet } from '../../include/faultpath/syscall.js';
import { EFAULT, EINVAL } from '../../include/uapi/asm-generic/errno.js';
import { memdup_user } from '../../mm/util.js';
import { prepare_to_wait } from '../sched/wait.js';

/**
 * hrtimer_nanosleep() with the request read from user memory (get_timespec64, timespec64_valid):
 * the task sleeps until the absolute time or for the relative interval.
 */
export function hrtimer_nanosleep(c: SyscallContext, rqtp: bigint, abs: boolean): SyscallRet {
  const ts = memdup_user(c, rqtp, 16);
  if (!ts) return errno(EFAULT);
  const sec = Number(ts.readBigInt64LE(0));
  const nsec = Number(ts.readBigInt64LE(8));
  if (sec < 0 || nsec < 0 || nsec >= 1e9) return errno(EINVAL);
  const until = abs ? sec * 1e9 + nsec : c.k.sched.clock + sec * 1e9 + nsec;
  prepare_to_wait(c.k, c.t, 'hrtimer_nanosleep', until);
  return 0n;
}

/** nanosleep(rqtp, rmtp) */
export function sys_nanosleep(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return hrtimer_nanosleep(c, a[0]!, false);
}
