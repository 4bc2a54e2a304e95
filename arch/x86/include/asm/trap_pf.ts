/**
 * x86 page-fault error code bits under the kernel's names, and their decoding per version.
 *
 * Mirrors arch/x86/include/asm/trap_pf.h (6.1; 4.19 keeps the enum in asm/traps.h, 3.12 in
 * arch/x86/mm/fault.c with PF_* names).  The bit values are the architecture's
 * (src/hw/x86-exception.ts, which builds the error code).
 */
import {
  PF_EC_ID,
  PF_EC_P,
  PF_EC_PK,
  PF_EC_RSVD,
  PF_EC_SGX,
  PF_EC_SS,
  PF_EC_US,
  PF_EC_WR,
} from '../../../../src/hw/x86-exception.js';
import type { KernelVersion } from '../../../../src/include/faultpath/profile.js';

export type Profile = KernelVersion;

export const X86_PF_PROT = PF_EC_P;
export const X86_PF_WRITE = PF_EC_WR;
export const X86_PF_USER = PF_EC_US;
export const X86_PF_RSVD = PF_EC_RSVD;
export const X86_PF_INSTR = PF_EC_ID;
/** protection keys (4.19 and 6.1; not in 3.12) */
export const X86_PF_PK = PF_EC_PK;
/** shadow-stack access — added in 6.6, absent from every modeled profile */
export const X86_PF_SHSTK = PF_EC_SS;
/** SGX EPCM fault (6.1; added in 5.11) */
export const X86_PF_SGX = PF_EC_SGX;

export interface PfBit {
  bit: number;
  /** kernel constant name in this profile (3.12 spells them PF_*) */
  name: string;
  /** short meaning as the trap_pf.h comment states it, for set and clear */
  set: string;
  clear: string;
}

const BITS_ALL: readonly (PfBit & { profiles: readonly Profile[] })[] = [
  {
    bit: X86_PF_PROT,
    name: 'PROT',
    set: 'protection fault (page present)',
    clear: 'no page found (not present)',
    profiles: ['6.1', '4.19', '3.12'],
  },
  { bit: X86_PF_WRITE, name: 'WRITE', set: 'write access', clear: 'read access', profiles: ['6.1', '4.19', '3.12'] },
  {
    bit: X86_PF_USER,
    name: 'USER',
    set: 'user-mode access',
    clear: 'kernel-mode access',
    profiles: ['6.1', '4.19', '3.12'],
  },
  {
    bit: X86_PF_RSVD,
    name: 'RSVD',
    set: 'use of reserved bit detected',
    clear: 'no reserved bit set',
    profiles: ['6.1', '4.19', '3.12'],
  },
  {
    bit: X86_PF_INSTR,
    name: 'INSTR',
    set: 'fault was an instruction fetch',
    clear: 'not an instruction fetch',
    profiles: ['6.1', '4.19', '3.12'],
  },
  {
    bit: X86_PF_PK,
    name: 'PK',
    set: 'protection keys block access',
    clear: 'not a protection-key fault',
    profiles: ['6.1', '4.19'],
  },
  { bit: X86_PF_SGX, name: 'SGX', set: 'SGX MMU page-fault', clear: 'not an SGX fault', profiles: ['6.1'] },
];

/** How each version spells the constants: PF_* (3.12, arch/x86/mm/fault.c enum x86_pf_error_code) or X86_PF_* (4.15+ asm/traps.h) */
const PF_PREFIX: Readonly<Record<Profile, string>> = { '6.1': 'X86_PF_', '4.19': 'X86_PF_', '3.12': 'PF_' };

/** A bit's constant name in a version, e.g. pfName('PROT', '3.12') = 'PF_PROT'. */
export function pfName(name: string, profile: Profile = '6.1'): string {
  return PF_PREFIX[profile] + name;
}

/** The error-code bits a profile's kernel defines, with the profile's constant names. */
export function pfBits(profile: Profile = '6.1'): readonly PfBit[] {
  return BITS_ALL.filter((b) => b.profiles.includes(profile)).map(({ bit, name, set, clear }) => ({
    bit,
    name: pfName(name, profile),
    set,
    clear,
  }));
}

export interface DecodedPf {
  code: number;
  prot: boolean;
  write: boolean;
  user: boolean;
  rsvd: boolean;
  instr: boolean;
  pk: boolean;
  shstk: boolean;
  sgx: boolean;
  /** names of the set bits known to the profile, e.g. ['X86_PF_WRITE', 'X86_PF_USER'] */
  names: string[];
  /** set bits the profile's kernel does not define */
  unknownBits: number;
}

export function decodePf(code: number, profile: Profile = '6.1'): DecodedPf {
  if (!Number.isInteger(code) || code < 0 || code > 0xffffffff)
    throw new RangeError(`x86 page-fault error code must be a 32-bit unsigned integer, got ${code}`);
  const bits = pfBits(profile);
  let known = 0;
  const names: string[] = [];
  for (const b of bits) {
    known |= b.bit;
    if (code & b.bit) names.push(b.name);
  }
  return {
    code,
    prot: !!(code & X86_PF_PROT),
    write: !!(code & X86_PF_WRITE),
    user: !!(code & X86_PF_USER),
    rsvd: !!(code & X86_PF_RSVD),
    instr: !!(code & X86_PF_INSTR),
    pk: !!(code & X86_PF_PK),
    shstk: !!(code & X86_PF_SHSTK),
    sgx: !!(code & X86_PF_SGX),
    names,
    unknownBits: (code & ~known) >>> 0,
  };
}
