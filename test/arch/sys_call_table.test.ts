/**
 * Each arch's sys_call_table against the kernel's own table: every number the model lists has the
 * kernel's name for that number, and every number it implements maps to a function named as the
 * kernel's entry point (sys_<name>, or the entry the table names, e.g. uname → sys_newuname).
 *
 * The expected lines are transcribed from Linux 6.1 — arm64: include/uapi/asm-generic/unistd.h
 * (64-bit: __SC_3264 takes the second entry); x86-64: arch/x86/entry/syscalls/syscall_64.tbl
 * (common/64 rows) — as "number name entry-point", only for the numbers the model lists.
 */
import { describe, expect, it } from 'vitest';
import { arm64_syscall } from '../../arch/arm64/kernel/entry-common.js';
import {
  ARM64_SYSCALLS,
  sys_call_table as arm64Table,
  syscall_names as arm64Names,
} from '../../arch/arm64/kernel/sys.js';
import { x86_64_syscall } from '../../arch/x86/entry/entry_64.js';
import {
  sys_call_table as x86Table,
  syscall_names as x86Names,
  X86_64_SYSCALLS,
} from '../../arch/x86/entry/syscall_64.js';
import type { SyscallAbi, SyscallFn } from '../../src/include/faultpath/syscall.js';

const UNISTD_ARM64 = `
17 getcwd sys_getcwd
23 dup sys_dup
24 dup3 sys_dup3
25 fcntl sys_fcntl
29 ioctl sys_ioctl
34 mkdirat sys_mkdirat
35 unlinkat sys_unlinkat
56 openat sys_openat
57 close sys_close
59 pipe2 sys_pipe2
61 getdents64 sys_getdents64
62 lseek sys_lseek
63 read sys_read
64 write sys_write
65 readv sys_readv
66 writev sys_writev
67 pread64 sys_pread64
68 pwrite64 sys_pwrite64
78 readlinkat sys_readlinkat
79 newfstatat sys_newfstatat
80 fstat sys_newfstat
81 sync sys_sync
93 exit sys_exit
94 exit_group sys_exit_group
95 waitid sys_waitid
96 set_tid_address sys_set_tid_address
98 futex sys_futex
99 set_robust_list sys_set_robust_list
101 nanosleep sys_nanosleep
113 clock_gettime sys_clock_gettime
115 clock_nanosleep sys_clock_nanosleep
124 sched_yield sys_sched_yield
129 kill sys_kill
130 tkill sys_tkill
131 tgkill sys_tgkill
132 sigaltstack sys_sigaltstack
133 rt_sigsuspend sys_rt_sigsuspend
134 rt_sigaction sys_rt_sigaction
135 rt_sigprocmask sys_rt_sigprocmask
139 rt_sigreturn sys_rt_sigreturn
140 setpriority sys_setpriority
141 getpriority sys_getpriority
142 reboot sys_reboot
160 uname sys_newuname
163 getrlimit sys_getrlimit
164 setrlimit sys_setrlimit
165 getrusage sys_getrusage
166 umask sys_umask
167 prctl sys_prctl
169 gettimeofday sys_gettimeofday
172 getpid sys_getpid
173 getppid sys_getppid
174 getuid sys_getuid
175 geteuid sys_geteuid
176 getgid sys_getgid
177 getegid sys_getegid
178 gettid sys_gettid
179 sysinfo sys_sysinfo
214 brk sys_brk
215 munmap sys_munmap
216 mremap sys_mremap
220 clone sys_clone
221 execve sys_execve
222 mmap sys_mmap
226 mprotect sys_mprotect
227 msync sys_msync
228 mlock sys_mlock
229 munlock sys_munlock
230 mlockall sys_mlockall
231 munlockall sys_munlockall
232 mincore sys_mincore
233 madvise sys_madvise
260 wait4 sys_wait4
261 prlimit64 sys_prlimit64
278 getrandom sys_getrandom
279 memfd_create sys_memfd_create
283 membarrier sys_membarrier
293 rseq sys_rseq
435 clone3 sys_clone3
`;

const SYSCALL_64_TBL = `
0 read sys_read
1 write sys_write
2 open sys_open
3 close sys_close
4 stat sys_newstat
5 fstat sys_newfstat
6 lstat sys_newlstat
7 poll sys_poll
8 lseek sys_lseek
9 mmap sys_mmap
10 mprotect sys_mprotect
11 munmap sys_munmap
12 brk sys_brk
13 rt_sigaction sys_rt_sigaction
14 rt_sigprocmask sys_rt_sigprocmask
15 rt_sigreturn sys_rt_sigreturn
16 ioctl sys_ioctl
17 pread64 sys_pread64
18 pwrite64 sys_pwrite64
19 readv sys_readv
20 writev sys_writev
21 access sys_access
22 pipe sys_pipe
23 select sys_select
24 sched_yield sys_sched_yield
25 mremap sys_mremap
26 msync sys_msync
27 mincore sys_mincore
28 madvise sys_madvise
32 dup sys_dup
33 dup2 sys_dup2
34 pause sys_pause
35 nanosleep sys_nanosleep
36 getitimer sys_getitimer
37 alarm sys_alarm
38 setitimer sys_setitimer
39 getpid sys_getpid
56 clone sys_clone
57 fork sys_fork
58 vfork sys_vfork
59 execve sys_execve
60 exit sys_exit
61 wait4 sys_wait4
62 kill sys_kill
63 uname sys_newuname
72 fcntl sys_fcntl
79 getcwd sys_getcwd
83 mkdir sys_mkdir
87 unlink sys_unlink
89 readlink sys_readlink
95 umask sys_umask
96 gettimeofday sys_gettimeofday
97 getrlimit sys_getrlimit
98 getrusage sys_getrusage
99 sysinfo sys_sysinfo
102 getuid sys_getuid
104 getgid sys_getgid
107 geteuid sys_geteuid
108 getegid sys_getegid
110 getppid sys_getppid
131 sigaltstack sys_sigaltstack
140 getpriority sys_getpriority
141 setpriority sys_setpriority
149 mlock sys_mlock
150 munlock sys_munlock
151 mlockall sys_mlockall
152 munlockall sys_munlockall
157 prctl sys_prctl
158 arch_prctl sys_arch_prctl
160 setrlimit sys_setrlimit
162 sync sys_sync
169 reboot sys_reboot
186 gettid sys_gettid
200 tkill sys_tkill
201 time sys_time
202 futex sys_futex
218 set_tid_address sys_set_tid_address
228 clock_gettime sys_clock_gettime
230 clock_nanosleep sys_clock_nanosleep
231 exit_group sys_exit_group
234 tgkill sys_tgkill
257 openat sys_openat
258 mkdirat sys_mkdirat
262 newfstatat sys_newfstatat
263 unlinkat sys_unlinkat
267 readlinkat sys_readlinkat
273 set_robust_list sys_set_robust_list
293 pipe2 sys_pipe2
302 prlimit64 sys_prlimit64
318 getrandom sys_getrandom
319 memfd_create sys_memfd_create
334 rseq sys_rseq
435 clone3 sys_clone3
`;

function parse(tbl: string): Map<number, { name: string; entry: string }> {
  const out = new Map<number, { name: string; entry: string }>();
  for (const line of tbl.trim().split('\n')) {
    const [nr, name, entry] = line.split(' ');
    out.set(Number(nr), { name: name!, entry: entry! });
  }
  return out;
}

const ARCHES: {
  arch: string;
  kernel: Map<number, { name: string; entry: string }>;
  table: readonly (SyscallFn | undefined)[];
  names: Record<number, string>;
  numbers: Record<string, number>;
  abi: SyscallAbi;
}[] = [
  {
    arch: 'arm64',
    kernel: parse(UNISTD_ARM64),
    table: arm64Table,
    names: arm64Names,
    numbers: ARM64_SYSCALLS,
    abi: arm64_syscall,
  },
  {
    arch: 'x86_64',
    kernel: parse(SYSCALL_64_TBL),
    table: x86Table,
    names: x86Names,
    numbers: X86_64_SYSCALLS,
    abi: x86_64_syscall,
  },
];

describe.each(ARCHES)('$arch sys_call_table', ({ kernel, table, names, numbers, abi }) => {
  it('names every number it lists as the kernel does', () => {
    for (const [name, nr] of Object.entries(numbers)) expect({ nr, name: kernel.get(nr)?.name }).toEqual({ nr, name });
    for (const [nr, name] of Object.entries(names)) expect(numbers[name]).toBe(Number(nr));
  });

  it("maps each implemented number to the function named as the kernel's entry point", () => {
    let implemented = 0;
    table.forEach((fn, nr) => {
      implemented++;
      expect(names[nr], `number ${nr} is implemented but not named`).toBeDefined();
      expect({ nr, fn: fn?.name }).toEqual({ nr, fn: kernel.get(nr)?.entry });
    });
    expect(implemented).toBeGreaterThan(50);
  });

  it('is the table the arch ABI uses', () => {
    expect(abi.names).toBe(names);
    expect(abi.numbers).toBe(numbers);
  });
});
