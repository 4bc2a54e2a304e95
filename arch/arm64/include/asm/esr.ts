/**
 * ESR_ELx (Exception Syndrome Register) layout, as Linux names it.
 *
 * Mirrors arch/arm64/include/asm/esr.h (6.1 and 4.19: identical values; 3.12 used the older
 * `ESR_EL1_*` names with the same bit positions) plus the `esr_class_str[]` table of
 * arch/arm64/kernel/traps.c.  This is the decoding side, under the kernel's names; the values of
 * the fields and classes the model's CPU reports are the hardware's (src/hw/arm64-syndrome.ts,
 * which also builds the ESRs) and are imported from there, so each is defined once.
 *
 * Everything here is pure data and pure functions.  An ESR value is handled as a `number`
 * holding the low 32 bits (EC/IL/ISS); 6.1 stores ESR in an `unsigned long`, whose upper bits
 * (ISS2, FEAT_LS64 and later) are RES0 on every CPU faultpath models, so functions that print
 * a 64-bit ESR accept `bigint` as well.
 */
import {
  EC_BRK64,
  EC_DABT_LOWER,
  EC_DABT_SAME,
  EC_IABT_LOWER,
  EC_IABT_SAME,
  EC_SVC64,
  EC_UNKNOWN,
  ESR_EC_SHIFT,
  ESR_IL,
  ESR_IL_SHIFT,
  ESR_ISS_CM,
  ESR_ISS_CM_SHIFT,
  ESR_ISS_EA,
  ESR_ISS_EA_SHIFT,
  ESR_ISS_FNV,
  ESR_ISS_FNV_SHIFT,
  ESR_ISS_FSC,
  ESR_ISS_ISV,
  ESR_ISS_ISV_SHIFT,
  ESR_ISS_S1PTW,
  ESR_ISS_S1PTW_SHIFT,
  ESR_ISS_SET_SHIFT,
  ESR_ISS_WNR,
  ESR_ISS_WNR_SHIFT,
  FSC_ACCESS_FLAG,
  FSC_PERMISSION,
  FSC_TRANSLATION,
} from '../../../../src/hw/arm64-syndrome.js';
import type { KernelVersion } from '../../../../src/include/faultpath/profile.js';

export type Profile = KernelVersion;

// ---------------------------------------------------------------------------------------------
// Exception classes (ESR_ELx.EC, bits [31:26]).  Values are architectural; the names are the
// kernel's ESR_ELx_EC_* suffixes.
// ---------------------------------------------------------------------------------------------
export const ESR_ELx_EC_UNKNOWN = EC_UNKNOWN;
export const ESR_ELx_EC_WFx = 0x01;
export const ESR_ELx_EC_CP15_32 = 0x03;
export const ESR_ELx_EC_CP15_64 = 0x04;
export const ESR_ELx_EC_CP14_MR = 0x05;
export const ESR_ELx_EC_CP14_LS = 0x06;
export const ESR_ELx_EC_FP_ASIMD = 0x07;
export const ESR_ELx_EC_CP10_ID = 0x08;
/** 6.1 only (pointer authentication trap, EL2 and above) */
export const ESR_ELx_EC_PAC = 0x09;
export const ESR_ELx_EC_CP14_64 = 0x0c;
/** 6.1 only (branch target identification) */
export const ESR_ELx_EC_BTI = 0x0d;
export const ESR_ELx_EC_ILL = 0x0e;
export const ESR_ELx_EC_SVC32 = 0x11;
export const ESR_ELx_EC_HVC32 = 0x12;
export const ESR_ELx_EC_SMC32 = 0x13;
export const ESR_ELx_EC_SVC64 = EC_SVC64;
export const ESR_ELx_EC_HVC64 = 0x16;
export const ESR_ELx_EC_SMC64 = 0x17;
export const ESR_ELx_EC_SYS64 = 0x18;
export const ESR_ELx_EC_SVE = 0x19;
/** 6.1 only */
export const ESR_ELx_EC_ERET = 0x1a;
/** 6.1 only */
export const ESR_ELx_EC_FPAC = 0x1c;
/** 6.1 only */
export const ESR_ELx_EC_SME = 0x1d;
export const ESR_ELx_EC_IMP_DEF = 0x1f;
export const ESR_ELx_EC_IABT_LOW = EC_IABT_LOWER;
export const ESR_ELx_EC_IABT_CUR = EC_IABT_SAME;
export const ESR_ELx_EC_PC_ALIGN = 0x22;
export const ESR_ELx_EC_DABT_LOW = EC_DABT_LOWER;
export const ESR_ELx_EC_DABT_CUR = EC_DABT_SAME;
export const ESR_ELx_EC_SP_ALIGN = 0x26;
export const ESR_ELx_EC_FP_EXC32 = 0x28;
export const ESR_ELx_EC_FP_EXC64 = 0x2c;
export const ESR_ELx_EC_SERROR = 0x2f;
export const ESR_ELx_EC_BREAKPT_LOW = 0x30;
export const ESR_ELx_EC_BREAKPT_CUR = 0x31;
export const ESR_ELx_EC_SOFTSTP_LOW = 0x32;
export const ESR_ELx_EC_SOFTSTP_CUR = 0x33;
export const ESR_ELx_EC_WATCHPT_LOW = 0x34;
export const ESR_ELx_EC_WATCHPT_CUR = 0x35;
export const ESR_ELx_EC_BKPT32 = 0x38;
export const ESR_ELx_EC_VECTOR32 = 0x3a;
export const ESR_ELx_EC_BRK64 = EC_BRK64;
export const ESR_ELx_EC_MAX = 0x3f;

/** EC value → the kernel's constant suffix (`DABT_LOW` for ESR_ELx_EC_DABT_LOW, …). */
export const ESR_EC_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x00: 'UNKNOWN',
  0x01: 'WFx',
  0x03: 'CP15_32',
  0x04: 'CP15_64',
  0x05: 'CP14_MR',
  0x06: 'CP14_LS',
  0x07: 'FP_ASIMD',
  0x08: 'CP10_ID',
  0x09: 'PAC',
  0x0c: 'CP14_64',
  0x0d: 'BTI',
  0x0e: 'ILL',
  0x11: 'SVC32',
  0x12: 'HVC32',
  0x13: 'SMC32',
  0x15: 'SVC64',
  0x16: 'HVC64',
  0x17: 'SMC64',
  0x18: 'SYS64',
  0x19: 'SVE',
  0x1a: 'ERET',
  0x1c: 'FPAC',
  0x1d: 'SME',
  0x1f: 'IMP_DEF',
  0x20: 'IABT_LOW',
  0x21: 'IABT_CUR',
  0x22: 'PC_ALIGN',
  0x24: 'DABT_LOW',
  0x25: 'DABT_CUR',
  0x26: 'SP_ALIGN',
  0x28: 'FP_EXC32',
  0x2c: 'FP_EXC64',
  0x2f: 'SERROR',
  0x30: 'BREAKPT_LOW',
  0x31: 'BREAKPT_CUR',
  0x32: 'SOFTSTP_LOW',
  0x33: 'SOFTSTP_CUR',
  0x34: 'WATCHPT_LOW',
  0x35: 'WATCHPT_CUR',
  0x38: 'BKPT32',
  0x3a: 'VECTOR32',
  0x3c: 'BRK64',
});

// ---------------------------------------------------------------------------------------------
// Field layout
// ---------------------------------------------------------------------------------------------
export const ESR_ELx_EC_SHIFT = ESR_EC_SHIFT;
export const ESR_ELx_EC_WIDTH = 6;
export const ESR_ELx_EC_MASK = (ESR_ELx_EC_MAX << ESR_ELx_EC_SHIFT) >>> 0; // kept positive
export const ESR_ELx_IL_SHIFT = ESR_IL_SHIFT;
export const ESR_ELx_IL = ESR_IL;
export const ESR_ELx_ISS_MASK = ESR_ELx_IL - 1; // 0x01ffffff

/** ISS field shared by several classes */
export const ESR_ELx_WNR_SHIFT = ESR_ISS_WNR_SHIFT;
export const ESR_ELx_WNR = ESR_ISS_WNR;

/** Shared ISS fields for data/instruction aborts */
export const ESR_ELx_SET_SHIFT = ESR_ISS_SET_SHIFT;
export const ESR_ELx_SET_MASK = 3 << ESR_ELx_SET_SHIFT;
export const ESR_ELx_FnV_SHIFT = ESR_ISS_FNV_SHIFT;
export const ESR_ELx_FnV = ESR_ISS_FNV;
export const ESR_ELx_EA_SHIFT = ESR_ISS_EA_SHIFT;
export const ESR_ELx_EA = ESR_ISS_EA;
export const ESR_ELx_S1PTW_SHIFT = ESR_ISS_S1PTW_SHIFT;
export const ESR_ELx_S1PTW = ESR_ISS_S1PTW;

/** Fault status code (IFSC/DFSC) */
export const ESR_ELx_FSC = ESR_ISS_FSC;
export const ESR_ELx_FSC_TYPE = 0x3c;
export const ESR_ELx_FSC_LEVEL = 0x03;
export const ESR_ELx_FSC_EXTABT = 0x10;
/** 6.1 only (MTE synchronous tag check fault) */
export const ESR_ELx_FSC_MTE = 0x11;
export const ESR_ELx_FSC_SERROR = 0x11;
export const ESR_ELx_FSC_ACCESS = FSC_ACCESS_FLAG;
export const ESR_ELx_FSC_FAULT = FSC_TRANSLATION;
export const ESR_ELx_FSC_PERM = FSC_PERMISSION;

/** ISS fields for data aborts */
export const ESR_ELx_ISV_SHIFT = ESR_ISS_ISV_SHIFT;
export const ESR_ELx_ISV = ESR_ISS_ISV;
export const ESR_ELx_SAS_SHIFT = 22;
export const ESR_ELx_SAS = 3 << ESR_ELx_SAS_SHIFT;
export const ESR_ELx_SSE_SHIFT = 21;
export const ESR_ELx_SSE = 1 << ESR_ELx_SSE_SHIFT;
export const ESR_ELx_SRT_SHIFT = 16;
export const ESR_ELx_SRT_MASK = 0x1f << ESR_ELx_SRT_SHIFT;
export const ESR_ELx_SF_SHIFT = 15;
export const ESR_ELx_SF = 1 << ESR_ELx_SF_SHIFT;
export const ESR_ELx_AR_SHIFT = 14;
export const ESR_ELx_AR = 1 << ESR_ELx_AR_SHIFT;
export const ESR_ELx_CM_SHIFT = ESR_ISS_CM_SHIFT;
export const ESR_ELx_CM = ESR_ISS_CM;

/**
 * 3.12 only: entry.S `el0_ia` ORs this *reserved* ISS bit into the ESR copy it hands to
 * `do_mem_abort()` (`orr x1, x25, #1 << 24`) so that `do_page_fault()` can tell instruction
 * aborts from data aborts (include/asm/exception.h in 3.12 names it ESR_LNX_EXEC).
 */
export const ESR_LNX_EXEC = 1 << 24;

// ---------------------------------------------------------------------------------------------
// Extractors
// ---------------------------------------------------------------------------------------------

/** Normalise an ESR given as number or bigint to its low 32 bits (unsigned). */
export function esrLow32(esr: number | bigint): number {
  if (typeof esr === 'bigint') {
    if (esr < 0n) throw new RangeError(`ESR must be non-negative, got ${esr}`);
    return Number(esr & 0xffffffffn);
  }
  if (!Number.isInteger(esr) || esr < 0 || esr > 0xffffffff) {
    throw new RangeError(`ESR must be a 32-bit unsigned integer, got ${esr}`);
  }
  return esr >>> 0;
}

/** `ESR_ELx_EC(esr)` */
export function ESR_ELx_EC(esr: number | bigint): number {
  return esrLow32(esr) >>> ESR_ELx_EC_SHIFT;
}

/** `ESR_ELx_ISS(esr)` */
export function ESR_ELx_ISS(esr: number | bigint): number {
  return (esrLow32(esr) & ESR_ELx_ISS_MASK) >>> 0;
}

/** Every architectural field of a data/instruction abort ESR, as plain numbers. */
export interface EsrFields {
  esr: number;
  ec: number;
  il: number;
  iss: number;
  isv: number;
  sas: number;
  sse: number;
  srt: number;
  sf: number;
  ar: number;
  set: number;
  fnv: number;
  ea: number;
  cm: number;
  s1ptw: number;
  wnr: number;
  fsc: number;
}

export function esrFields(esrIn: number | bigint): EsrFields {
  const esr = esrLow32(esrIn);
  const bit = (m: number, s: number) => ((esr & m) >>> s) & 0xff;
  return {
    esr,
    ec: ESR_ELx_EC(esr),
    il: bit(ESR_ELx_IL, ESR_ELx_IL_SHIFT),
    iss: ESR_ELx_ISS(esr),
    isv: bit(ESR_ELx_ISV, ESR_ELx_ISV_SHIFT),
    sas: bit(ESR_ELx_SAS, ESR_ELx_SAS_SHIFT),
    sse: bit(ESR_ELx_SSE, ESR_ELx_SSE_SHIFT),
    srt: bit(ESR_ELx_SRT_MASK, ESR_ELx_SRT_SHIFT),
    sf: bit(ESR_ELx_SF, ESR_ELx_SF_SHIFT),
    ar: bit(ESR_ELx_AR, ESR_ELx_AR_SHIFT),
    set: bit(ESR_ELx_SET_MASK, ESR_ELx_SET_SHIFT),
    fnv: bit(ESR_ELx_FnV, ESR_ELx_FnV_SHIFT),
    ea: bit(ESR_ELx_EA, ESR_ELx_EA_SHIFT),
    cm: bit(ESR_ELx_CM, ESR_ELx_CM_SHIFT),
    s1ptw: bit(ESR_ELx_S1PTW, ESR_ELx_S1PTW_SHIFT),
    wnr: bit(ESR_ELx_WNR, ESR_ELx_WNR_SHIFT),
    fsc: esr & ESR_ELx_FSC,
  };
}

/** `esr_is_data_abort()` (esr.h): DABT from a lower or the current EL. */
export function esr_is_data_abort(esr: number | bigint): boolean {
  const ec = ESR_ELx_EC(esr);
  return ec === ESR_ELx_EC_DABT_LOW || ec === ESR_ELx_EC_DABT_CUR;
}

/** IABT from a lower or the current EL (the instruction-abort counterpart; not a 6.1 helper). */
export function esr_is_instr_abort(esr: number | bigint): boolean {
  const ec = ESR_ELx_EC(esr);
  return ec === ESR_ELx_EC_IABT_LOW || ec === ESR_ELx_EC_IABT_CUR;
}

/** `is_write_abort()` (arch/arm64/mm/fault.c): WnR set and not a cache maintenance op. */
export function is_write_abort(esr: number | bigint): boolean {
  const e = esrLow32(esr);
  return (e & ESR_ELx_WNR) !== 0 && (e & ESR_ELx_CM) === 0;
}

/** `esr & ESR_ELx_FSC_TYPE` */
export function esrFscType(esr: number | bigint): number {
  return esrLow32(esr) & ESR_ELx_FSC_TYPE;
}

/** `esr & ESR_ELx_FSC_LEVEL` — only meaningful for translation/access-flag/permission/walk faults */
export function esrFscLevel(esr: number | bigint): number {
  return esrLow32(esr) & ESR_ELx_FSC_LEVEL;
}

/** FSC 0x04..0x07 (named as in later kernels' esr_fsc_is_translation_fault) */
export function esr_fsc_is_translation_fault(esr: number | bigint): boolean {
  return esrFscType(esr) === ESR_ELx_FSC_FAULT;
}

/** FSC 0x0C..0x0F (0x0C is "unknown 12" in Linux's table; architecturally level-0 with LPA2) */
export function esr_fsc_is_permission_fault(esr: number | bigint): boolean {
  return esrFscType(esr) === ESR_ELx_FSC_PERM;
}

/** FSC 0x08..0x0B */
export function esr_fsc_is_access_flag_fault(esr: number | bigint): boolean {
  return esrFscType(esr) === ESR_ELx_FSC_ACCESS;
}

// ---------------------------------------------------------------------------------------------
// esr_class_str[] (arch/arm64/kernel/traps.c) — what "unhandled exception:" and
// mem_abort_decode() print for the EC.  3.12 has no such table (its messages print the
// fault_info name only); for 3.12 the 4.19 table is returned so that explain output stays
// readable, and callers that format 3.12 logs never use it.
// ---------------------------------------------------------------------------------------------

const CLASS_STR_419: Readonly<Record<number, string>> = {
  [ESR_ELx_EC_UNKNOWN]: 'Unknown/Uncategorized',
  [ESR_ELx_EC_WFx]: 'WFI/WFE',
  [ESR_ELx_EC_CP15_32]: 'CP15 MCR/MRC',
  [ESR_ELx_EC_CP15_64]: 'CP15 MCRR/MRRC',
  [ESR_ELx_EC_CP14_MR]: 'CP14 MCR/MRC',
  [ESR_ELx_EC_CP14_LS]: 'CP14 LDC/STC',
  [ESR_ELx_EC_FP_ASIMD]: 'ASIMD',
  [ESR_ELx_EC_CP10_ID]: 'CP10 MRC/VMRS',
  [ESR_ELx_EC_CP14_64]: 'CP14 MCRR/MRRC',
  [ESR_ELx_EC_ILL]: 'PSTATE.IL',
  [ESR_ELx_EC_SVC32]: 'SVC (AArch32)',
  [ESR_ELx_EC_HVC32]: 'HVC (AArch32)',
  [ESR_ELx_EC_SMC32]: 'SMC (AArch32)',
  [ESR_ELx_EC_SVC64]: 'SVC (AArch64)',
  [ESR_ELx_EC_HVC64]: 'HVC (AArch64)',
  [ESR_ELx_EC_SMC64]: 'SMC (AArch64)',
  [ESR_ELx_EC_SYS64]: 'MSR/MRS (AArch64)',
  [ESR_ELx_EC_SVE]: 'SVE',
  [ESR_ELx_EC_IMP_DEF]: 'EL3 IMP DEF',
  [ESR_ELx_EC_IABT_LOW]: 'IABT (lower EL)',
  [ESR_ELx_EC_IABT_CUR]: 'IABT (current EL)',
  [ESR_ELx_EC_PC_ALIGN]: 'PC Alignment',
  [ESR_ELx_EC_DABT_LOW]: 'DABT (lower EL)',
  [ESR_ELx_EC_DABT_CUR]: 'DABT (current EL)',
  [ESR_ELx_EC_SP_ALIGN]: 'SP Alignment',
  [ESR_ELx_EC_FP_EXC32]: 'FP (AArch32)',
  [ESR_ELx_EC_FP_EXC64]: 'FP (AArch64)',
  [ESR_ELx_EC_SERROR]: 'SError',
  [ESR_ELx_EC_BREAKPT_LOW]: 'Breakpoint (lower EL)',
  [ESR_ELx_EC_BREAKPT_CUR]: 'Breakpoint (current EL)',
  [ESR_ELx_EC_SOFTSTP_LOW]: 'Software Step (lower EL)',
  [ESR_ELx_EC_SOFTSTP_CUR]: 'Software Step (current EL)',
  [ESR_ELx_EC_WATCHPT_LOW]: 'Watchpoint (lower EL)',
  [ESR_ELx_EC_WATCHPT_CUR]: 'Watchpoint (current EL)',
  [ESR_ELx_EC_BKPT32]: 'BKPT (AArch32)',
  [ESR_ELx_EC_VECTOR32]: 'Vector catch (AArch32)',
  [ESR_ELx_EC_BRK64]: 'BRK (AArch64)',
};

const CLASS_STR_61: Readonly<Record<number, string>> = {
  ...CLASS_STR_419,
  [ESR_ELx_EC_PAC]: 'PAC',
  [ESR_ELx_EC_BTI]: 'BTI',
  [ESR_ELx_EC_ERET]: 'ERET/ERETAA/ERETAB',
  [ESR_ELx_EC_FPAC]: 'FPAC',
  [ESR_ELx_EC_SME]: 'SME',
};

/** esr_class_str[] of each version (3.12 has no esr_get_class_string(); the explain tool uses 4.19's names) */
const CLASS_STR: Readonly<Record<Profile, Readonly<Record<number, string>>>> = {
  '6.1': CLASS_STR_61,
  '4.19': CLASS_STR_419,
  '3.12': CLASS_STR_419,
};

/** The `[0 ... ESR_ELx_EC_MAX]` default of esr_class_str[] */
export const ESR_CLASS_UNRECOGNIZED = 'UNRECOGNIZED EC';

/** The complete 64-entry esr_class_str[] of a profile (index = EC). */
export function esrClassStrTable(profile: Profile = '6.1'): readonly string[] {
  const t = CLASS_STR[profile];
  return Object.freeze(Array.from({ length: ESR_ELx_EC_MAX + 1 }, (_, ec) => t[ec] ?? ESR_CLASS_UNRECOGNIZED));
}

/** `esr_get_class_string(esr)` */
export function esr_get_class_string(esr: number | bigint, profile: Profile = '6.1'): string {
  const t = CLASS_STR[profile];
  return t[ESR_ELx_EC(esr)] ?? ESR_CLASS_UNRECOGNIZED;
}
