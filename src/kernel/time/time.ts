/** kernel/time/time.c: gettimeofday(2). */
import { errno, type SyscallArgs, type SyscallContext, type SyscallRet } from '../../include/faultpath/syscall.js';
import { EFAULT } from '../../include/uapi/asm-generic/errno.js';
import { copy_to_user } from '../../lib/usercopy.js';

/** CLOCK_REALTIME at boot (simulated time 0), in ns: the model's wall clock starts at a fixed date. */
export const REALTIME_AT_BOOT_NS = 1_700_000_000 * 1e9;

/** gettimeofday(tv, tz): a NULL tv is allowed; tz is ignored. */
export function sys_gettimeofday(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const now = REALTIME_AT_BOOT_NS + c.k.sched.clock;
  const buf = Buffer.alloc(16);
  buf.writeBigInt64LE(BigInt(Math.floor(now / 1e9)), 0);
  buf.writeBigInt64LE(BigInt(Math.floor((now % 1e9) / 1000)), 8);
  return a[0] === 0n || copy_to_user(c, a[0]!, buf) === 0 ? 0n : errno(EFAULT);
}
