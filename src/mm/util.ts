/** mm/util.c: memdup_user(). */
import { copy_from_user, type UserAccess } from '../lib/usercopy.js';

/** memdup_user(): `len` bytes of user memory in a new kernel buffer, or null for -EFAULT. */
export function memdup_user(u: UserAccess, src: bigint, len: number): Buffer | null {
  const buf = Buffer.alloc(len);
  return copy_from_user(u, buf, src, len) === 0 ? buf : null;
}
