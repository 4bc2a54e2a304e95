import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/hw/cpu.js';
import type { PageTable } from '../../src/hw/mmu.js';
import { X86_VECTOR, isCanonical, x86AccessException, x86UserPfErrorCode } from '../../src/hw/x86-exception.js';

const walkingTo = (level: number) => ({ walk: () => ({ level }) }) as unknown as PageTable;

describe('x86 #PF error code (SDM Vol. 3A Figure 4-12)', () => {
  it('user read/write/fetch, present or not', () => {
    expect(x86UserPfErrorCode('read', false)).toBe(0x4);
    expect(x86UserPfErrorCode('write', false)).toBe(0x6);
    expect(x86UserPfErrorCode('write', true)).toBe(0x7);
    expect(x86UserPfErrorCode('fetch', true)).toBe(0x15);
    expect(x86UserPfErrorCode('fetch', false)).toBe(0x14);
  });
  it('CR2 and P from the walk; the upper half asks the caller; non-canonical is #GP(0)', () => {
    expect(x86AccessException(walkingTo(4), 0x400000n, 'write', 1n, () => false)).toMatchObject({
      vector: X86_VECTOR.PF,
      errorCode: 7,
      cr2: 0x400000n,
    });
    expect(x86AccessException(walkingTo(1), 0x400000n, 'read', 1n, () => true).errorCode).toBe(4);
    expect(x86AccessException(walkingTo(0), 0xffffffff81000000n, 'read', 1n, () => true).errorCode).toBe(5);
    expect(x86AccessException(walkingTo(0), 0xffffffff81000000n, 'read', 1n, () => false).errorCode).toBe(4);
    expect(x86AccessException(walkingTo(0), 0x800000000000n, 'read', 1n, () => true)).toMatchObject({
      vector: X86_VECTOR.GP,
      errorCode: 0,
      cr2: 0n,
    });
    expect(isCanonical(0x7fffffffffffn)).toBe(true);
    expect(isCanonical(0xffff800000000000n)).toBe(true);
    expect(isCanonical(0x0000800000000000n)).toBe(false);
  });
});

describe('Cpu.faultAccess: the access the CPU reports when it faults', () => {
  it('x86: the load of a read-modify-write instruction is reported as a write', () => {
    const cpu = new Cpu('x86_64');
    try {
      const code = Buffer.alloc(0x1000);
      code.set([0x01, 0x08], 0); // add dword ptr [rax], ecx
      code.set([0x8b, 0x08], 0x10); // mov ecx, dword ptr [rax]
      cpu.mem.map(0x10000, code);
      cpu.setPc(0x10000);
      expect(cpu.faultAccess('read')).toBe('write');
      expect(cpu.faultAccess('fetch')).toBe('fetch');
      cpu.setPc(0x10010);
      expect(cpu.faultAccess('read')).toBe('read');
      expect(cpu.faultAccess('write')).toBe('write');
    } finally {
      cpu.close();
    }
  });
  it('arm64: accesses are reported as made', () => {
    const cpu = new Cpu('aarch64');
    try {
      expect(cpu.faultAccess('read')).toBe('read');
    } finally {
      cpu.close();
    }
  });
});
