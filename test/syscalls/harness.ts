/**
 * A tiny, arch-neutral description language for raw-syscall guest programs, its code generator
 * for both guest architectures (AArch64 GNU syntax / x86-64 Intel syntax, as src/asm takes them),
 * and a runner that executes the result on a fresh Machine and collects what the tests check.
 *
 * A program is a list of steps; values (syscall results, loads) can be reported on stdout as
 * `key=<signed decimal>\n` lines and kept in 8-byte slots (a .bss array) for later arguments and
 * branches.  System call names are resolved through the arch's own table
 * (arch/arm64/kernel/sys.ts, arch/x86/entry/syscall_64.ts), so one description gives
 * the same test on both arches with each one's real numbers and ABI.
 */
import { ARM64_SYSCALLS } from '../../arch/arm64/kernel/sys.js';
import { X86_64_SYSCALLS } from '../../arch/x86/entry/syscall_64.js';
import * as errno from '../../src/include/uapi/asm-generic/errno.js';
import { Machine, type MachineOptions } from '../../src/machine/machine.js';
import type { RunEnd } from '../../src/machine/system.js';
import type { Task } from '../../src/include/linux/sched.js';

import { assembleCached, dmesg, type Arch } from '../helpers/guest.js';

export { ARCHES, type Arch } from '../helpers/guest.js';

/** A 64-bit argument: a constant, an address (label + offset), a slot's value, or a slot + offset. */
export type Arg = number | bigint | { sym: string; off?: number } | { slot: number; off?: number };

export type Step =
  /** a system call by generic name (or a raw number); the result may be kept and/or reported */
  | { sys: string | number; args?: Arg[]; save?: number; out?: string }
  /** reports a slot */
  | { out: string; slot: number }
  /** reports a constant (a marker) */
  | { out: string; value: number }
  /** a user-mode load of 1 or 8 bytes */
  | { load: Arg; size?: 1 | 8; save?: number; out?: string }
  /** a user-mode store of 1 or 8 bytes */
  | { store: Arg; value: Arg; size?: 1 | 8 }
  | { label: string }
  /** branch on a slot's value compared (signed) with 0 */
  | { br: 'eqz' | 'nez' | 'ltz' | 'gez'; slot: number; to: string }
  | { goto: string }
  /** exit_group(status) */
  | { exit: Arg }
  /** raw code per arch */
  | { asm: Partial<Record<Arch, string>> };

export interface Program {
  steps: Step[];
  /** NUL-terminated strings in .rodata */
  strings?: Record<string, string>;
  /** zero-filled buffers in .bss (bytes; page-aligned when `align` says so) */
  bss?: Record<string, number>;
  /** initialised 8-byte words in .data */
  data?: Record<string, (number | bigint)[]>;
  /** extra .text (helpers for `asm` steps), per arch */
  text?: Partial<Record<Arch, string>>;
}

export const SYSCALLS: Record<Arch, Record<string, number>> = { aarch64: ARM64_SYSCALLS, x86_64: X86_64_SYSCALLS };

export function nr(arch: Arch, name: string | number): number {
  if (typeof name === 'number') return name;
  const n = SYSCALLS[arch][name];
  if (n === undefined) throw new Error(`${arch} has no syscall ${name}`);
  return n;
}

const hex = (v: number | bigint) => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
const X86_ARG = ['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'];

let keyId = 0;

/** Generates the assembly source of a program for one arch. */
export function generate(arch: Arch, p: Program): string {
  const keys = new Map<string, string>();
  const keyLabel = (k: string) => {
    let l = keys.get(k);
    if (!l) {
      l = `key_${keys.size}_${keyId++}`;
      keys.set(k, l);
    }
    return l;
  };
  const a64 = arch === 'aarch64';
  const L: string[] = [];
  const emit = (s: string) => L.push(`        ${s}`);

  // Loads an argument into a register.
  const loadArg = (reg: string, v: Arg) => {
    if (typeof v === 'number' || typeof v === 'bigint') {
      if (a64) emit(`ldr ${reg}, =${hex(v)}`);
      else emit(BigInt(v) === 0n ? `xor ${reg}, ${reg}` : `movabs ${reg}, ${hex(v)}`);
    } else if ('sym' in v) {
      if (a64) {
        emit(`adrp ${reg}, ${v.sym}`);
        emit(`add ${reg}, ${reg}, :lo12:${v.sym}`);
        if (v.off) {
          emit(`ldr x17, =${hex(v.off)}`);
          emit(`add ${reg}, ${reg}, x17`);
        }
      } else {
        emit(`lea ${reg}, [rip + ${v.sym}]`);
        if (v.off) {
          emit(`movabs r11, ${hex(v.off)}`);
          emit(`add ${reg}, r11`);
        }
      }
    } else {
      if (a64) {
        emit('adrp x16, slots');
        emit('add x16, x16, :lo12:slots');
        emit(`ldr ${reg}, [x16, #${v.slot * 8}]`);
        if (v.off) {
          emit(`ldr x17, =${hex(v.off)}`);
          emit(`add ${reg}, ${reg}, x17`);
        }
      } else {
        emit(`mov ${reg}, qword ptr [rip + slots + ${v.slot * 8}]`);
        if (v.off) {
          emit(`movabs r11, ${hex(v.off)}`);
          emit(`add ${reg}, r11`);
        }
      }
    }
  };
  const ret = a64 ? 'x0' : 'rax';
  const save = (slot: number) => {
    if (a64) {
      emit('adrp x16, slots');
      emit('add x16, x16, :lo12:slots');
      emit(`str x0, [x16, #${slot * 8}]`);
    } else emit(`mov qword ptr [rip + slots + ${slot * 8}], rax`);
  };
  const report = (key: string) => {
    const l = keyLabel(key);
    if (a64) {
      emit(`adrp x1, ${l}`);
      emit(`add x1, x1, :lo12:${l}`);
      emit(`mov x2, #${Buffer.byteLength(key) + 1}`);
      emit('bl report');
    } else {
      emit('mov rdi, rax');
      emit(`lea rsi, [rip + ${l}]`);
      emit(`mov edx, ${Buffer.byteLength(key) + 1}`);
      emit('call report');
    }
  };

  L.push('        .text', '        .globl _start', '_start:');
  for (const s of p.steps) {
    if ('sys' in s) {
      const args = s.args ?? [];
      args.forEach((v, i) => loadArg(a64 ? `x${i}` : X86_ARG[i]!, v));
      if (a64) {
        emit(`ldr x8, =${nr(arch, s.sys)}`);
        emit('svc #0');
      } else {
        emit(`mov eax, ${nr(arch, s.sys)}`);
        emit('syscall');
      }
      if (s.save !== undefined) save(s.save);
      if (s.out !== undefined) report(s.out);
    } else if ('load' in s) {
      loadArg(a64 ? 'x9' : 'rcx', s.load);
      if (a64) emit(s.size === 1 ? 'ldrb w0, [x9]' : 'ldr x0, [x9]');
      else emit(s.size === 1 ? 'movzx eax, byte ptr [rcx]' : 'mov rax, qword ptr [rcx]');
      if (s.save !== undefined) save(s.save);
      if (s.out !== undefined) report(s.out);
    } else if ('store' in s) {
      loadArg(a64 ? 'x9' : 'rcx', s.store);
      loadArg(a64 ? 'x10' : 'rdx', s.value);
      if (a64) emit(s.size === 1 ? 'strb w10, [x9]' : 'str x10, [x9]');
      else emit(s.size === 1 ? 'mov byte ptr [rcx], dl' : 'mov qword ptr [rcx], rdx');
    } else if ('out' in s) {
      loadArg(ret, 'slot' in s ? { slot: s.slot } : s.value);
      report(s.out);
    } else if ('label' in s) {
      L.push(`${s.label}:`);
    } else if ('br' in s) {
      loadArg(ret, { slot: s.slot });
      if (a64) {
        if (s.br === 'eqz') emit(`cbz x0, ${s.to}`);
        else if (s.br === 'nez') emit(`cbnz x0, ${s.to}`);
        else if (s.br === 'ltz') emit(`tbnz x0, #63, ${s.to}`);
        else emit(`tbz x0, #63, ${s.to}`);
      } else {
        emit('test rax, rax');
        emit(`${{ eqz: 'jz', nez: 'jnz', ltz: 'js', gez: 'jns' }[s.br]} ${s.to}`);
      }
    } else if ('goto' in s) {
      emit(a64 ? `b ${s.goto}` : `jmp ${s.goto}`);
    } else if ('exit' in s) {
      loadArg(a64 ? 'x0' : 'rdi', s.exit);
      if (a64) {
        emit(`mov x8, #${ARM64_SYSCALLS.exit_group}`);
        emit('svc #0');
      } else {
        emit(`mov eax, ${X86_64_SYSCALLS.exit_group}`);
        emit('syscall');
      }
    } else if ('asm' in s) {
      const code = s.asm[arch];
      if (code === undefined) throw new Error(`asm step without ${arch} code`);
      L.push(code);
    }
  }
  // Falling off the end of the steps: exit_group(0).
  if (a64) L.push('        mov x0, #0', `        mov x8, #${ARM64_SYSCALLS.exit_group}`, '        svc #0');
  else L.push('        xor edi, edi', `        mov eax, ${X86_64_SYSCALLS.exit_group}`, '        syscall');

  // report(value, key, keylen): writes "<key>=<signed decimal value>\n" to fd 1 with two writes.
  if (a64) {
    L.push(`
report:
        mov     x10, x0
        mov     x0, #1
        mov     x8, #${ARM64_SYSCALLS.write}
        svc     #0
        adrp    x11, numbuf
        add     x11, x11, :lo12:numbuf
        add     x12, x11, #31
        mov     w13, #10
        strb    w13, [x12]
        mov     x14, x10
        mov     x15, #0
        tbz     x14, #63, 1f
        neg     x14, x14
        mov     x15, #1
1:      mov     x13, #10
2:      udiv    x16, x14, x13
        msub    x17, x16, x13, x14
        add     w17, w17, #'0'
        sub     x12, x12, #1
        strb    w17, [x12]
        mov     x14, x16
        cbnz    x14, 2b
        cbz     x15, 3f
        mov     w17, #'-'
        sub     x12, x12, #1
        strb    w17, [x12]
3:      mov     x0, #1
        mov     x1, x12
        add     x2, x11, #32
        sub     x2, x2, x12
        mov     x8, #${ARM64_SYSCALLS.write}
        svc     #0
        ret`);
  } else {
    L.push(`
report:
        push    rbx
        push    rbp
        mov     rbx, rdi
        mov     edi, 1
        mov     eax, ${X86_64_SYSCALLS.write}
        syscall
        lea     rsi, [rip + numbuf]
        add     rsi, 31
        mov     byte ptr [rsi], 10
        mov     rax, rbx
        xor     ebp, ebp
        test    rax, rax
        jns     1f
        neg     rax
        mov     ebp, 1
1:      mov     ecx, 10
2:      xor     edx, edx
        div     rcx
        add     dl, 0x30
        dec     rsi
        mov     byte ptr [rsi], dl
        test    rax, rax
        jnz     2b
        test    ebp, ebp
        jz      3f
        dec     rsi
        mov     byte ptr [rsi], 0x2d
3:      lea     rdx, [rip + numbuf]
        add     rdx, 32
        sub     rdx, rsi
        mov     edi, 1
        mov     eax, ${X86_64_SYSCALLS.write}
        syscall
        pop     rbp
        pop     rbx
        ret`);
  }
  if (p.text?.[arch]) L.push(p.text[arch]!);

  L.push('        .section .rodata');
  for (const [k, l] of keys) L.push(`${l}: .ascii "${k}="`);
  for (const [name, s] of Object.entries(p.strings ?? {}))
    L.push(`${name}: .asciz "${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  L.push('        .data', '        .balign 8');
  for (const [name, words] of Object.entries(p.data ?? {})) L.push(`${name}: .quad ${words.map(hex).join(', ')}`);
  L.push('        .bss', '        .balign 4096', 'numbuf: .skip 64', 'slots: .skip 512');
  for (const [name, size] of Object.entries(p.bss ?? {})) L.push('        .balign 4096', `${name}: .skip ${size}`);
  return L.join('\n') + '\n';
}

/** Assembles a program (or raw source) for an arch; results are cached by source text. */
export function build(arch: Arch, p: Program | string, file = 'guest.S'): Promise<Uint8Array> {
  return assembleCached(arch, typeof p === 'string' ? p : generate(arch, p), file);
}

export interface TaskResult {
  pid: number;
  comm: string;
  stdout: string;
  /** the report lines, last value of each key */
  out: Record<string, bigint>;
  outcome: { kind: 'exit'; code: number } | { kind: 'signal'; signal: number } | { kind: 'running' };
  waitStatus: number | null;
}

export interface GuestRun {
  end: RunEnd;
  main: TaskResult;
  /** every guest task ever created (pid order), including children */
  tasks: TaskResult[];
  dmesg: string[];
  m: Machine;
  task: Task;
}

export function parseReports(s: string): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const line of s.split('\n')) {
    const m = /^([^=]+)=(-?\d+)$/.exec(line);
    if (m) out[m[1]!] = BigInt(m[2]!);
  }
  return out;
}

function taskResult(m: Machine, t: Task): TaskResult {
  const stdout = m.output_
    .filter((o) => o.pid === t.pid && o.fd === 1)
    .map((o) => o.text)
    .join('');
  const done = t.state === 'Z' || t.state === 'X';
  return {
    pid: t.pid,
    comm: t.comm,
    stdout,
    out: parseReports(stdout),
    outcome: !done
      ? { kind: 'running' }
      : t.termSignal
        ? { kind: 'signal', signal: t.termSignal }
        : { kind: 'exit', code: t.exitCode ?? 0 },
    waitStatus: t.exitStatus,
  };
}

export interface RunOpts extends Partial<MachineOptions> {
  argv?: string[];
  envp?: string[];
  /** more programs to put in the rootfs (execve targets) */
  files?: Record<string, Uint8Array>;
  path?: string;
  oomScoreAdj?: number;
  cgroup?: string;
  uid?: number;
  /** called after spawn, before the run (hooks, inspection) */
  setup?: (m: Machine, t: Task) => void;
}

/** Runs a program (a description, assembly source, or ELF bytes) as the only process of a fresh machine. */
export async function runGuest(arch: Arch, p: Program | string | Uint8Array, o: RunOpts = {}): Promise<GuestRun> {
  const elf = p instanceof Uint8Array ? p : await build(arch, p);
  const m = new Machine({ arch, budget: 50_000_000, memBytes: 256 * 1024 * 1024, ...o });
  const path = o.path ?? '/bin/guest';
  m.addProgram(path, elf);
  for (const [fp, bytes] of Object.entries(o.files ?? {})) m.addProgram(fp, bytes);
  const t = m.spawn({
    path,
    argv: o.argv ?? [path],
    ...(o.envp ? { envp: o.envp } : {}),
    oomScoreAdj: o.oomScoreAdj,
    cgroup: o.cgroup,
    uid: o.uid,
  });
  o.setup?.(m, t);
  const end = m.run();
  const tasks = [...m.k.sched.tasks.values()]
    .filter((x) => !x.isKthread && x.pid >= 100)
    .sort((a, b) => a.pid - b.pid)
    .map((x) => taskResult(m, x));
  const res: GuestRun = { end, main: taskResult(m, t), tasks, dmesg: dmesg(m), m, task: t };
  return res;
}

/** Linux errno values (src/include/uapi/asm-generic/errno.ts). */
export const E = errno;
export const neg = (e: number) => BigInt(-e);
