/**
 * Shared helpers for the mm tests: tiny guest programs assembled in-process, a machine with the
 * debug_vm checker, "markers" (the guest calls getpid with a marker id in x0/rdi and the test
 * inspects the machine at that point, with the task's registers loaded), cgroup and /proc access.
 */
import { ARM64_SYSCALLS } from '../../arch/arm64/kernel/sys.js';
import { PAGE_SIZE } from '../../src/include/linux/mmzone.js';
import { Machine, type MachineOptions } from '../../src/machine/machine.js';
import type { Task } from '../../src/include/linux/sched.js';
import type { DebugVm } from '../../src/machine/debug-vm.js';
import type { DebugVmOptions } from '../../src/machine/debug-vm.js';
import { enableDebugVm } from '../../src/machine/debug-vm.js';
import { assembleCached, kb, proc, readFile } from './guest.js';
import { cgroup_mkdir } from '../../src/kernel/cgroup/cgroup.js';

export { cgRead, cgWrite, dmesg, kb, kv, proc } from './guest.js';

export const PAGE = PAGE_SIZE;

/** arm64 macros every program gets (GNU as syntax, raw syscalls). */
export const A64_MACROS = `
${['openat', 'write', 'exit_group', 'nanosleep', 'getpid', 'munmap', 'clone', 'mmap', 'madvise', 'wait4']
  .map((n) => `  .set SYS_${n}, ${ARM64_SYSCALLS[n]}`)
  .join('\n')}
.macro marker id
  mov x0, #\\id
  mov x8, #SYS_getpid
  svc #0
.endm
.macro exit_group code
  mov x0, #\\code
  mov x8, #SYS_exit_group
  svc #0
.endm
// mmap_anon len_reg: x0 = mmap(NULL, len, RW, MAP_PRIVATE|MAP_ANONYMOUS)
.macro mmap_anon lenreg
  mov x0, #0
  mov x1, \\lenreg
  mov x2, #3
  mov x3, #0x22
  mov x4, #-1
  mov x5, #0
  mov x8, #SYS_mmap
  svc #0
.endm
// mmap_fixed addr_reg, len_reg
.macro mmap_fixed addrreg, lenreg
  mov x0, \\addrreg
  mov x1, \\lenreg
  mov x2, #3
  mov x3, #0x32
  mov x4, #-1
  mov x5, #0
  mov x8, #SYS_mmap
  svc #0
.endm
// write one byte (w2) into each of cnt pages from base (clobbers x10, x11)
.macro touch_w basereg, cntreg
  mov x10, \\basereg
  mov x11, \\cntreg
  cbz x11, 8f
7: strb w2, [x10]
  add x10, x10, #4096
  subs x11, x11, #1
  b.ne 7b
8:
.endm
// read one byte of each of cnt pages from base (clobbers x10, x11, w12)
.macro touch_r basereg, cntreg
  mov x10, \\basereg
  mov x11, \\cntreg
  cbz x11, 8f
7: ldrb w12, [x10]
  add x10, x10, #4096
  subs x11, x11, #1
  b.ne 7b
8:
.endm
// sync_rss: 70 zero-page read faults on a fresh mapping.  Afterwards the task's SPLIT_RSS cache
// is flushed into the mm (check_sync_rss_stat flushes at most 65 faults apart and read faults of
// the zero page change no counter), so get_mm_counter() equals the true counters and /proc
// values are exact on Linux too.  Clobbers x0-x5, x8, x10-x13.
.macro sync_rss
  mov x13, #70
  lsl x13, x13, #12
  mmap_anon x13
  mov x13, #70
  touch_r x0, x13
.endm
// sleep_s secs_reg: nanosleep({secs, 0})
.macro sleep_s secreg
  sub sp, sp, #16
  str \\secreg, [sp]
  str xzr, [sp, #8]
  mov x0, sp
  mov x1, #0
  mov x8, #SYS_nanosleep
  svc #0
  add sp, sp, #16
.endm
`;

/** Assembles an arm64 program: `body` runs from _start (A64_MACROS available). */
export async function a64(body: string, name = 'prog.S'): Promise<Uint8Array> {
  const src = `${A64_MACROS}\n  .text\n  .globl _start\n_start:\n${body}\n`;
  return assembleCached('aarch64', src, name);
}

/** Assembles an x86-64 program (Intel syntax): `body` runs from _start. */
export async function x64(body: string, name = 'prog.S'): Promise<Uint8Array> {
  const src = `.intel_syntax noprefix\n  .text\n  .globl _start\n_start:\n${body}\n`;
  return assembleCached('x86_64', src, name);
}

/**
 * touch_sleep (arm64): argv[1] = pages to write, argv[2] = seconds to sleep afterwards,
 * argv[3] = extra pages to *read* after the writes (zero-page faults: they change no RSS counter,
 * so 66 or more of them leave the task's SPLIT_RSS cache flushed).  Marker 1 after touching.
 */
export const TOUCH_SLEEP_A64 = `
  ldr x9, [sp]
  mov x19, #0
  mov x20, #0
  mov x21, #0
  cmp x9, #2
  b.lt 1f
  ldr x0, [sp, #16]
  bl atoi
  mov x19, x0
  cmp x9, #3
  b.lt 1f
  ldr x0, [sp, #24]
  bl atoi
  mov x20, x0
  cmp x9, #4
  b.lt 1f
  ldr x0, [sp, #32]
  bl atoi
  mov x21, x0
1:
  add x22, x19, x21
  lsl x22, x22, #12
  add x22, x22, #4096
  mmap_anon x22
  mov x23, x0
  mov w2, #1
  touch_w x23, x19
  add x24, x23, x19, lsl #12
  touch_r x24, x21
  marker 1
  cbz x20, 2f
  sleep_s x20
2:
  marker 2
  exit_group 0
// atoi(x0 = string) -> x0 (decimal digits until NUL)
atoi:
  mov x1, #0
  mov x3, #10
3: ldrb w2, [x0], #1
  sub w2, w2, #48
  cmp w2, #9
  b.hi 4f
  madd x1, x1, x3, x2
  b 3b
4: mov x0, x1
  ret
`;

export interface Env {
  m: Machine;
  dv: DebugVm;
}

/** A machine with the debug_vm checker enabled (options of both). */
export function machine(o: MachineOptions, dvo: DebugVmOptions = {}): Env {
  const m = new Machine(o);
  const dv = enableDebugVm(m, dvo);
  return { m, dv };
}

export function cgroup(m: Machine, path: string): void {
  if (!m.k.memcg.lookup(path)) cgroup_mkdir(m.k, path);
}

export type MarkerFn = (t: Task, id: number) => void;

/**
 * Calls fn when a guest task calls getpid (the marker), before the call runs: x0 (arm64) or
 * rdi (x86-64) holds the marker id, the task's registers are live in its engine.
 */
export function onMarker(m: Machine, fn: MarkerFn): void {
  const sc = m.syscalls;
  const orig = sc.handle.bind(sc);
  sc.handle = (t: Task) => {
    const cpu = t.mm!.cpu;
    const name = m.arch.syscall.names[m.arch.syscall.nr(cpu)];
    if (name === 'getpid') fn(t, Number(m.arch.syscall.arg(cpu, 0)));
    orig(t);
  };
}

/** Calls fn before every system call of a guest (name, task). */
export function onSyscall(m: Machine, fn: (t: Task, name: string) => void): void {
  const sc = m.syscalls;
  const orig = sc.handle.bind(sc);
  sc.handle = (t: Task) => {
    const cpu = t.mm!.cpu;
    fn(t, m.arch.syscall.names[m.arch.syscall.nr(cpu)] ?? '?');
    orig(t);
  };
}

/**
 * The boundary of __vm_enough_memory() in mode 2 (§9), from /proc (admin: CAP_SYS_ADMIN, else
 * admin_reserve_kbytes/4 is subtracted too):
 * allowed = CommitLimit - min(total_vm/32, user_reserve_kbytes/4); success iff
 * Committed_AS + pages < allowed.
 */
export function overcommitBoundary(m: Machine, t: Task, admin: boolean): { ok: number; fail: number } {
  const mi = kb(readFile(m, '/proc/meminfo'));
  const totalVm = kb(proc(m, t.pid, 'status')).VmSize! / 4;
  const userReserve = Number(readFile(m, '/proc/sys/vm/user_reserve_kbytes'));
  const adminReserve = Number(readFile(m, '/proc/sys/vm/admin_reserve_kbytes'));
  let allowed = mi.CommitLimit! / 4 - Math.min(Math.floor(totalVm / 32), Math.floor(userReserve / 4));
  if (!admin) allowed -= Math.floor(adminReserve / 4);
  const committed = mi.Committed_AS! / 4;
  return { ok: allowed - committed - 1, fail: allowed - committed };
}
