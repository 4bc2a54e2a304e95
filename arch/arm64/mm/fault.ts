/**
 * arch/arm64/mm/fault.c: do_mem_abort dispatching through fault_info[], do_translation_fault,
 * do_page_fault (vm_flags / mm_flags from the ESR, VM_FAULT_BADMAP / BADACCESS),
 * do_bad_area, and the signal path with set_thread_esr sanitising (kernel-reference §1.7–1.10).
 */
import type { KernelState } from '../../../src/include/faultpath/kernel_state.js';
import { VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE } from '../../../src/include/linux/mm.js';
import {
  handle_mm_fault,
  hex,
  VM_FAULT_ERROR,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
  vmFaultName,
} from '../../../src/mm/memory.js';
import { expand_stack } from '../../../src/mm/mmap.js';
import { pagefault_out_of_memory } from '../../../src/mm/oom_kill.js';
import { ESR_ELx_EC, ESR_ELx_EC_IABT_LOW, is_write_abort, sanitizeUserFaultEsr } from '../include/asm/esr.js';
import { faultInfo } from './fault_info.js';
import type { ArchFaultOutcome, UserFaultReport } from '../../../src/include/faultpath/arch_ops.js';
import { find_vma } from '../../../src/mm/mmap.js';

/** arm64-private fault codes (mm/fault.c) */
export const VM_FAULT_BADMAP = 0x010000;
export const VM_FAULT_BADACCESS = 0x020000;

export interface MemAbortCtx {
  k: KernelState;
  far: bigint;
  esr: number;
  /** delivers a fault signal and prints the report when the kernel would */
  report(r: UserFaultReport): void;
}

/** do_mem_abort(far, esr, regs) */
export function do_mem_abort(c: MemAbortCtx): ArchFaultOutcome {
  const { k } = c;
  return k.tracer.call(
    'do_mem_abort',
    { far: hex(Number(c.far)), esr: `0x${c.esr.toString(16)}` },
    () => {
      const inf = faultInfo(k.profile.version, c.esr);
      let out: ArchFaultOutcome | null;
      switch (inf.fn) {
        case 'do_translation_fault':
          out = do_translation_fault(c);
          break;
        case 'do_page_fault':
          out = do_page_fault(c);
          break;
        default:
          out = null;
      }
      if (out) return out;
      // inf->fn returned non-zero (do_bad, do_sea, ...): arm64_notify_die(inf->name, ...).
      c.report({ sig: inf.sig, code: inf.codeName, address: c.far, esr: c.esr, name: inf.name });
      return { kind: 'signal' };
    },
    (o) => o.kind,
  );
}

function is_ttbr0_addr(addr: bigint): boolean {
  return addr < 1n << 48n;
}

/** do_translation_fault(): user addresses go to do_page_fault, others to do_bad_area. */
function do_translation_fault(c: MemAbortCtx): ArchFaultOutcome {
  return c.k.tracer.call(
    'do_translation_fault',
    { far: `0x${c.far.toString(16)}` },
    () => {
      if (is_ttbr0_addr(c.far)) return do_page_fault(c);
      return do_bad_area(c);
    },
    (o) => o.kind,
  );
}

/** do_bad_area(): SIGSEGV (or the fault_info signal) with the sanitised ESR. */
function do_bad_area(c: MemAbortCtx): ArchFaultOutcome {
  return c.k.tracer.call(
    'do_bad_area',
    undefined,
    () => {
      const inf = faultInfo(c.k.profile.version, c.esr);
      c.report({ sig: inf.sig, code: inf.codeName, address: c.far, esr: c.esr, name: inf.name });
      return { kind: 'signal' as const };
    },
    (o) => o.kind,
  );
}

/** do_page_fault() (6.1 / 4.19 / 3.12 through profile data, §1.8). */
function do_page_fault(c: MemAbortCtx): ArchFaultOutcome {
  const { k } = c;
  const F = k.profile.faultFlags;
  const ec = ESR_ELx_EC(c.esr);
  let mmFlags = F.DEFAULT | F.USER;
  let vmFlags: number;
  if (ec === ESR_ELx_EC_IABT_LOW) {
    vmFlags = VM_EXEC;
    mmFlags |= F.INSTRUCTION;
  } else if (is_write_abort(c.esr)) {
    vmFlags = VM_WRITE;
    mmFlags |= F.WRITE;
  } else {
    vmFlags = VM_READ | VM_WRITE | (k.profile.arm64ReadNeedsExecToo ? VM_EXEC : 0);
  }
  return k.tracer.call(
    'do_page_fault',
    { far: `0x${c.far.toString(16)}`, esr: `0x${c.esr.toString(16)}`, mm_flags: hex(mmFlags), vm_flags: hex(vmFlags) },
    () => {
      const addr = Number(c.far);
      let fault = 0;
      for (let attempt = 0; attempt < 8; attempt++) {
        fault = __do_page_fault(k, addr, mmFlags, vmFlags);
        if (!(fault & VM_FAULT_RETRY)) break;
        mmFlags |= F.TRIED;
      }
      if (!(fault & (VM_FAULT_ERROR | VM_FAULT_BADMAP | VM_FAULT_BADACCESS))) return { kind: 'retry' as const };
      if (fault & VM_FAULT_OOM) {
        const r = pagefault_out_of_memory(k);
        return r === 'sleep'
          ? { kind: 'sleep' as const, waitq: `memcg_oom:${k.sched.current!.memcgInOom!.memcgId}` }
          : { kind: 'retry' as const };
      }
      const inf = faultInfo(k.profile.version, c.esr);
      if (fault & VM_FAULT_SIGBUS) {
        c.report({ sig: 7, code: 'BUS_ADRERR', address: c.far, esr: c.esr, name: inf.name });
      } else {
        c.report({
          sig: 11,
          code: fault === VM_FAULT_BADACCESS ? 'SEGV_ACCERR' : 'SEGV_MAPERR',
          address: c.far,
          esr: c.esr,
          name: inf.name,
        });
      }
      return { kind: 'signal' as const };
    },
    (o) => o.kind,
  );
}

/** __do_page_fault(): find_vma, stack expansion, the VMA permission check, handle_mm_fault. */
function __do_page_fault(k: KernelState, addr: number, mmFlags: number, vmFlags: number): number {
  return k.tracer.call(
    '__do_page_fault',
    { addr: hex(addr) },
    () => {
      const mm = k.sched.current!.mm!;
      const vma = find_vma(mm, addr);
      if (!vma) return VM_FAULT_BADMAP;
      if (vma.start > addr) {
        if (!(vma.flags & VM_GROWSDOWN) || !expand_stack(k, mm, vma, addr)) return VM_FAULT_BADMAP;
      }
      if (!(vma.flags & vmFlags)) return VM_FAULT_BADACCESS;
      if (vma.special) return VM_FAULT_SIGBUS | 0; // [vvar]/[vdso] pages are not modeled
      return handle_mm_fault(k, vma, addr, mmFlags);
    },
    (r) =>
      r === VM_FAULT_BADMAP ? 'VM_FAULT_BADMAP' : r === VM_FAULT_BADACCESS ? 'VM_FAULT_BADACCESS' : vmFaultName(r),
  );
}

export { VM_FAULT_SIGSEGV, sanitizeUserFaultEsr };
