/**
 * arch/x86/entry/syscall_64.c: x86-64's sys_call_table.  The numbers, names and entry points are
 * arch/x86/entry/syscalls/syscall_64.tbl's (common/64 entries); each number maps to the sys_*
 * function at its kernel path, or to nothing: sys_ni_syscall() (-ENOSYS) then answers.
 */
import type { SyscallFn } from '../../../src/include/faultpath/syscall.js';
import { sys_getrandom } from '../../../src/drivers/char/random.js';
import { sys_getcwd } from '../../../src/fs/d_path.js';
import { sys_execve } from '../../../src/fs/exec.js';
import { sys_ioctl } from '../../../src/fs/ioctl.js';
import { sys_close, sys_open, sys_openat } from '../../../src/fs/open.js';
import { sys_lseek, sys_pread64, sys_pwrite64, sys_read, sys_write, sys_writev } from '../../../src/fs/read_write.js';
import { sys_exit, sys_exit_group, sys_wait4 } from '../../../src/kernel/exit.js';
import { sys_clone, sys_fork, sys_set_tid_address, sys_vfork } from '../../../src/kernel/fork.js';
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
import { sys_brk, sys_munmap } from '../../../src/mm/mmap.js';
import { sys_mprotect } from '../../../src/mm/mprotect.js';
import { sys_msync } from '../../../src/mm/msync.js';
import { sys_arch_prctl } from '../kernel/process_64.js';
import { sys_mmap } from '../kernel/sys_x86_64.js';

/** The calls the model knows: number, name, and the function when it implements the call. */
const SYSCALL_64: readonly (readonly [number, string, SyscallFn?])[] = [
  [0, 'read', sys_read],
  [1, 'write', sys_write],
  [2, 'open', sys_open],
  [3, 'close', sys_close],
  [4, 'stat'],
  [5, 'fstat'],
  [6, 'lstat'],
  [7, 'poll'],
  [8, 'lseek', sys_lseek],
  [9, 'mmap', sys_mmap],
  [10, 'mprotect', sys_mprotect],
  [11, 'munmap', sys_munmap],
  [12, 'brk', sys_brk],
  [13, 'rt_sigaction', sys_rt_sigaction],
  [14, 'rt_sigprocmask', sys_rt_sigprocmask],
  [15, 'rt_sigreturn'],
  [16, 'ioctl', sys_ioctl],
  [17, 'pread64', sys_pread64],
  [18, 'pwrite64', sys_pwrite64],
  [19, 'readv'],
  [20, 'writev', sys_writev],
  [21, 'access'],
  [22, 'pipe'],
  [23, 'select'],
  [24, 'sched_yield', sys_sched_yield],
  [25, 'mremap'],
  [26, 'msync', sys_msync],
  [27, 'mincore'],
  [28, 'madvise', sys_madvise],
  [32, 'dup'],
  [33, 'dup2'],
  [34, 'pause'],
  [35, 'nanosleep', sys_nanosleep],
  [36, 'getitimer'],
  [37, 'alarm'],
  [38, 'setitimer'],
  [39, 'getpid', sys_getpid],
  [56, 'clone', sys_clone],
  [57, 'fork', sys_fork],
  [58, 'vfork', sys_vfork],
  [59, 'execve', sys_execve],
  [60, 'exit', sys_exit],
  [61, 'wait4', sys_wait4],
  [62, 'kill', sys_kill],
  [63, 'uname', sys_newuname],
  [72, 'fcntl'],
  [79, 'getcwd', sys_getcwd],
  [83, 'mkdir'],
  [87, 'unlink'],
  [89, 'readlink'],
  [95, 'umask', sys_umask],
  [96, 'gettimeofday', sys_gettimeofday],
  [97, 'getrlimit', sys_getrlimit],
  [98, 'getrusage'],
  [99, 'sysinfo'],
  [102, 'getuid', sys_getuid],
  [104, 'getgid', sys_getgid],
  [107, 'geteuid', sys_geteuid],
  [108, 'getegid', sys_getegid],
  [110, 'getppid', sys_getppid],
  [131, 'sigaltstack', sys_sigaltstack],
  [140, 'getpriority'],
  [141, 'setpriority'],
  [149, 'mlock', sys_mlock],
  [150, 'munlock', sys_munlock],
  [151, 'mlockall', sys_mlockall],
  [152, 'munlockall', sys_munlockall],
  [157, 'prctl', sys_prctl],
  [158, 'arch_prctl', sys_arch_prctl],
  [160, 'setrlimit'],
  [162, 'sync'],
  [169, 'reboot'],
  [186, 'gettid', sys_gettid],
  [200, 'tkill', sys_tkill],
  [201, 'time'],
  [202, 'futex', sys_futex],
  [218, 'set_tid_address', sys_set_tid_address],
  [228, 'clock_gettime', sys_clock_gettime],
  [230, 'clock_nanosleep', sys_clock_nanosleep],
  [231, 'exit_group', sys_exit_group],
  [234, 'tgkill', sys_tgkill],
  [257, 'openat', sys_openat],
  [258, 'mkdirat'],
  [262, 'newfstatat'],
  [263, 'unlinkat'],
  [267, 'readlinkat'],
  [273, 'set_robust_list', sys_set_robust_list],
  [293, 'pipe2'],
  [302, 'prlimit64', sys_prlimit64],
  [318, 'getrandom', sys_getrandom],
  [319, 'memfd_create'],
  [334, 'rseq', sys_rseq],
  [435, 'clone3'],
];

/** x86-64 system call numbers by name (__NR_*). */
export const X86_64_SYSCALLS: Record<string, number> = Object.fromEntries(SYSCALL_64.map(([nr, name]) => [name, nr]));

/** The names by number, for traces. */
export const syscall_names: Record<number, string> = Object.fromEntries(SYSCALL_64.map(([nr, name]) => [nr, name]));

/** sys_call_table[]: number → sys_* function; the holes are sys_ni_syscall. */
export const sys_call_table: readonly (SyscallFn | undefined)[] = (() => {
  const table: (SyscallFn | undefined)[] = [];
  for (const [nr, , fn] of SYSCALL_64) if (fn) table[nr] = fn;
  return table;
})();
