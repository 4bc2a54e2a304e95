/**
 * arch/arm64/kernel/sys.c: arm64's sys_mmap() and sys_call_table.  The numbers and names are
 * include/uapi/asm-generic/unistd.h's (arm64 uses the generic table); each number maps to the
 * sys_* function at its kernel path, or to nothing: sys_ni_syscall() (-ENOSYS) then answers.
 */
import {
  sarg,
  type SyscallArgs,
  type SyscallContext,
  type SyscallFn,
  type SyscallRet,
} from '../../../src/include/faultpath/syscall.js';
import { PAGE_SIZE } from '../../../src/include/linux/mmzone.js';
import { sys_getrandom } from '../../../src/drivers/char/random.js';
import { sys_getcwd } from '../../../src/fs/d_path.js';
import { sys_execve } from '../../../src/fs/exec.js';
import { sys_ioctl } from '../../../src/fs/ioctl.js';
import { sys_close, sys_openat } from '../../../src/fs/open.js';
import { sys_lseek, sys_pread64, sys_pwrite64, sys_read, sys_write, sys_writev } from '../../../src/fs/read_write.js';
import { sys_exit, sys_exit_group, sys_wait4 } from '../../../src/kernel/exit.js';
import { sys_clone, sys_set_tid_address } from '../../../src/kernel/fork.js';
import { sys_futex, sys_set_robust_list } from '../../../src/kernel/futex/syscalls.js';
import { sys_rseq } from '../../../src/kernel/rseq.js';
import { sys_sched_yield } from '../../../src/kernel/sched/core.js';
import {
  sys_kill,
  sys_rt_sigaction,
  sys_rt_sigprocmask,
  sys_sigaltstack,
  sys_tgkill,
  sys_tkill,
} from '../../../src/kernel/signal.js';
import {
  sys_getegid,
  sys_geteuid,
  sys_getgid,
  sys_getpid,
  sys_getppid,
  sys_getrlimit,
  sys_gettid,
  sys_getuid,
  sys_newuname,
  sys_prctl,
  sys_prlimit64,
  sys_umask,
} from '../../../src/kernel/sys.js';
import { sys_nanosleep } from '../../../src/kernel/time/hrtimer.js';
import { sys_clock_gettime, sys_clock_nanosleep } from '../../../src/kernel/time/posix-timers.js';
import { sys_gettimeofday } from '../../../src/kernel/time/time.js';
import { sys_madvise } from '../../../src/mm/madvise.js';
import { sys_mlock, sys_mlockall, sys_munlock, sys_munlockall } from '../../../src/mm/mlock.js';
import { ksys_mmap_pgoff, sys_brk, sys_munmap } from '../../../src/mm/mmap.js';
import { sys_mprotect } from '../../../src/mm/mprotect.js';
import { sys_msync } from '../../../src/mm/msync.js';

/** mmap(addr, len, prot, flags, fd, off): the byte offset in pages (its alignment is not checked by the model). */
export function sys_mmap(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return ksys_mmap_pgoff(c, a[0]!, a[1]!, sarg(a, 2), sarg(a, 3), sarg(a, 4), Math.floor(sarg(a, 5) / PAGE_SIZE));
}

/** The calls the model knows: number, name, and the function when it implements the call. */
const UNISTD: readonly (readonly [number, string, SyscallFn?])[] = [
  [17, 'getcwd', sys_getcwd],
  [23, 'dup'],
  [24, 'dup3'],
  [25, 'fcntl'],
  [29, 'ioctl', sys_ioctl],
  [34, 'mkdirat'],
  [35, 'unlinkat'],
  [56, 'openat', sys_openat],
  [57, 'close', sys_close],
  [59, 'pipe2'],
  [61, 'getdents64'],
  [62, 'lseek', sys_lseek],
  [63, 'read', sys_read],
  [64, 'write', sys_write],
  [65, 'readv'],
  [66, 'writev', sys_writev],
  [67, 'pread64', sys_pread64],
  [68, 'pwrite64', sys_pwrite64],
  [78, 'readlinkat'],
  [79, 'newfstatat'],
  [80, 'fstat'],
  [81, 'sync'],
  [93, 'exit', sys_exit],
  [94, 'exit_group', sys_exit_group],
  [95, 'waitid'],
  [96, 'set_tid_address', sys_set_tid_address],
  [98, 'futex', sys_futex],
  [99, 'set_robust_list', sys_set_robust_list],
  [101, 'nanosleep', sys_nanosleep],
  [113, 'clock_gettime', sys_clock_gettime],
  [115, 'clock_nanosleep', sys_clock_nanosleep],
  [124, 'sched_yield', sys_sched_yield],
  [129, 'kill', sys_kill],
  [130, 'tkill', sys_tkill],
  [131, 'tgkill', sys_tgkill],
  [132, 'sigaltstack', sys_sigaltstack],
  [133, 'rt_sigsuspend'],
  [134, 'rt_sigaction', sys_rt_sigaction],
  [135, 'rt_sigprocmask', sys_rt_sigprocmask],
  [139, 'rt_sigreturn'],
  [140, 'setpriority'],
  [141, 'getpriority'],
  [142, 'reboot'],
  [160, 'uname', sys_newuname],
  [163, 'getrlimit', sys_getrlimit],
  [164, 'setrlimit'],
  [165, 'getrusage'],
  [166, 'umask', sys_umask],
  [167, 'prctl', sys_prctl],
  [169, 'gettimeofday', sys_gettimeofday],
  [172, 'getpid', sys_getpid],
  [173, 'getppid', sys_getppid],
  [174, 'getuid', sys_getuid],
  [175, 'geteuid', sys_geteuid],
  [176, 'getgid', sys_getgid],
  [177, 'getegid', sys_getegid],
  [178, 'gettid', sys_gettid],
  [179, 'sysinfo'],
  [214, 'brk', sys_brk],
  [215, 'munmap', sys_munmap],
  [216, 'mremap'],
  [220, 'clone', sys_clone],
  [221, 'execve', sys_execve],
  [222, 'mmap', sys_mmap],
  [226, 'mprotect', sys_mprotect],
  [227, 'msync', sys_msync],
  [228, 'mlock', sys_mlock],
  [229, 'munlock', sys_munlock],
  [230, 'mlockall', sys_mlockall],
  [231, 'munlockall', sys_munlockall],
  [232, 'mincore'],
  [233, 'madvise', sys_madvise],
  [260, 'wait4', sys_wait4],
  [261, 'prlimit64', sys_prlimit64],
  [278, 'getrandom', sys_getrandom],
  [279, 'memfd_create'],
  [283, 'membarrier'],
  [293, 'rseq', sys_rseq],
  [435, 'clone3'],
];

/** arm64 system call numbers by name (__NR_*). */
export const ARM64_SYSCALLS: Record<string, number> = Object.fromEntries(UNISTD.map(([nr, name]) => [name, nr]));

/** The names by number, for traces. */
export const syscall_names: Record<number, string> = Object.fromEntries(UNISTD.map(([nr, name]) => [nr, name]));

/** sys_call_table[]: number → sys_* function; the holes are sys_ni_syscall. */
export const sys_call_table: readonly (SyscallFn | undefined)[] = (() => {
  const table: (SyscallFn | undefined)[] = [];
  for (const [nr, , fn] of UNISTD) if (fn) table[nr] = fn;
  return table;
})();
