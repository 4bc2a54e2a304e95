/**
 * drivers/char/random.c: the machine's one random stream, standing in for the CRNG: both
 * get_random_bytes() users the model has (load_elf_binary()'s AT_RANDOM bytes and the
 * getrandom(2) syscall) draw from it in order, so no two draws repeat each other.  It is
 * seeded from the scenario's `machine.seed`, which keeps runs byte-for-byte reproducible.
 */
import {
  errno,
  sarg,
  type SyscallArgs,
  type SyscallContext,
  type SyscallRet,
} from '../../include/faultpath/syscall.js';
import { EFAULT, EINVAL } from '../../include/uapi/asm-generic/errno.js';
import { copy_to_user } from '../../lib/usercopy.js';

export class Crng {
  private s: number;

  constructor(seed: number) {
    // One splitmix32 round so that neighbouring seeds start unrelated xorshift32 streams.
    let z = (seed + 0x9e3779b9) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    this.s = (z ^ (z >>> 16)) >>> 0 || 0x9e3779b9;
  }

  private next(): number {
    let s = this.s;
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s >>> 0;
    return this.s;
  }

  /** get_random_bytes() */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.next();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }
}

const GRND_NONBLOCK = 0x1;
const GRND_RANDOM = 0x2;
const GRND_INSECURE = 0x4;
/** bytes one call returns at most: INT_MAX >> (ENTROPY_SHIFT + 3), urandom_read()'s cap before 5.18 */
const GETRANDOM_MAX = 33554431;

/** getrandom(buf, count, flags): GRND_INSECURE with GRND_RANDOM is invalid; never blocks (the CRNG is ready). */
export function sys_getrandom(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const flags = sarg(a, 2);
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return errno(EINVAL);
  if ((flags & (GRND_INSECURE | GRND_RANDOM)) === (GRND_INSECURE | GRND_RANDOM)) return errno(EINVAL);
  const len = Math.min(sarg(a, 1), GETRANDOM_MAX);
  if (len < 0) return errno(EINVAL);
  const buf = c.k.random.bytes(len);
  return copy_to_user(c, a[0]!, buf) === 0 ? BigInt(len) : errno(EFAULT);
}
