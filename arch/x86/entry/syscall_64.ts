/** x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl, common/64 entries). */
export const X86_64_SYSCALLS: Record<string, number> = {
  read: 0, write: 1, open: 2, close: 3, stat: 4, fstat: 5, lstat: 6, poll: 7, lseek: 8, mmap: 9, mprotect: 10, munmap: 11,
  brk: 12, rt_sigaction: 13, rt_sigprocmask: 14, rt_sigreturn: 15, ioctl: 16, pread64: 17, pwrite64: 18, readv: 19,
  writev: 20, access: 21, pipe: 22, select: 23, sched_yield: 24, mremap: 25, msync: 26, mincore: 27, madvise: 28,
  dup: 32, dup2: 33, pause: 34, nanosleep: 35, getitimer: 36, alarm: 37, setitimer: 38, getpid: 39, clone: 56, fork: 57,
  vfork: 58, execve: 59, exit: 60, wait4: 61, kill: 62, uname: 63, fcntl: 72, getcwd: 79, mkdir: 83, unlink: 87,
  readlink: 89, umask: 95, gettimeofday: 96, getrlimit: 97, getrusage: 98, sysinfo: 99, getuid: 102, getgid: 104,
  geteuid: 107, getegid: 108, getppid: 110, sigaltstack: 131, getpriority: 140, setpriority: 141, mlock: 149, munlock: 150,
  mlockall: 151, munlockall: 152, prctl: 157, arch_prctl: 158, setrlimit: 160, sync: 162, reboot: 169, gettid: 186,
  tkill: 200, time: 201, futex: 202, set_tid_address: 218, clock_gettime: 228, clock_nanosleep: 230, exit_group: 231,
  tgkill: 234, openat: 257, mkdirat: 258, newfstatat: 262, unlinkat: 263, readlinkat: 267, set_robust_list: 273,
  pipe2: 293, prlimit64: 302, getrandom: 318, memfd_create: 319, rseq: 334, clone3: 435,
};
