/** arm64 system call numbers (include/uapi/asm-generic/unistd.h, used by arm64). */
export const ARM64_SYSCALLS: Record<string, number> = {
  getcwd: 17, dup: 23, dup3: 24, fcntl: 25, ioctl: 29, mkdirat: 34, unlinkat: 35, openat: 56, close: 57, pipe2: 59,
  getdents64: 61, lseek: 62, read: 63, write: 64, readv: 65, writev: 66, pread64: 67, pwrite64: 68, readlinkat: 78,
  newfstatat: 79, fstat: 80, sync: 81, exit: 93, exit_group: 94, waitid: 95, set_tid_address: 96, futex: 98,
  set_robust_list: 99, nanosleep: 101, clock_gettime: 113, clock_nanosleep: 115, sched_yield: 124, kill: 129, tkill: 130,
  tgkill: 131, sigaltstack: 132, rt_sigsuspend: 133, rt_sigaction: 134, rt_sigprocmask: 135, rt_sigreturn: 139,
  setpriority: 140, getpriority: 141, reboot: 142, uname: 160, getrlimit: 163, setrlimit: 164, getrusage: 165, umask: 166,
  prctl: 167, gettimeofday: 169, getpid: 172, getppid: 173, getuid: 174, geteuid: 175, getgid: 176, getegid: 177,
  gettid: 178, sysinfo: 179, brk: 214, munmap: 215, mremap: 216, clone: 220, execve: 221, mmap: 222, mprotect: 226,
  msync: 227, mlock: 228, munlock: 229, mlockall: 230, munlockall: 231, mincore: 232, madvise: 233, wait4: 260,
  prlimit64: 261, getrandom: 278, memfd_create: 279, membarrier: 283, rseq: 293, clone3: 435,
};
