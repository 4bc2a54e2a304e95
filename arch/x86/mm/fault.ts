/**
 * arch/x86/mm/fault.c (6.1 shape, older profiles through profile data): asm_exc_page_fault →
 * exc_page_fault → handle_page_fault → do_user_addr_fault / do_kern_addr_fault, access_error,
 * bad_area / bad_area_access_error / __bad_area_nosemaphore with show_signal_msg, mm_fault_error
 * paths (pagefault_out_of_memory, do_sigbus), with the hardware error code and CR2.
 */
import type { Access } from '../../../src/hw/cpu.js';
import type { ArchFaultOutcome, ArchOps } from '../../../src/include/faultpath/arch_ops.js';
import type { KernelState } from '../../../src/include/faultpath/kernel_state.js';
import { VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE } from '../../../src/include/linux/mm.js';
import { type Task } from '../../../src/include/linux/sched.js';
import { type Vma } from '../../../src/include/linux/mm_types.js';
import {
  handle_mm_fault,
  hex,
  VM_FAULT_ERROR,
  VM_FAULT_HWPOISON,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
} from '../../../src/mm/memory.js';
import { expand_stack } from '../../../src/mm/mmap.js';
import { pagefault_out_of_memory } from '../../../src/mm/oom_kill.js';
import { unhandled_signal, vmaAddrOf, x86UserTrap } from '../kernel/traps.js';
import {
  decodePf,
  formatShowOpcodes,
  formatX86Segfault,
  sanitize_error_code,
  X86_PF_INSTR,
  X86_PF_PK,
  X86_PF_PROT,
  X86_PF_USER,
  X86_PF_WRITE,
  X86_TASK_SIZE_MAX,
  type OpcodeDump,
} from '../include/asm/trap_pf.js';
import { X86_64_SYSCALLS } from '../entry/syscall_64.js';
import { find_vma } from '../../../src/mm/mmap.js';
import { printk } from '../../../src/kernel/printk/printk.js';

/** The error code the CPU pushes for a user-mode access (P/W/U/I; NX is enabled). */
export function x86ErrorCode(k: KernelState, t: Task, address: bigint, access: Access): number {
  let code = X86_PF_USER;
  if (access === 'write') code |= X86_PF_WRITE;
  if (access === 'fetch') code |= X86_PF_INSTR;
  if (address < X86_TASK_SIZE_MAX + 4096n) {
    const w = t.mm!.pgtable.walk(Number(address));
    if (w.level === 4) code |= X86_PF_PROT;
  } else if (kernelMapped(k, address)) {
    // Mapped kernel pages are supervisor-only: a present page, protection violation.
    code |= X86_PF_PROT;
  }
  return code;
}

/** page_offset_base without KASLR (4-level paging) and the kernel image mapping (__START_KERNEL_map). */
const PAGE_OFFSET_BASE = 0xffff888000000000n;
const START_KERNEL_MAP = 0xffffffff80000000n;
const KERNEL_IMAGE_SIZE = 1024n * 1024n * 1024n;

/**
 * Is a kernel address backed by a present PTE (Documentation/x86/x86_64/mm.rst)?  The direct
 * map of RAM and the kernel image are; the guard hole, the gaps and unused ranges are not, so a
 * user access there has a hardware error code without PROT (sanitize_error_code() adds it to
 * the reported one).
 */
function kernelMapped(k: KernelState, address: bigint): boolean {
  if (address >= PAGE_OFFSET_BASE && address < PAGE_OFFSET_BASE + BigInt(k.phys.nrPages * 4096)) return true;
  return address >= START_KERNEL_MAP && address < START_KERNEL_MAP + KERNEL_IMAGE_SIZE;
}

/** Bits 63..47 all equal: anything else is not translated at all but raises #GP. */
function isCanonical(address: bigint): boolean {
  const top = BigInt.asUintN(64, address) >> 47n;
  return top === 0n || top === 0x1ffffn;
}

interface Ctx {
  k: KernelState;
  t: Task;
  address: bigint;
  errorCode: number;
  pc: bigint;
}

export function x86UserFault(k: KernelState, t: Task, address: bigint, access: Access, pc: bigint): ArchFaultOutcome {
  if (!isCanonical(address)) return exc_general_protection(k, t, address, pc);
  const errorCode = x86ErrorCode(k, t, address, access);
  const c: Ctx = { k, t, address, errorCode, pc };
  if (k.tracer.collecting)
    k.tracer.emit('exception', {
      arch: 'x86_64',
      vector: 'asm_exc_page_fault (IDT vector 14, #PF)',
      address: `0x${address.toString(16)}`,
      pc: `0x${pc.toString(16)}`,
      errorCode: `0x${errorCode.toString(16)}`,
      decoded: decodePf(errorCode, k.profile.version).names.join('|'),
    });
  if (k.tracer.collecting) {
    // trace_page_fault_user(): exceptions:page_fault_user with the kernel's TP_printk format.
    k.tracer.emit('tracepoint', {
      system: 'exceptions',
      name: 'page_fault_user',
      fields: {
        address: `0x${address.toString(16)}`,
        ip: `0x${pc.toString(16)}`,
        error_code: `0x${errorCode.toString(16)}`,
      },
      text: `address=0x${address.toString(16)} ip=0x${pc.toString(16)} error_code=0x${errorCode.toString(16)}`,
    });
  }
  const tr = k.tracer;
  const entries = k.profile.x86Entry;
  const inner = (i: number): ArchFaultOutcome => {
    if (i < entries.length)
      return tr.call(
        entries[i]!,
        i === 0 ? { cr2: `0x${address.toString(16)}`, error_code: `0x${errorCode.toString(16)}` } : undefined,
        () => inner(i + 1),
        (o) => o.kind,
      );
    return address >= X86_TASK_SIZE_MAX ? do_kern_addr_fault(c) : do_user_addr_fault(c);
  };
  return inner(0);
}

/** exc_general_protection() from user mode for a non-canonical access: no CR2, error code 0. */
function exc_general_protection(k: KernelState, t: Task, address: bigint, pc: bigint): ArchFaultOutcome {
  // `address` is what the instruction tried to reach; the kernel never sees it (no CR2 for #GP).
  k.tracer.emit('exception', {
    arch: 'x86_64',
    vector: 'asm_exc_general_protection (IDT vector 13, #GP)',
    address: `0x${address.toString(16)}`,
    pc: `0x${pc.toString(16)}`,
    errorCode: '0x0',
    decoded: 'non-canonical address',
  });
  return k.tracer.call(
    'exc_general_protection',
    { error_code: '0x0' },
    () => {
      const { sig, code } = x86UserTrap(k, t, 13, pc);
      k.tracer.emit('signal', { sig, name: 'SIGSEGV', code, target: t.pid });
      k.upcalls.signal.force_sig_fault(t, sig, code, 0n);
      return { kind: 'signal' as const };
    },
    (o) => o.kind,
  );
}

function do_kern_addr_fault(c: Ctx): ArchFaultOutcome {
  return c.k.tracer.call(
    'do_kern_addr_fault',
    undefined,
    () => bad_area_nosemaphore(c, 'SEGV_MAPERR'),
    (o) => o.kind,
  );
}

/** access_error() (§3.5). */
function access_error(errorCode: number, vma: Vma): boolean {
  if (errorCode & X86_PF_PK) return true;
  if (errorCode & X86_PF_WRITE) return !(vma.flags & VM_WRITE);
  if (errorCode & X86_PF_PROT) return true;
  return !(vma.flags & (VM_READ | VM_WRITE | VM_EXEC));
}

function do_user_addr_fault(c: Ctx): ArchFaultOutcome {
  const { k } = c;
  const F = k.profile.faultFlags;
  let flags = F.DEFAULT | F.USER;
  if (c.errorCode & X86_PF_WRITE) flags |= F.WRITE;
  if (c.errorCode & X86_PF_INSTR) flags |= F.INSTRUCTION;
  const fn = k.profile.x86UserFault;
  return k.tracer.call(
    fn,
    { address: `0x${c.address.toString(16)}`, error_code: `0x${c.errorCode.toString(16)}`, flags: hex(flags) },
    () => {
      const mm = c.t.mm!;
      const addr = Number(c.address);
      for (let attempt = 0; attempt < 8; attempt++) {
        const vma = find_vma(mm, addr);
        if (!vma) return bad_area(c, 'SEGV_MAPERR');
        if (vma.start > addr) {
          if (!(vma.flags & VM_GROWSDOWN)) return bad_area(c, 'SEGV_MAPERR');
          // 3.12/4.19 stack heuristic: far below the stack pointer is a bad access.
          if (k.profile.version !== '6.1') {
            const sp = Number(c.t.mm!.cpu.reg('rsp'));
            if (addr + 65536 + 32 * 8 < sp) return bad_area(c, 'SEGV_MAPERR');
          }
          if (!expand_stack(k, mm, vma, addr)) return bad_area(c, 'SEGV_MAPERR');
        }
        if (access_error(c.errorCode, vma)) return bad_area(c, 'SEGV_ACCERR');
        if (vma.special) return do_sigbus(c);
        const fault = handle_mm_fault(k, vma, addr, flags);
        if (fault & VM_FAULT_RETRY) {
          flags |= F.TRIED;
          continue;
        }
        if (!(fault & VM_FAULT_ERROR)) return { kind: 'retry' as const };
        if (fault & VM_FAULT_OOM) {
          const r = pagefault_out_of_memory(k);
          return r === 'sleep'
            ? { kind: 'sleep' as const, waitq: `memcg_oom:${c.t.memcgInOom!.memcgId}` }
            : { kind: 'retry' as const };
        }
        if (fault & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON)) return do_sigbus(c);
        if (fault & VM_FAULT_SIGSEGV) return bad_area_nosemaphore(c, 'SEGV_MAPERR');
        return { kind: 'retry' as const };
      }
      return { kind: 'retry' as const };
    },
    (o) => o.kind,
  );
}

function bad_area(c: Ctx, code: string): ArchFaultOutcome {
  const name = code === 'SEGV_ACCERR' ? 'bad_area_access_error' : 'bad_area';
  return c.k.tracer.call(
    name,
    undefined,
    () => bad_area_nosemaphore(c, code),
    (o) => o.kind,
  );
}

function do_sigbus(c: Ctx): ArchFaultOutcome {
  return c.k.tracer.call(
    'do_sigbus',
    undefined,
    () => {
      c.k.upcalls.signal.force_sig_fault(c.t, 7, 'BUS_ADRERR', c.address);
      return { kind: 'signal' as const };
    },
    (o) => o.kind,
  );
}

/** __bad_area_nosemaphore(): sanitize, show_signal_msg, set_signal_archinfo, force_sig_fault. */
function bad_area_nosemaphore(c: Ctx, code: string): ArchFaultOutcome {
  const { k, t } = c;
  return k.tracer.call(
    '__bad_area_nosemaphore',
    { si_code: code },
    () => {
      const ec = sanitize_error_code(c.address, c.errorCode);
      if (
        k.sysctl.get('debug.exception-trace') &&
        unhandled_signal(t, 11) &&
        k.printk.ratelimit('printk_ratelimit', 5_000_000_000, 10)
      ) {
        const ip = c.pc;
        const lines = formatX86Segfault(
          {
            comm: t.comm,
            pid: t.pid,
            address: c.address,
            ip,
            sp: t.mm!.cpu.reg('rsp'),
            errorCode: ec,
            vma: vmaAddrOf(k, t, ip),
            code: opcodeBytes(k, t, ip),
          },
          k.profile.version,
        );
        for (const l of lines) printk(k, t.pid > 1 ? 6 : 0, l);
      }
      k.tracer.emit('signal', {
        sig: 11,
        name: 'SIGSEGV',
        code,
        target: t.pid,
        address: `0x${c.address.toString(16)}`,
      });
      k.upcalls.signal.force_sig_fault(t, 11, code, c.address);
      return { kind: 'signal' as const };
    },
    (o) => o.kind,
  );
}

/** copy_from_user_nmi() of ip-42 .. ip+21 for show_opcodes(): only if every byte is mapped. */
export function opcodeBytes(k: KernelState, t: Task, ip: bigint): OpcodeDump {
  const start = Number(ip) - 42;
  const out: number[] = [];
  for (let a = start; a < start + 64; a++) {
    const w = t.mm!.pgtable.walk(Math.floor(a / 4096) * 4096);
    if (w.level !== 4) return { kind: 'fault' };
    const b = t.mm!.cpu.peek(a, 1);
    if (!b) return { kind: 'fault' };
    out.push(b[0]!);
  }
  return { kind: 'bytes', bytes: Uint8Array.from(out) };
}

function x86OopsRegs(k: KernelState, t: Task): string[] {
  const cpu = t.mm!.cpu;
  const r = (n: string) => cpu.reg(n).toString(16).padStart(16, '0');
  const rip = cpu.pc();
  const codeLine = formatShowOpcodes(rip, opcodeBytes(k, t, rip), k.profile.version)[0] ?? '';
  return [
    `RIP: 0033:0x${rip.toString(16)}`,
    codeLine,
    `RSP: 002b:${r('rsp')} EFLAGS: ${(cpu.reg('rflags') & 0xffffffffn).toString(16).padStart(8, '0')}`,
    `RAX: ${r('rax')} RBX: ${r('rbx')} RCX: ${r('rcx')}`,
    `RDX: ${r('rdx')} RSI: ${r('rsi')} RDI: ${r('rdi')}`,
    `RBP: ${r('rbp')} R08: ${r('r8')} R09: ${r('r9')}`,
    `R10: ${r('r10')} R11: ${r('r11')} R12: ${r('r12')}`,
    `R13: ${r('r13')} R14: ${r('r14')} R15: ${r('r15')}`,
  ];
}

export const x86Ops: ArchOps = {
  userFault: x86UserFault,
  otherException: x86UserTrap,
  syscall: {
    nr: (cpu) => Number(cpu.reg('rax')),
    arg: (cpu, i) => cpu.reg(['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'][i]!),
    setReturn: (cpu, v) => cpu.setReg('rax', v),
    names: Object.fromEntries(Object.entries(X86_64_SYSCALLS).map(([n, v]) => [v, n])),
    numbers: X86_64_SYSCALLS,
  },
  userRegsForOops: x86OopsRegs,
  startThread(cpu, entry, sp) {
    for (const r of [
      'rax',
      'rbx',
      'rcx',
      'rdx',
      'rsi',
      'rdi',
      'rbp',
      'r8',
      'r9',
      'r10',
      'r11',
      'r12',
      'r13',
      'r14',
      'r15',
    ])
      cpu.setReg(r, 0);
    cpu.setReg('rsp', sp);
    cpu.setReg('rflags', 0x202);
    cpu.setPc(entry);
  },
  forkChild(cpu, newSp) {
    cpu.setReg('rax', 0);
    if (newSp) cpu.setReg('rsp', newSp);
  },
  tlsReg: 'fs_base',
  spReg: 'rsp',
};
