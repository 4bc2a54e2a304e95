/**
 * arch/arm64/mm/fault.c: do_mem_abort() dispatching through fault_info[] (function references),
 * the fault handlers (do_translation_fault, do_page_fault, do_bad_area, do_bad, do_sea,
 * do_alignment_fault, do_tag_check_fault), the user signal path (set_thread_esr() sanitising,
 * __do_user_fault()), do_debug_exception(), and the report helpers of the same file: show_pte(),
 * mem_abort_decode() / data_abort_decode(), and 3.12's own unhandled-fault report.
 */
import type { ArchExceptionOutcome, ArchFaultOutcome } from '../../../src/include/faultpath/arch_ops.js';
import type { KernelState } from '../../../src/include/faultpath/kernel_state.js';
import { type KernelProfile, type KernelVersion, PROFILES } from '../../../src/include/faultpath/profile.js';
import { VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE } from '../../../src/include/linux/mm.js';
import type { Task } from '../../../src/include/linux/sched.js';
import { handle_mm_fault, hex } from '../../../src/mm/memory.js';
import { expand_stack, find_vma } from '../../../src/mm/mmap.js';
import { pagefault_out_of_memory } from '../../../src/mm/oom_kill.js';
import {
  ESR_ELx_CM,
  ESR_ELx_EA,
  ESR_ELx_EC,
  ESR_ELx_EC_BRK64,
  ESR_ELx_EC_DABT_LOW,
  ESR_ELx_EC_IABT_LOW,
  ESR_ELx_EC_MASK,
  ESR_ELx_FnV,
  ESR_ELx_FSC,
  ESR_ELx_FSC_FAULT,
  ESR_ELx_IL,
  ESR_ELx_ISS_MASK,
  ESR_ELx_ISV,
  ESR_ELx_S1PTW,
  ESR_ELx_SET_MASK,
  ESR_ELx_WNR,
  ESR_LNX_EXEC,
  esrFields,
  esrLow32,
  esr_get_class_string,
  esr_is_data_abort,
  is_write_abort,
} from '../include/asm/esr.js';
import type { pt_regs } from '../include/asm/ptrace.js';
import { brk_handler } from '../kernel/debug-monitors.js';
import { __show_regs } from '../kernel/process.js';
import {
  type Arm64ShowSignalFields,
  arm64ShowSignalText,
  arm64_force_sig_fault,
  arm64_notify_die,
  dumpInfoOf,
  showSignalFields,
} from '../kernel/traps.js';
import { FAULT_INFO, type FaultHandlerName, type FaultInfo, faultInfo } from './fault_info.js';
import { printk } from '../../../src/kernel/printk/printk.js';
import { VM_FAULT_ERROR } from '../../../src/include/linux/mm_types.js';
import { VM_FAULT_OOM } from '../../../src/include/linux/mm_types.js';
import { VM_FAULT_RETRY } from '../../../src/include/linux/mm_types.js';
import { VM_FAULT_SIGBUS } from '../../../src/include/linux/mm_types.js';
import { vmFaultName } from '../../../src/include/linux/mm_types.js';

export type Profile = KernelVersion;

/** arm64-private fault codes (mm/fault.c) */
export const VM_FAULT_BADMAP = 0x010000;
export const VM_FAULT_BADACCESS = 0x020000;

/** do_mem_abort(far, esr, regs) and its handlers' arguments, with the model's kernel state and current. */
export interface MemAbortCtx {
  k: KernelState;
  t: Task;
  far: bigint;
  esr: number;
  regs: pt_regs;
}

/**
 * A fault_info[] handler: `inf->fn(far, esr, regs)`.  The kernel's handlers return 0 when they
 * dealt with the fault; here they return how the fault ended, or null for "returned non-zero"
 * (do_bad), after which do_mem_abort() raises the table's signal.
 */
export type FaultFn = (c: MemAbortCtx) => ArchFaultOutcome | null;

/** `struct fault_info` with `fn` a function reference: the kernel's table do_mem_abort() dispatches through. */
export interface FaultInfoEntry extends Omit<FaultInfo, 'fn'> {
  readonly fn: FaultFn;
}

/** The handlers the per-version rows (fault_info.ts, data) name. */
const FAULT_HANDLERS: Readonly<Record<FaultHandlerName, FaultFn>> = {
  do_bad,
  do_translation_fault,
  do_page_fault,
  do_sea,
  do_tag_check_fault,
  do_alignment_fault,
};

/** `static const struct fault_info fault_info[]` of each modeled version. */
export const fault_info: Readonly<Record<Profile, readonly FaultInfoEntry[]>> = Object.freeze({
  '6.1': bind(FAULT_INFO['6.1']),
  '4.19': bind(FAULT_INFO['4.19']),
  '3.12': bind(FAULT_INFO['3.12']),
});

function bind(rows: readonly FaultInfo[]): readonly FaultInfoEntry[] {
  return Object.freeze(rows.map((r) => Object.freeze({ ...r, fn: FAULT_HANDLERS[r.fn] })));
}

/** `esr_to_fault_info(esr)` = `fault_info + (esr & ESR_ELx_FSC)`. */
export function esr_to_fault_info(k: KernelState, esr: number): FaultInfoEntry {
  return fault_info[k.profile.version][esr & ESR_ELx_FSC]!;
}

/** do_mem_abort(far, esr, regs): inf->fn; a non-zero return raises inf->sig via arm64_notify_die(). */
export function do_mem_abort(c: MemAbortCtx): ArchFaultOutcome {
  const { k } = c;
  return k.tracer.call(
    'do_mem_abort',
    { far: hex(Number(c.far)), esr: `0x${c.esr.toString(16)}` },
    () => {
      const inf = esr_to_fault_info(k, c.esr);
      const out = inf.fn(c);
      if (out) return out;
      arm64_notify_die(k, c.t, inf.sig, inf.codeName, c.far, () => userFaultReport(c, c.esr, inf.name, inf.sig));
      return { kind: 'signal' };
    },
    (o) => o.kind,
  );
}

function is_ttbr0_addr(addr: bigint): boolean {
  return addr < 1n << 48n;
}

/** do_bad(): "this is an abort we do not handle" — returns non-zero. */
function do_bad(): ArchFaultOutcome | null {
  return null;
}

/** do_sea(): a synchronous external abort — arm64_notify_die() with the table's signal. */
function do_sea(c: MemAbortCtx): ArchFaultOutcome {
  const inf = esr_to_fault_info(c.k, c.esr);
  // siaddr: FAR is valid unless ESR.FnV (never set by the model's CPU)
  const siaddr = c.esr & ESR_ELx_FnV ? 0n : c.far;
  arm64_notify_die(c.k, c.t, inf.sig, inf.codeName, siaddr, () => userFaultReport(c, c.esr, inf.name, inf.sig));
  return { kind: 'signal' };
}

/** do_alignment_fault(): no AArch32 fixups here — do_bad_area(). */
function do_alignment_fault(c: MemAbortCtx): ArchFaultOutcome {
  return do_bad_area(c);
}

/** do_tag_check_fault() (6.1, MTE): FAR bits 63:60 are UNKNOWN; the model keeps FAR — do_bad_area(). */
function do_tag_check_fault(c: MemAbortCtx): ArchFaultOutcome {
  return do_bad_area(c);
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

/** do_bad_area(): a user fault gets the fault_info signal through __do_user_fault(). */
function do_bad_area(c: MemAbortCtx): ArchFaultOutcome {
  return c.k.tracer.call(
    'do_bad_area',
    undefined,
    () => {
      const inf = esr_to_fault_info(c.k, c.esr);
      __do_user_fault(c, inf.sig, inf.codeName);
      return { kind: 'signal' as const };
    },
    (o) => o.kind,
  );
}

/** The vm_flags do_page_fault() requires of the VMA and the initial mm_flags, from the ESR. */
function faultFlagsOf(k: KernelState, esr: number): { mmFlags: number; vmFlags: number } {
  const F = k.profile.faultFlags;
  const mmFlags = F.DEFAULT | F.USER;
  if (ESR_ELx_EC(esr) === ESR_ELx_EC_IABT_LOW) return { vmFlags: VM_EXEC, mmFlags: mmFlags | F.INSTRUCTION };
  if (is_write_abort(esr)) return { vmFlags: VM_WRITE, mmFlags: mmFlags | F.WRITE };
  return { vmFlags: VM_READ | VM_WRITE | (k.profile.arm64ReadNeedsExecToo ? VM_EXEC : 0), mmFlags };
}

/** do_page_fault() (6.1 / 4.19 / 3.12 through profile data). */
function do_page_fault(c: MemAbortCtx): ArchFaultOutcome {
  const { k } = c;
  const F = k.profile.faultFlags;
  let { mmFlags, vmFlags } = faultFlagsOf(k, c.esr);
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
      if (fault & VM_FAULT_SIGBUS) __do_user_fault(c, 7, 'BUS_ADRERR');
      else __do_user_fault(c, 11, fault === VM_FAULT_BADACCESS ? 'SEGV_ACCERR' : 'SEGV_MAPERR');
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

/**
 * do_debug_exception(far, esr, regs): debug_fault_info[DBG_ESR_EVT(esr)]->fn.  The model's CPU
 * raises only BRK (DBG_ESR_EVT_BRK → brk_handler); hardware breakpoints, watchpoints and single
 * step are not modeled.
 */
export function do_debug_exception(c: MemAbortCtx): ArchExceptionOutcome {
  if (ESR_ELx_EC(c.esr) !== ESR_ELx_EC_BRK64)
    throw new Error(`do_debug_exception: ESR 0x${c.esr.toString(16)} is not a BRK (not raised by the model's CPU)`);
  return brk_handler();
}

// ---------------------------------------------------------------------------------------------
// The signal path of a user fault
// ---------------------------------------------------------------------------------------------

/** TASK_SIZE for a 64-bit task with 48-bit VAs (arm64 `TASK_SIZE_64 = 1 << vabits_actual`). */
export const ARM64_TASK_SIZE_48 = 1n << 48n;

export interface SanitizedEsr {
  /** the value stored in thread.fault_code */
  esr: number;
  /** whether the address was a kernel (non-TTBR0) address and the ESR was rewritten */
  sanitized: boolean;
  /**
   * The ESR whose fault_info[] name the report prints: 6.1 looks up `inf` before
   * set_thread_esr() (original ESR); 4.19 calls esr_to_fault_info() on the sanitised ESR.
   */
  nameEsr: number;
  /** WARN text printed when the EC is neither DABT_LOW nor IABT_LOW (ESR becomes 0) */
  warning?: string;
}

/**
 * ESR sanitising for user faults: 6.1 set_thread_esr(address, esr) and 4.19 __do_user_fault(info,
 * esr) record the fault address; if it is not a TTBR0 (user) address, they pretend the access hit
 * a level-0 translation fault, keeping only the bits userspace already knows.  The result is
 * thread.fault_code — what the signal frame's ESR record carries and what "unhandled exception:
 * …, ESR 0x…" prints.  3.12 does no sanitising.  `addr` is the address as the handler sees it
 * (6.1: untagged_addr(far); 4.19: entry.S already cleared the tag for data aborts, not for
 * instruction aborts).
 */
export function sanitizeUserFaultEsr(
  addr: bigint,
  esrIn: number | bigint,
  profile: KernelProfile = PROFILES['6.1'],
  taskSize: bigint = ARM64_TASK_SIZE_48,
): SanitizedEsr {
  const orig = esrLow32(esrIn);
  const mode = profile.report.arm64.esrSanitize;
  // is_ttbr0_addr(addr) == addr < TASK_SIZE in 6.1; 4.19 tests addr >= TASK_SIZE directly.
  if (mode === 'none' || addr < taskSize) return { esr: orig, sanitized: false, nameEsr: orig };
  let esr: number;
  let warning: string | undefined;
  switch (ESR_ELx_EC(orig)) {
    case ESR_ELx_EC_DABT_LOW:
      esr = ((orig & (ESR_ELx_EC_MASK | ESR_ELx_IL | ESR_ELx_CM | ESR_ELx_WNR)) | ESR_ELx_FSC_FAULT) >>> 0;
      break;
    case ESR_ELx_EC_IABT_LOW:
      esr = ((orig & (ESR_ELx_EC_MASK | ESR_ELx_IL)) | ESR_ELx_FSC_FAULT) >>> 0;
      break;
    default:
      // 6.1: WARN(1, "ESR 0x%lx is not DABT or IABT from EL0\n", esr); 4.19 uses "0x%x".
      warning = `ESR 0x${orig.toString(16)} is not DABT or IABT from EL0`;
      esr = 0;
      break;
  }
  return {
    esr,
    sanitized: true,
    nameEsr: mode === 'sanitized_name' ? esr : orig,
    ...(warning !== undefined ? { warning } : {}),
  };
}

/** set_thread_esr(address, esr): thread.fault_code, WARNing about an EC that cannot fault here. */
function set_thread_esr(c: MemAbortCtx): SanitizedEsr {
  const san = sanitizeUserFaultEsr(c.far, c.esr, c.k.profile);
  if (san.warning) printk(c.k, 4, san.warning);
  return san;
}

/**
 * __do_user_fault(inf, esr) (4.19; open-coded in 6.1's do_page_fault()/do_bad_area()):
 * set_thread_esr(), then arm64_force_sig_fault(sig, code, far, inf->name).  The report is the
 * version's (3.12's __do_user_fault() printed it itself).
 */
function __do_user_fault(c: MemAbortCtx, sig: number, code: string): void {
  const san = set_thread_esr(c);
  const name = faultInfo(c.k.profile.version, san.nameEsr).name;
  arm64_force_sig_fault(c.k, c.t, sig, code, c.far, () => userFaultReport(c, san.esr, name, sig));
}

/** The unhandled-user-fault report of the profile's version for the current task. */
function userFaultReport(c: MemAbortCtx, esr: number, name: string, sig: number): string[] {
  const fields = { ...showSignalFields(c.k, c.t, c.regs, esr, name), addr: c.far, sig };
  return formatArm64UnhandledFault(fields, c.k.profile);
}

// ---------------------------------------------------------------------------------------------
// The unhandled user-fault report
// ---------------------------------------------------------------------------------------------

export interface Arm64UnhandledFaultFields extends Arm64ShowSignalFields {
  /** 3.12 only: fault address, signal number and show_pte() inputs */
  addr?: bigint;
  sig?: number;
  pte?: Omit<ShowPteInput, 'addr'>;
}

/**
 * Everything the kernel prints for an unhandled user fault when debug.exception-trace is on
 * (callers decide whether it is on, whether unhandled_signal() holds and the ratelimit):
 * 6.1 arm64_show_signal(), 4.19 arm64_force_sig_info() (arch/arm64/kernel/traps.ts), 3.12
 * __do_user_fault()'s own pr_info + show_pte() + show_regs().
 */
export function formatArm64UnhandledFault(
  f: Arm64UnhandledFaultFields,
  profile: KernelProfile = PROFILES['6.1'],
): string[] {
  if (profile.report.arm64.userFaultReport === '__do_user_fault') return __do_user_fault_report(f, profile);
  return arm64ShowSignalText(f, profile);
}

/** 3.12 __do_user_fault(): pr_info line, show_pte(), show_regs(). */
function __do_user_fault_report(f: Arm64UnhandledFaultFields, profile: KernelProfile): string[] {
  const comm = f.comm.slice(0, 15);
  let esr = esrLow32(f.esr);
  if (ESR_ELx_EC(esr) === ESR_ELx_EC_IABT_LOW) esr = (esr | ESR_LNX_EXEC) >>> 0; // el0_ia's orr
  if (f.addr === undefined) throw new Error('3.12 report needs the fault address (addr)');
  const inf = faultInfo(profile.version, esr);
  const sig = f.sig ?? inf.sig;
  const name = f.faultName ?? inf.name;
  const out = [
    `${comm}[${f.pid}]: unhandled ${name} (${sig}) at 0x${hexPad(f.addr, 8)}, esr 0x${esr.toString(16).padStart(3, '0')}`,
  ];
  out.push(...show_pte({ addr: f.addr, ...(f.pte ?? { walk: { pgd: 0n } }) }, profile));
  // show_regs(): printk("\n") then __show_regs()
  out.push('');
  out.push(...__show_regs(dumpInfoOf(f), f, profile));
  return out;
}

/**
 * 3.12 do_mem_abort() for a handler that returned non-zero (do_bad rows): printed even for
 * user faults — `pr_alert("Unhandled fault: %s (0x%08x) at 0x%016lx\n", inf->name, esr, addr)`.
 * 4.19 prints "Unhandled fault at 0x%016lx" only for kernel mode; 6.1 nothing (die_kernel_fault).
 */
export function format312UnhandledFaultAlert(esrIn: number | bigint, addr: bigint): string {
  const esr = esrLow32(esrIn);
  return `Unhandled fault: ${faultInfo('3.12', esr).name} (0x${hexPad(esr, 8)}) at 0x${hexPad(addr, 16)}`;
}

// ---------------------------------------------------------------------------------------------
// show_pte()
// ---------------------------------------------------------------------------------------------

const u64 = (v: bigint | number): bigint => BigInt.asUintN(64, BigInt(v));
/** `%0Nllx` */
const hexPad = (v: bigint | number, w: number): string => u64(v).toString(16).padStart(w, '0');

/**
 * Descriptor values show_pte() reads, top-down.  With 4 KiB pages: 6.1/4.19 (48-bit VA, four
 * levels) `pgd` = level-0 entry, `pud` = level 1, `pmd` = level 2, `pte` = level 3.  3.12
 * (39-bit VA, three levels, pud folded into pgd) `pgd` = level-1 entry, `pmd` = level 2,
 * `pte` = level 3 (`pud` unused).  Entries below the first empty/non-table one may be omitted.
 */
export interface PteWalk {
  pgd: bigint;
  pud?: bigint;
  pmd?: bigint;
  pte?: bigint;
}

export interface ShowPteInput {
  addr: bigint;
  walk: PteWalk;
  /** 6.1: physical address of mm->pgd (printed as "pgdp=%016lx") */
  pgdPhys?: bigint;
  /** 4.19 "pgdp = %p" / 3.12 "pgd = %p": the pointer text; 4.19 hashes %p, pass its printed form */
  pgdPtrText?: string;
  /** mm == &init_mm ("swapper") rather than a user mm */
  swapper?: boolean;
  /** VA_BITS / vabits_actual (48 on the modeled kernels) */
  vaBits?: number;
}

const isNone = (v: bigint) => v === 0n;
const noTableBit = (v: bigint) => (v & 2n) === 0n; // pgd/p4d/pud/pmd_bad in 4.19 and 3.12; p4d_bad in 6.1
const notTable = (v: bigint) => (v & 3n) !== 3n; // 6.1 pud_bad/pmd_bad: !pud_table()/!pmd_table()

/** show_pte(addr): the lines for a user (TTBR0) address, in the version's format. */
export function show_pte(inp: ShowPteInput, profile: KernelProfile = PROFILES['6.1']): string[] {
  return SHOW_PTE[profile.report.arm64.showPte](inp);
}

/** 6.1: "pgdp=%016llx" (physical), the folded p4d printed, pud_table()/pmd_table() checks. */
function show_pte_61(inp: ShowPteInput): string[] {
  const { addr, walk } = inp;
  const pud = walk.pud ?? 0n;
  const pmd = walk.pmd ?? 0n;
  const head = `${inp.swapper ? 'swapper' : 'user'} pgtable: 4k pages, ${inp.vaBits ?? 48}-bit VAs, pgdp=${hexPad(inp.pgdPhys ?? 0n, 16)}`;
  let line = `[${hexPad(addr, 16)}] pgd=${hexPad(walk.pgd, 16)}`;
  // the p4d level is folded into the pgd (pgd_none/pgd_bad are constant 0): p4d == pgd entry
  do {
    line += `, p4d=${hexPad(walk.pgd, 16)}`;
    if (isNone(walk.pgd) || noTableBit(walk.pgd)) break;
    line += `, pud=${hexPad(pud, 16)}`;
    if (isNone(pud) || notTable(pud)) break;
    line += `, pmd=${hexPad(pmd, 16)}`;
    if (isNone(pmd) || notTable(pmd)) break;
    line += `, pte=${hexPad(walk.pte ?? 0n, 16)}`;
  } while (false);
  return [head, line];
}

/** 4.19: "pgdp = %p", four levels, pXd_bad() checks. */
function show_pte_419(inp: ShowPteInput): string[] {
  const { addr, walk } = inp;
  const pud = walk.pud ?? 0n;
  const pmd = walk.pmd ?? 0n;
  const head = `${inp.swapper ? 'swapper' : 'user'} pgtable: 4k pages, ${inp.vaBits ?? 48}-bit VAs, pgdp = ${inp.pgdPtrText ?? hexPad(inp.pgdPhys ?? 0n, 16)}`;
  let line = `[${hexPad(addr, 16)}] pgd=${hexPad(walk.pgd, 16)}`;
  do {
    if (isNone(walk.pgd) || noTableBit(walk.pgd)) break;
    line += `, pud=${hexPad(pud, 16)}`;
    if (isNone(pud) || noTableBit(pud)) break;
    line += `, pmd=${hexPad(pmd, 16)}`;
    if (isNone(pmd) || noTableBit(pmd)) break;
    line += `, pte=${hexPad(walk.pte ?? 0n, 16)}`;
  } while (false);
  return [head, line];
}

/** 3.12: "pgd = %p", "[%08lx] *pgd=%016llx"; the folded pud is checked but never printed. */
function show_pte_312(inp: ShowPteInput): string[] {
  const { addr, walk } = inp;
  const pmd = walk.pmd ?? 0n;
  const head = `pgd = ${inp.pgdPtrText ?? hexPad(inp.pgdPhys ?? 0n, 16)}`;
  let line = `[${hexPad(addr, 8)}] *pgd=${hexPad(walk.pgd, 16)}`;
  do {
    if (isNone(walk.pgd) || noTableBit(walk.pgd)) break; // pud_none/pud_bad on the folded entry
    line += `, *pmd=${hexPad(pmd, 16)}`;
    if (isNone(pmd) || noTableBit(pmd)) break;
    line += `, *pte=${hexPad(walk.pte ?? 0n, 16)}`;
  } while (false);
  return [head, line];
}

/** show_pte()'s format of each version, selected by the profile (its header format). */
const SHOW_PTE: Readonly<Record<KernelProfile['report']['arm64']['showPte'], (inp: ShowPteInput) => string[]>> = {
  'pgdp=%016llx': show_pte_61,
  'pgdp = %p': show_pte_419,
  'pgd = %p': show_pte_312,
};

// ---------------------------------------------------------------------------------------------
// mem_abort_decode() / data_abort_decode()
// ---------------------------------------------------------------------------------------------

/** data_abort_decode(esr): the "Data abort info:" block. */
function data_abort_decode(e: number): string[] {
  const f = esrFields(e);
  const out = ['Data abort info:'];
  if (e & ESR_ELx_ISV) {
    out.push(`  Access size = ${1 << f.sas} byte(s)`);
    out.push(`  SSE = ${f.sse}, SRT = ${f.srt}`);
    out.push(`  SF = ${f.sf}, AR = ${f.ar}`);
  } else {
    out.push(`  ISV = 0, ISS = 0x${hexPad((e & ESR_ELx_ISS_MASK) >>> 0, 8)}`);
  }
  out.push(`  CM = ${e & ESR_ELx_CM ? 1 : 0}, WnR = ${f.wnr}`);
  return out;
}

/**
 * The lines mem_abort_decode(esr) prints (pr_alert) — 6.1 and 4.19 formats.  3.12 has no
 * mem_abort_decode(); an empty array is returned for it.
 */
export function mem_abort_decode(esrIn: number | bigint, profile: KernelProfile = PROFILES['6.1']): string[] {
  const fmt = profile.report.arm64.memAbortDecode;
  if (fmt === null) return [];
  const e = esrLow32(esrIn);
  const f = esrFields(e);
  const cls = esr_get_class_string(e, profile.version);
  const out = ['Mem abort info:'];
  if (fmt === 'ec_fsc') {
    out.push(`  ESR = 0x${hexPad(typeof esrIn === 'bigint' ? esrIn : e, 16)}`);
    out.push(`  EC = 0x${f.ec.toString(16).padStart(2, '0')}: ${cls}, IL = ${e & ESR_ELx_IL ? 32 : 16} bits`);
  } else {
    out.push(`  ESR = 0x${hexPad(e, 8)}`);
    out.push(`  Exception class = ${cls}, IL = ${e & ESR_ELx_IL ? 32 : 16} bits`);
  }
  out.push(`  SET = ${(e & ESR_ELx_SET_MASK) >>> 11}, FnV = ${e & ESR_ELx_FnV ? 1 : 0}`);
  out.push(`  EA = ${e & ESR_ELx_EA ? 1 : 0}, S1PTW = ${e & ESR_ELx_S1PTW ? 1 : 0}`);
  if (fmt === 'ec_fsc')
    out.push(`  FSC = 0x${(e & ESR_ELx_FSC).toString(16).padStart(2, '0')}: ${faultInfo(profile.version, e).name}`);
  if (esr_is_data_abort(e)) out.push(...data_abort_decode(e));
  return out;
}
