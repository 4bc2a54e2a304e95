/**
 * The AArch64 exception syndrome the model's CPU reports to EL1: ESR_EL1 and FAR_EL1 for a stage-1
 * abort the MMU walk refused, and the ESR of the synchronous exceptions the engine raises itself
 * (undefined instruction, BRK).  This is the hardware's side: field layouts and values are the
 * Arm ARM's (DDI 0487, D17.2.37 "ESR_EL1"); the kernel's names for the same fields live in
 * arch/arm64/include/asm/esr.ts, which imports the values from here.
 */
import type { Access } from './cpu.js';
import type { PageTable } from './mmu.js';

// ---------------------------------------------------------------------------------------------
// ESR_ELx layout
// ---------------------------------------------------------------------------------------------

/** EC, bits [31:26]: the exception class */
export const ESR_EC_SHIFT = 26;
/** IL, bit [25]: 32-bit instruction (always 1 for the A64 exceptions modeled) */
export const ESR_IL_SHIFT = 25;
export const ESR_IL = 1 << ESR_IL_SHIFT;

/** ISS fields of data and instruction aborts */
export const ESR_ISS_ISV_SHIFT = 24;
export const ESR_ISS_ISV = 1 << ESR_ISS_ISV_SHIFT;
export const ESR_ISS_SET_SHIFT = 11;
export const ESR_ISS_FNV_SHIFT = 10;
export const ESR_ISS_FNV = 1 << ESR_ISS_FNV_SHIFT;
export const ESR_ISS_EA_SHIFT = 9;
export const ESR_ISS_EA = 1 << ESR_ISS_EA_SHIFT;
export const ESR_ISS_CM_SHIFT = 8;
export const ESR_ISS_CM = 1 << ESR_ISS_CM_SHIFT;
export const ESR_ISS_S1PTW_SHIFT = 7;
export const ESR_ISS_S1PTW = 1 << ESR_ISS_S1PTW_SHIFT;
export const ESR_ISS_WNR_SHIFT = 6;
export const ESR_ISS_WNR = 1 << ESR_ISS_WNR_SHIFT;
/** DFSC/IFSC, bits [5:0] */
export const ESR_ISS_FSC = 0x3f;
/** ISS of BRK: the instruction's 16-bit comment */
export const ESR_ISS_BRK_COMMENT = 0xffff;

/** Exception classes the model's CPU raises (and their current-EL twins, for completeness). */
export const EC_UNKNOWN = 0x00;
export const EC_SVC64 = 0x15;
export const EC_IABT_LOWER = 0x20;
export const EC_IABT_SAME = 0x21;
export const EC_DABT_LOWER = 0x24;
export const EC_DABT_SAME = 0x25;
export const EC_BRK64 = 0x3c;

/** Fault status codes: type in [5:2], translation level in [1:0]. */
export const FSC_TRANSLATION = 0x04;
export const FSC_ACCESS_FLAG = 0x08;
export const FSC_PERMISSION = 0x0c;
/** Alignment fault FSC (index 33 of the kernel's fault_info[]). */
export const FSC_ALIGNMENT = 0x21;

function checkLevel(level: number): number {
  if (!Number.isInteger(level) || level < 0 || level > 3)
    throw new RangeError(`translation level must be 0..3, got ${level}`);
  return level;
}

/** FSC for a translation fault at table level 0..3 (0x04 + level). */
export function fscTranslation(level: 0 | 1 | 2 | 3): number {
  return FSC_TRANSLATION | checkLevel(level);
}

/** FSC for an access-flag fault at level 1..3 (0x08 + level). */
export function fscAccessFlag(level: 1 | 2 | 3): number {
  return FSC_ACCESS_FLAG | checkLevel(level);
}

/** FSC for a permission fault at level 1..3 (0x0C + level). */
export function fscPermission(level: 1 | 2 | 3): number {
  return FSC_PERMISSION | checkLevel(level);
}

// ---------------------------------------------------------------------------------------------
// Builders.  For aborts taken to EL1 the CPUs faultpath models report ISV=0 and IL=1 (the
// comment in the kernel's set_thread_esr() relies on ISS[23:14] being clear for such faults; the
// oracle's real ESRs, e.g. 0x92000046 and 0x8200000f, have IL set).
// ---------------------------------------------------------------------------------------------

export interface DataAbortEsrOptions {
  /** WnR: the access was a write */
  write: boolean;
  /** DFSC, bits [5:0] */
  fsc: number;
  /** cache-maintenance operation (CM); the kernel's is_write_abort() ignores WnR when set */
  cm?: boolean;
  /** fault on the stage-1 translation table walk (S1PTW) */
  s1ptw?: boolean;
  /** FAR not valid (FnV) */
  fnv?: boolean;
  /** external abort type (EA) */
  ea?: boolean;
  /** taken from EL0 ('lower', EC 0x24, default) or from EL1 ('current', EC 0x25) */
  el?: 'lower' | 'current';
  /** IL bit; defaults to true (32-bit instruction) */
  il?: boolean;
}

function checkFsc(fsc: number): number {
  if (!Number.isInteger(fsc) || fsc < 0 || fsc > ESR_ISS_FSC) throw new RangeError(`FSC must be 0..0x3f, got ${fsc}`);
  return fsc;
}

/**
 * Build a bit-exact data-abort ESR as the CPU reports it to EL1:
 * read L3 translation → 0x92000007, write L2 translation → 0x92000046,
 * write L3 permission → 0x9200004f.
 */
export function buildDataAbortEsr(o: DataAbortEsrOptions): number {
  const ec = o.el === 'current' ? EC_DABT_SAME : EC_DABT_LOWER;
  let esr = (ec << ESR_EC_SHIFT) >>> 0;
  if (o.il ?? true) esr |= ESR_IL;
  if (o.fnv) esr |= ESR_ISS_FNV;
  if (o.ea) esr |= ESR_ISS_EA;
  if (o.cm) esr |= ESR_ISS_CM;
  if (o.s1ptw) esr |= ESR_ISS_S1PTW;
  if (o.write) esr |= ESR_ISS_WNR;
  esr |= checkFsc(o.fsc);
  return esr >>> 0;
}

export interface InstrAbortEsrOptions {
  el?: 'lower' | 'current';
  s1ptw?: boolean;
  fnv?: boolean;
  ea?: boolean;
  il?: boolean;
}

/** Build an instruction-abort ESR: exec L3 permission → 0x8200000f, L3 translation → 0x82000007. */
export function buildInstrAbortEsr(fsc: number, o: InstrAbortEsrOptions = {}): number {
  const ec = o.el === 'current' ? EC_IABT_SAME : EC_IABT_LOWER;
  let esr = (ec << ESR_EC_SHIFT) >>> 0;
  if (o.il ?? true) esr |= ESR_IL;
  if (o.fnv) esr |= ESR_ISS_FNV;
  if (o.ea) esr |= ESR_ISS_EA;
  if (o.s1ptw) esr |= ESR_ISS_S1PTW;
  esr |= checkFsc(fsc);
  return esr >>> 0;
}

// ---------------------------------------------------------------------------------------------
// The exception record the vector receives
// ---------------------------------------------------------------------------------------------

/** A synchronous exception from EL0 as EL1 sees it: ESR_EL1, FAR_EL1, ELR_EL1. */
export interface Arm64SyncException {
  esr: number;
  far: bigint;
  /** ELR_EL1: the faulting instruction (for a fetch, the address being fetched) */
  elr: bigint;
  /** what raised it: the MMU refusing an access, or the CPU executing an instruction */
  source: 'mmu' | 'cpu';
  /** the refused access (MMU exceptions only) */
  access?: Access;
}

/**
 * The fault status the MMU reports for a refused user access: a translation fault at the level
 * where the walk read an invalid descriptor, or a permission fault at the leaf (level 3).  TTBR1
 * (kernel) addresses are walked through tables the model leaves empty, so they fault at level 0.
 */
export function arm64AbortFsc(pgtable: PageTable, address: bigint): number {
  if (address >= 1n << 48n) return fscTranslation(0);
  const w = pgtable.walk(Number(address));
  if (w.level === 4) return fscPermission(3);
  return fscTranslation(w.level as 0 | 1 | 2 | 3);
}

/** The data or instruction abort (EC 0x24 / 0x20, taken from EL0) for an access the MMU refused. */
export function arm64AbortException(
  pgtable: PageTable,
  address: bigint,
  access: Access,
  pc: bigint,
): Arm64SyncException {
  const fsc = arm64AbortFsc(pgtable, address);
  const esr = access === 'fetch' ? buildInstrAbortEsr(fsc) : buildDataAbortEsr({ write: access === 'write', fsc });
  return { esr, far: address, elr: pc, source: 'mmu', access };
}

/** Unicorn's exception numbers for ARM (QEMU target/arm EXCP_*), as its interrupt hook reports them. */
export const EXCP_UDEF = 1;
export const EXCP_SWI = 2;
export const EXCP_BKPT = 7;

/**
 * The syndrome of an exception the engine raised while executing `insn` (the A64 word at pc).
 * EXCP_BKPT is a BRK (EC 0x3c, ISS = the 16-bit comment).  Everything else the engine stops on
 * — undefined encodings, HVC/SMC/HLT at EL0 — is UNDEFINED at EL0: EC 0 ("unknown reason").
 * FAR is UNKNOWN for these classes; the model reports 0.
 */
export function arm64CpuException(intno: number, pc: bigint, insn: number | undefined): Arm64SyncException {
  let esr = ESR_IL;
  if (intno === EXCP_BKPT) esr |= (EC_BRK64 << ESR_EC_SHIFT) | (((insn ?? 0) >>> 5) & ESR_ISS_BRK_COMMENT);
  else esr |= EC_UNKNOWN << ESR_EC_SHIFT;
  return { esr: esr >>> 0, far: 0n, elr: pc, source: 'cpu' };
}
