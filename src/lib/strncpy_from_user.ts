/**
 * lib/strncpy_from_user.c strncpy_from_user(): a NUL-terminated string from user memory, read
 * byte by byte through copy_from_user().
 */
import { EFAULT } from '../include/uapi/asm-generic/errno.js';
import { copy_from_user, type UserAccess } from './usercopy.js';

/**
 * The string (UTF-8) before the first NUL within `count` bytes; -EFAULT when a byte is unreadable;
 * `count` when there is no NUL within `count` bytes (the kernel's "buffer filled, unterminated").
 */
export function strncpy_from_user(u: UserAccess, src: bigint, count: number): string | number {
  const parts: number[] = [];
  const b = new Uint8Array(1);
  for (let i = 0; i < count; i++) {
    if (copy_from_user(u, b, src + BigInt(i), 1) !== 0) return -EFAULT;
    if (b[0] === 0) return Buffer.from(parts).toString('utf8');
    parts.push(b[0]!);
  }
  return count;
}
