/**
 * arch/x86/mm/fault.c (6.1 shape, older profiles through profile data): exc_page_fault →
 * handle_page_fault → do_user_addr_fault / do_kern_addr_fault, access_error, bad_area /
 * bad_area_access_error / __bad_area_nosemaphore with sanitize_error_code() and
 * show_signal_msg(), the mm_fault_error paths (pagefault_out_of_memory, do_sigbus), and
 * show_fault_oops()'s header lines.  The error code and CR2 come from the hardware layer
 * (src/hw/x86-exception.ts).
 */
import type { ArchFaultOutcome } from '../../../src/include/faultpath/arch_ops.js';
import type { KernelState } from '../../../src/include/faultpath/kernel_state.js';
import { type KernelProfile, type KernelVersion, PROFILES } from '../../../src/include/faultpath/profile.js';
import { VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE } from '../../../src/include/linux/mm.js';
import { type Vma } from '../../../src/include/linux/mm_types.js';
import type { Task } from '../../../src/include/linux/sched.js';
import { printk } from '../../../src/kernel/printk/printk.js';
import { unhandled_signal } from '../../../src/kernel/signal.js';
import { formatVmaAddr, handle_mm_fault, hex, print_vma_addr, type VmaAddr } from '../../../src/mm/memory.js';
import { expand_stack, find_vma } from '../../../src/mm/mmap.js';
import { pagefault_out_of_memory } from '../../../src/mm/oom_kill.js';
import { X86_TASK_SIZE_MAX } from '../include/asm/page_64_types.js';
import {
  decodePf,
  X86_PF_INSTR,
  X86_PF_PK,
  X86_PF_PROT,
  X86_PF_RSVD,
  X86_PF_USER,
  X86_PF_WRITE,
} from '../include/asm/trap_pf.js';
import type { X86ExceptionCtx } from '../include/asm/traps.js';
import { copy_code, type OpcodeDump, show_opcodes } from '../kernel/dumpstack.js';
import { VM_FAULT_ERROR } from '../../../src/include/linux/mm_types.js';
import { VM_FAULT_HWPOISON } from '../../../src/include/linux/mm_types.js';
import { VM_FAULT_OOM } from '../../../src/include/linux/mm_types.js';
import { VM_FAULT_RETRY } from '../../../src/include/linux/mm_types.js';
import { VM_FAULT_SIGBUS } from '../../../src/include/linux/mm_types.js';
import { VM_FAULT_SIGSEGV } from '../../../src/include/linux/mm_types.js';

export type Profile = KernelVersion;

/** page_offset_base without KASLR (4-level paging) and the kernel image mapping (__START_KERNEL_map). */
const PAGE_OFFSET_BASE = 0xffff888000000000n;
const START_KERNEL_MAP = 0xffffffff80000000n;
const KERNEL_IMAGE_SIZE = 1024n * 1024n * 1024n;

/**
 * Is a kernel address backed by a present PTE (Documentation/x86/x86_64/mm.rst)?  The direct
 * map of RAM and the kernel image are; the guard hole, the gaps and unused ranges are not, so a
 * user access there has a hardware error code without PROT (sanitize_error_code() adds it to
 * the reported one).  The hardware layer asks this for the upper half, whose tables the model
 * does not hold.
 */
export function kernelMapped(k: KernelState, address: bigint): boolean {
  if (address >= PAGE_OFFSET_BASE && address < PAGE_OFFSET_BASE + BigInt(k.phys.nrPages * 4096)) return true;
  return address >= START_KERNEL_MAP && address < START_KERNEL_MAP + KERNEL_IMAGE_SIZE;
}

/** The fault being handled: the exception record, current, and the faulting address (CR2). */
interface Ctx {
  k: KernelState;
  t: Task;
  address: bigint;
  errorCode: number;
  pc: bigint;
}

/** The `exception` and `exceptions:page_fault_user` trace events of a #PF. */
function tracePageFault(k: KernelState, address: bigint, errorCode: number, pc: bigint): void {
  k.tracer.emit('exception', {
    arch: 'x86_64',
    vector: 'asm_exc_page_fault (IDT vector 14, #PF)',
    address: `0x${address.toString(16)}`,
    pc: `0x${pc.toString(16)}`,
    errorCode: `0x${errorCode.toString(16)}`,
    decoded: decodePf(errorCode, k.profile.version).names.join('|'),
  });
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

/** The fault context of a #PF exception record (address = read_cr2()). */
function pageFaultCtx(e: X86ExceptionCtx): Ctx {
  if (e.source !== 'mmu') throw new Error('#PF: a page fault is only raised by the MMU');
  return { k: e.k, t: e.t, address: e.cr2, errorCode: e.errorCode, pc: e.ip };
}

/** The outermost #PF frame's arguments (the entry stub's). */
export function pageFaultArgs(e: X86ExceptionCtx): Record<string, string> {
  return { cr2: `0x${e.cr2.toString(16)}`, error_code: `0x${e.errorCode.toString(16)}` };
}

/** The `exception` and `exceptions:page_fault_user` events, emitted as the entry stub is taken. */
export function tracePageFaultEntry(e: X86ExceptionCtx): void {
  if (e.k.tracer.collecting) tracePageFault(e.k, e.cr2, e.errorCode, e.ip);
}

/** exc_page_fault(regs, error_code) (6.1, DEFINE_IDTENTRY_RAW_ERRORCODE): handle_page_fault(). */
export function exc_page_fault(e: X86ExceptionCtx): ArchFaultOutcome {
  const c = pageFaultCtx(e);
  return c.k.tracer.call(
    'exc_page_fault',
    undefined,
    () => handle_page_fault(c),
    (o) => o.kind,
  );
}

/** handle_page_fault() (6.1): kernel or user address. */
function handle_page_fault(c: Ctx): ArchFaultOutcome {
  return c.k.tracer.call(
    'handle_page_fault',
    undefined,
    () => (c.address >= X86_TASK_SIZE_MAX ? do_kern_addr_fault(c) : do_user_addr_fault(c)),
    (o) => o.kind,
  );
}

/** do_page_fault(regs, error_code) (4.19, 3.12): __do_page_fault() for user addresses. */
export function do_page_fault(e: X86ExceptionCtx): ArchFaultOutcome {
  const c = pageFaultCtx(e);
  return c.k.tracer.call(
    'do_page_fault',
    undefined,
    () => (c.address >= X86_TASK_SIZE_MAX ? do_kern_addr_fault(c) : __do_page_fault(c)),
    (o) => o.kind,
  );
}

function do_kern_addr_fault(c: Ctx): ArchFaultOutcome {
  return c.k.tracer.call(
    'do_kern_addr_fault',
    undefined,
    () => __bad_area_nosemaphore(c, 'SEGV_MAPERR'),
    (o) => o.kind,
  );
}

/** access_error(). */
function access_error(errorCode: number, vma: Vma): boolean {
  if (errorCode & X86_PF_PK) return true;
  if (errorCode & X86_PF_WRITE) return !(vma.flags & VM_WRITE);
  if (errorCode & X86_PF_PROT) return true;
  return !(vma.flags & (VM_READ | VM_WRITE | VM_EXEC));
}

/** The VMA lookup of do_user_addr_fault(): find_vma, stack expansion; null = bad_area(SEGV_MAPERR). */
function vmaForFault(c: Ctx, addr: number): Vma | null {
  const { k } = c;
  const mm = c.t.mm!;
  const vma = find_vma(mm, addr);
  if (!vma) return null;
  if (vma.start > addr) {
    if (!(vma.flags & VM_GROWSDOWN)) return null;
    // 3.12/4.19 stack heuristic: far below the stack pointer is a bad access.
    if (k.profile.x86StackBelowSpCheck) {
      const sp = Number(mm.cpu.reg('rsp'));
      if (addr + 65536 + 32 * 8 < sp) return null;
    }
    if (!expand_stack(k, mm, vma, addr)) return null;
  }
  return vma;
}

/** mm_fault_error(): how a VM_FAULT_ERROR result ends. */
function mm_fault_error(c: Ctx, fault: number): ArchFaultOutcome {
  if (fault & VM_FAULT_OOM) {
    const r = pagefault_out_of_memory(c.k);
    return r === 'sleep'
      ? { kind: 'sleep' as const, waitq: `memcg_oom:${c.t.memcgInOom!.memcgId}` }
      : { kind: 'retry' as const };
  }
  if (fault & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON)) return do_sigbus(c);
  if (fault & VM_FAULT_SIGSEGV) return __bad_area_nosemaphore(c, 'SEGV_MAPERR');
  return { kind: 'retry' as const };
}

/** do_user_addr_fault() (6.1; 4.19 and 3.12 handle user addresses in __do_page_fault()). */
function do_user_addr_fault(c: Ctx): ArchFaultOutcome {
  return user_addr_fault(c, 'do_user_addr_fault');
}

/** __do_page_fault() (4.19, 3.12): the user-address part. */
function __do_page_fault(c: Ctx): ArchFaultOutcome {
  return user_addr_fault(c, '__do_page_fault');
}

function user_addr_fault(c: Ctx, fn: 'do_user_addr_fault' | '__do_page_fault'): ArchFaultOutcome {
  const { k } = c;
  const F = k.profile.faultFlags;
  let flags = F.DEFAULT | F.USER;
  if (c.errorCode & X86_PF_WRITE) flags |= F.WRITE;
  if (c.errorCode & X86_PF_INSTR) flags |= F.INSTRUCTION;
  return k.tracer.call(
    fn,
    { address: `0x${c.address.toString(16)}`, error_code: `0x${c.errorCode.toString(16)}`, flags: hex(flags) },
    () => {
      const addr = Number(c.address);
      for (let attempt = 0; attempt < 8; attempt++) {
        const vma = vmaForFault(c, addr);
        if (!vma) return bad_area(c);
        if (access_error(c.errorCode, vma)) return bad_area_access_error(c);
        if (vma.special) return do_sigbus(c);
        const fault = handle_mm_fault(k, vma, addr, flags);
        if (fault & VM_FAULT_RETRY) {
          flags |= F.TRIED;
          continue;
        }
        if (!(fault & VM_FAULT_ERROR)) return { kind: 'retry' as const };
        return mm_fault_error(c, fault);
      }
      return { kind: 'retry' as const };
    },
    (o) => o.kind,
  );
}

/** bad_area(): no VMA covers the address (SEGV_MAPERR). */
function bad_area(c: Ctx): ArchFaultOutcome {
  return c.k.tracer.call(
    'bad_area',
    undefined,
    () => __bad_area_nosemaphore(c, 'SEGV_MAPERR'),
    (o) => o.kind,
  );
}

/** bad_area_access_error(): the VMA does not allow the access (SEGV_ACCERR). */
function bad_area_access_error(c: Ctx): ArchFaultOutcome {
  return c.k.tracer.call(
    'bad_area_access_error',
    undefined,
    () => __bad_area_nosemaphore(c, 'SEGV_ACCERR'),
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

/**
 * `sanitize_error_code()` (6.1; open-coded in 4.19/3.12 __bad_area_nosemaphore): user-mode
 * accesses to kernel addresses always look like protection faults, so the page-table layout of
 * the kernel half does not leak.  3.12 compares against TASK_SIZE, which equals TASK_SIZE_MAX
 * for a 64-bit task.
 */
export function sanitize_error_code(
  address: bigint,
  errorCode: number,
  taskSizeMax: bigint = X86_TASK_SIZE_MAX,
): number {
  return address >= taskSizeMax ? (errorCode | X86_PF_PROT) >>> 0 : errorCode;
}

/** __bad_area_nosemaphore(): sanitize, show_signal_msg, set_signal_archinfo, force_sig_fault. */
function __bad_area_nosemaphore(c: Ctx, code: string): ArchFaultOutcome {
  const { k, t } = c;
  return k.tracer.call(
    '__bad_area_nosemaphore',
    { si_code: code },
    () => {
      const ec = sanitize_error_code(c.address, c.errorCode);
      show_signal_msg(c, ec);
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

/**
 * show_signal_msg(regs, error_code, address, tsk): when exception-trace is on, SIGSEGV unhandled
 * and printk_ratelimit() allows, the segfault line and the Code: line, at KERN_INFO (KERN_EMERG
 * for init).
 */
function show_signal_msg(c: Ctx, errorCode: number): void {
  const { k, t } = c;
  if (!k.sysctl.get('debug.exception-trace')) return;
  if (!unhandled_signal(t, 11)) return;
  if (!k.printk.ratelimit('printk_ratelimit', 5_000_000_000, 10)) return;
  const lines = formatX86Segfault(
    {
      comm: t.comm,
      pid: t.pid,
      address: c.address,
      ip: c.pc,
      sp: t.mm!.cpu.reg('rsp'),
      errorCode,
      vma: print_vma_addr(t.mm!, c.pc),
      code: copy_code(t, c.pc),
    },
    k.profile,
  );
  for (const l of lines) printk(k, t.pid > 1 ? 6 : 0, l);
}

// ---------------------------------------------------------------------------------------------
// Report text
// ---------------------------------------------------------------------------------------------

const hexOf = (v: bigint | number): string => BigInt(v).toString(16);
const hexPad = (v: bigint | number, w: number): string => BigInt.asUintN(64, BigInt(v)).toString(16).padStart(w, '0');

export interface X86SegfaultFields {
  /** task comm (truncated to TASK_COMM_LEN-1 = 15 characters like the kernel's) */
  comm: string;
  pid: number;
  /** CR2 */
  address: bigint;
  ip: bigint;
  sp: bigint;
  /** the error code show_signal_msg() receives, i.e. after sanitize_error_code() */
  errorCode: number;
  /** print_vma_addr() result for ip */
  vma?: VmaAddr | null;
  /** 6.1 "likely on CPU" suffix: raw_smp_processor_id(), topology_core_id(), topology_physical_package_id() */
  cpu?: { cpu: number; core: number; socket: number };
  /** show_opcodes() input; omitted = no Code: line is produced */
  code?: OpcodeDump;
}

/** show_signal_msg() prints at KERN_INFO for pid > 1, KERN_EMERG for init. */
export function x86SegfaultLogLevel(pid: number): 'KERN_INFO' | 'KERN_EMERG' {
  return pid > 1 ? 'KERN_INFO' : 'KERN_EMERG';
}

/**
 * The lines `show_signal_msg()` prints for an unhandled user SIGSEGV from a page fault:
 * 6.1 `"%s%s[%d]: segfault at %lx ip %px sp %px error %lx"` + print_vma_addr +
 * `" likely on CPU %d (core %d, socket %d)"` + newline, then show_opcodes();
 * 4.19 the same without the CPU suffix; 3.12 `%p` (zero-padded like %px on 64-bit) and no
 * Code: line.  The log level prefix (see x86SegfaultLogLevel) is not part of the text.
 */
export function formatX86Segfault(f: X86SegfaultFields, profile: KernelProfile = PROFILES['6.1']): string[] {
  const comm = f.comm.slice(0, 15);
  let line = `${comm}[${f.pid}]: segfault at ${hexOf(BigInt.asUintN(64, f.address))} ip ${hexPad(f.ip, 16)} sp ${hexPad(f.sp, 16)} error ${hexOf(f.errorCode >>> 0)}`;
  line += formatVmaAddr(f.vma);
  if (profile.report.x86.segfaultCpu) {
    const c = f.cpu ?? { cpu: 0, core: 0, socket: 0 };
    line += ` likely on CPU ${c.cpu} (core ${c.core}, socket ${c.socket})`;
  }
  const out = [line];
  if (f.code) out.push(...show_opcodes(f.ip, f.code, profile));
  return out;
}

/**
 * `show_fault_oops()` header lines for a kernel-mode fault (6.1), verbatim formats:
 * "BUG: kernel NULL pointer dereference, address: %px" / "BUG: unable to handle page fault for
 * address: %px", "#PF: %s %s in %s mode", "#PF: error_code(0x%04lx) - %s".  Only the two
 * #PF lines are derived from the error code; the rest of an oops is out of scope.
 */
export function show_fault_oops(address: bigint, errorCode: number, userModeRegs: boolean): string[] {
  const e = errorCode >>> 0;
  const first =
    address < 4096n && !userModeRegs
      ? `BUG: kernel NULL pointer dereference, address: ${hexPad(address, 16)}`
      : `BUG: unable to handle page fault for address: ${hexPad(address, 16)}`;
  const who = e & X86_PF_USER ? 'user' : 'supervisor';
  const what = e & X86_PF_INSTR ? 'instruction fetch' : e & X86_PF_WRITE ? 'write access' : 'read access';
  const why = !(e & X86_PF_PROT)
    ? 'not-present page'
    : e & X86_PF_RSVD
      ? 'reserved bit violation'
      : e & X86_PF_PK
        ? 'protection keys violation'
        : 'permissions violation';
  return [
    first,
    `#PF: ${who} ${what} in ${userModeRegs ? 'user' : 'kernel'} mode`,
    `#PF: error_code(0x${e.toString(16).padStart(4, '0')}) - ${why}`,
  ];
}
