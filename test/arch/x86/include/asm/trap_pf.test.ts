import { describe, expect, it } from 'vitest';
import {
  X86_PF_INSTR,
  X86_PF_PK,
  X86_PF_PROT,
  X86_PF_RSVD,
  X86_PF_SGX,
  X86_PF_SHSTK,
  X86_PF_USER,
  X86_PF_WRITE,
  decodePf,
  pfBits,
} from '../../../../../arch/x86/include/asm/trap_pf.js';
import { X86_TASK_SIZE_MAX } from '../../../../../arch/x86/include/asm/page_64_types.js';
import { sanitize_error_code, x86SegfaultLogLevel } from '../../../../../arch/x86/mm/fault.js';

describe('x86 #PF error code bits', () => {
  it('has the trap_pf.h values', () => {
    expect([
      X86_PF_PROT,
      X86_PF_WRITE,
      X86_PF_USER,
      X86_PF_RSVD,
      X86_PF_INSTR,
      X86_PF_PK,
      X86_PF_SHSTK,
      X86_PF_SGX,
    ]).toEqual([1, 2, 4, 8, 16, 32, 64, 0x8000]);
  });
  it('per-profile bit sets and names', () => {
    expect(pfBits('6.1').map((b) => b.name)).toEqual([
      'X86_PF_PROT',
      'X86_PF_WRITE',
      'X86_PF_USER',
      'X86_PF_RSVD',
      'X86_PF_INSTR',
      'X86_PF_PK',
      'X86_PF_SGX',
    ]);
    expect(pfBits('4.19').map((b) => b.name)).toEqual([
      'X86_PF_PROT',
      'X86_PF_WRITE',
      'X86_PF_USER',
      'X86_PF_RSVD',
      'X86_PF_INSTR',
      'X86_PF_PK',
    ]);
    expect(pfBits('3.12').map((b) => b.name)).toEqual(['PF_PROT', 'PF_WRITE', 'PF_USER', 'PF_RSVD', 'PF_INSTR']);
  });
  it('decodes', () => {
    const d = decodePf(0x15);
    expect(d).toMatchObject({
      prot: true,
      write: false,
      user: true,
      instr: true,
      names: ['X86_PF_PROT', 'X86_PF_USER', 'X86_PF_INSTR'],
      unknownBits: 0,
    });
    expect(decodePf(0x40).unknownBits).toBe(0x40);
    expect(decodePf(0x20, '3.12').unknownBits).toBe(0x20);
    expect(() => decodePf(-1)).toThrow();
  });
  it('sanitize_error_code sets PROT for kernel addresses only', () => {
    expect(sanitize_error_code(0x700000000000n, 6)).toBe(6);
    expect(sanitize_error_code(X86_TASK_SIZE_MAX, 6)).toBe(7);
    expect(sanitize_error_code(0xffffffff81000000n, 4)).toBe(5);
  });
  it('log level', () => {
    expect(x86SegfaultLogLevel(1)).toBe('KERN_EMERG');
    expect(x86SegfaultLogLevel(2)).toBe('KERN_INFO');
  });
});
