/** mm/mlock.c: mlock(2) and friends. */
import { errno, sarg, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { VM_WRITE } from '../include/linux/mm.js';
import { PAGE_SIZE } from '../include/linux/mmzone.js';
import { EINTR, ENOMEM } from '../include/uapi/asm-generic/errno.js';
import { faultin_page } from './gup.js';
import { find_vma } from './mmap.js';
import { prepare_to_wait } from '../kernel/sched/wait.js';

/**
 * mlock(start, len): populates the range in one kernel entry (__mm_populate): every page is
 * faulted in and charged now.  (The pages are not made unevictable in the model.)  A fatal signal
 * ends it with -EINTR; a memory.high penalty owed inside the call is slept, then the call restarts
 * (pages already populated are not faulted again).
 */
export function sys_mlock(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const { k, t } = c;
  const mm = t.mm!;
  const start = Number(a[0]! & ~0xfffn);
  const end = Number(a[0]!) + sarg(a, 1);
  for (let addr = start; addr < end; addr += PAGE_SIZE) {
    const v = find_vma(mm, addr);
    if (!v || v.start > addr) return errno(ENOMEM);
    const r = faultin_page(k, mm, v, addr, (v.flags & VM_WRITE) !== 0, false);
    if (r === -ENOMEM) return errno(ENOMEM);
    if (t.pending.includes(9)) return errno(EINTR);
    if (t.highDelayNs > 0) {
      const delay = t.highDelayNs;
      t.highDelayNs = 0;
      prepare_to_wait(c.k, t, 'memory.high throttle', k.sched.clock + delay);
      c.abi.restart(mm.cpu);
      return null;
    }
  }
  return 0n;
}

/** munlock(start, len): succeeds (mlock does not mark pages unevictable in the model). */
export function sys_munlock(_c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return 0n;
}

/** mlockall(flags): succeeds without populating anything. */
export function sys_mlockall(_c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return 0n;
}

/** munlockall() */
export function sys_munlockall(_c: SyscallContext, _a: SyscallArgs): SyscallRet {
  return 0n;
}
