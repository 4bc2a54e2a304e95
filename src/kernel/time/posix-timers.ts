/** kernel/time/posix-timers.c: clock_gettime(2) and clock_nanosleep(2). */
import {
  errno,
  sarg,
  type SyscallArgs,
  type SyscallContext,
  type SyscallRet,
} from '../../include/faultpath/syscall.js';
import { EFAULT, EINVAL } from '../../include/uapi/asm-generic/errno.js';
import { copy_to_user } from '../../lib/usercopy.js';
import { hrtimer_nanosleep } from './hrtimer.js';
import { REALTIME_AT_BOOT_NS } from './time.js';

const CLOCK_REALTIME = 0;
/** 10 was CLOCK_SGI_CYCLE, removed: posix_get_clock() has no entry for it. */
const CLOCK_SGI_CYCLE = 10;
const MAX_CLOCKS = 12;
const TIMER_ABSTIME = 1;

/** clock_gettime(which_clock, tp): CLOCK_REALTIME from the model's wall clock, the others from boot. */
export function sys_clock_gettime(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const clk = sarg(a, 0);
  if (clk < 0 || clk >= MAX_CLOCKS || clk === CLOCK_SGI_CYCLE) return errno(EINVAL);
  const now = (clk === CLOCK_REALTIME ? REALTIME_AT_BOOT_NS : 0) + c.k.sched.clock;
  const buf = Buffer.alloc(16);
  buf.writeBigInt64LE(BigInt(Math.floor(now / 1e9)), 0);
  buf.writeBigInt64LE(BigInt(now % 1e9), 8);
  return copy_to_user(c, a[1]!, buf) === 0 ? 0n : errno(EFAULT);
}

/** clock_nanosleep(which_clock, flags, rqtp, rmtp): TIMER_ABSTIME sleeps until the time given. */
export function sys_clock_nanosleep(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return hrtimer_nanosleep(c, a[2]!, (sarg(a, 1) & TIMER_ABSTIME) !== 0);
}
