/**
 * The x86-64 exception record the model's CPU delivers: the vector, the error code it pushes and,
 * for #PF, CR2.  This is the hardware's side (Intel SDM Vol. 3A §6.3 "Sources of interrupts",
 * Table 6-1, and docs/kernel-reference.md §4.7 "Page-fault exceptions", Figure 4-12); the kernel's names for the same
 * values live in arch/x86/include/asm/{trapnr,trap_pf}.ts, which import them from here.
 */
import type { Access } from './cpu.js';
import type { PageTable } from './mmu.js';

/** Exception vectors (SDM Vol. 3A Table 6-1). */
export const X86_VECTOR = Object.freeze({
  DE: 0,
  DB: 1,
  NMI: 2,
  BP: 3,
  OF: 4,
  BR: 5,
  UD: 6,
  NM: 7,
  DF: 8,
  /** coprocessor segment overrun (reserved since the 486) */
  CSO: 9,
  TS: 10,
  NP: 11,
  SS: 12,
  GP: 13,
  PF: 14,
  MF: 16,
  AC: 17,
  MC: 18,
  XM: 19,
  VE: 20,
  CP: 21,
});

/** Page-fault error code bits (SDM Vol. 3A Figure 4-12). */
export const PF_EC_P = 1 << 0;
export const PF_EC_WR = 1 << 1;
export const PF_EC_US = 1 << 2;
export const PF_EC_RSVD = 1 << 3;
export const PF_EC_ID = 1 << 4;
export const PF_EC_PK = 1 << 5;
export const PF_EC_SS = 1 << 6;
export const PF_EC_SGX = 1 << 15;

/** First address above the lower canonical half with 4-level paging (48-bit linear addresses). */
export const LOWER_HALF_END = 1n << 47n;

/** Bits 63..47 all equal: anything else is not translated at all but raises #GP (or #SS). */
export function isCanonical(address: bigint): boolean {
  const top = BigInt.asUintN(64, address) >> 47n;
  return top === 0n || top === 0x1ffffn;
}

/** The exception record: vector, error code, CR2 (for #PF) and the interrupted RIP. */
export interface X86Exception {
  vector: number;
  errorCode: number;
  /** CR2: the faulting linear address (#PF only; 0 otherwise) */
  cr2: bigint;
  ip: bigint;
  /** what raised it: the MMU refusing an access, or the CPU executing an instruction */
  source: 'mmu' | 'cpu';
  /** the linear address the refused access tried to reach (MMU exceptions; not visible to the OS for #GP) */
  address?: bigint;
  access?: Access;
}

/**
 * The error code the CPU pushes for a user-mode (CPL 3) access that faults: U/S set, W/R for
 * writes, I/D for fetches (NX is enabled), P when the translation found a present page.
 * `present` is the walk's answer: the process's page table for the lower half; for the upper
 * half the kernel's tables, which the model does not hold (the caller answers for them).
 */
export function x86UserPfErrorCode(access: Access, present: boolean): number {
  let code = PF_EC_US;
  if (access === 'write') code |= PF_EC_WR;
  if (access === 'fetch') code |= PF_EC_ID;
  if (present) code |= PF_EC_P;
  return code;
}

/**
 * The exception a refused user access raises: #GP(0) for a non-canonical address (no CR2), else
 * #PF with the error code and CR2 = the address.  `upperHalfPresent` says whether a canonical
 * upper-half address has a present (supervisor) page in the kernel's tables.
 */
export function x86AccessException(
  pgtable: PageTable,
  address: bigint,
  access: Access,
  ip: bigint,
  upperHalfPresent: (address: bigint) => boolean,
): X86Exception {
  if (!isCanonical(address))
    return { vector: X86_VECTOR.GP, errorCode: 0, cr2: 0n, ip, source: 'mmu', address, access };
  const present = address < LOWER_HALF_END ? pgtable.walk(Number(address)).level === 4 : upperHalfPresent(address);
  const errorCode = x86UserPfErrorCode(access, present);
  return { vector: X86_VECTOR.PF, errorCode, cr2: address, ip, source: 'mmu', address, access };
}

/**
 * An exception the engine raised while executing an instruction.  Unicorn's x86 interrupt number
 * is the vector; it does not report the error code, which is 0 for the vectors it raises from
 * user code (#GP(0) from a privileged instruction; #DE, #BP, #UD push none).
 */
export function x86CpuException(intno: number, ip: bigint): X86Exception {
  return { vector: intno, errorCode: 0, cr2: 0n, ip, source: 'cpu' };
}
