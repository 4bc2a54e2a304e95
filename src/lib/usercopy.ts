/**
 * lib/usercopy.c _copy_from_user() / _copy_to_user(): copies between a kernel buffer and the
 * calling task's user memory, a page at a time.  A page that is not mapped in is faulted in the
 * way a kernel-mode fault on a user address is (the exception-table fixup path:
 * mm/gup.ts faultin_page() without FAULT_FLAG_USER); an address that stays unreadable ends the
 * copy.  Both return the number of bytes not copied (0 on success), as the kernel's do.
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import { PAGE_SIZE } from '../include/linux/mmzone.js';
import type { Task } from '../include/linux/sched.js';
import { faultin_page } from '../mm/gup.js';
import { find_vma } from '../mm/mmap.js';

/** What a user copy needs: the kernel and current, whose mm is accessed. */
export interface UserAccess {
  readonly k: KernelState;
  readonly t: Task;
}

/** copy_from_user(): `n` bytes at user address `from` into `to`. */
export function copy_from_user(u: UserAccess, to: Uint8Array, from: bigint, n: number): number {
  const mm = u.t.mm!;
  let a = Number(from);
  for (let off = 0; off < n; ) {
    if (faultin_page(u.k, mm, undefined, a, false, false) !== 0) return n - off;
    const vma = find_vma(mm, a)!;
    const len = Math.min(n - off, PAGE_SIZE - (a % PAGE_SIZE));
    to.set(vma.mem.subarray(a - vma.start, a - vma.start + len), off);
    off += len;
    a += len;
  }
  return 0;
}

/** copy_to_user(): the bytes of `from` to user address `to`. */
export function copy_to_user(u: UserAccess, to: bigint, from: Uint8Array): number {
  const mm = u.t.mm!;
  let a = Number(to);
  for (let off = 0; off < from.length; ) {
    if (faultin_page(u.k, mm, undefined, a, true, false) !== 0) return from.length - off;
    const vma = find_vma(mm, a)!;
    const len = Math.min(from.length - off, PAGE_SIZE - (a % PAGE_SIZE));
    vma.mem.set(from.subarray(off, off + len), a - vma.start);
    off += len;
    a += len;
  }
  return 0;
}
