import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../../src/include/faultpath/profile.js';
import { formatGprs, print_pstate as formatPstate } from '../../../../arch/arm64/kernel/process.js';

describe('formatPstate', () => {
  it('6.1 format', () => {
    expect(formatPstate(0x1000n)).toBe('00001000 (nzcv daif -PAN -UAO -TCO -DIT +SSBS BTYPE=--)');
    expect(formatPstate(0xf04003c0n)).toBe('f04003c0 (NZCV DAIF +PAN -UAO -TCO -DIT -SSBS BTYPE=--)');
    expect(formatPstate(0x60000c00n)).toBe('60000c00 (nZCv daif -PAN -UAO -TCO -DIT -SSBS BTYPE=j-)');
    expect(formatPstate(0x400n)).toContain('BTYPE=jc');
    expect(formatPstate(0x800n)).toContain('BTYPE=-c');
  });
  it('4.19 format stops after UAO', () => {
    expect(formatPstate(0x80001000n, PROFILES['4.19'])).toBe('80001000 (Nzcv daif -PAN -UAO)');
  });
});

describe('register dump layout', () => {
  const regs = Array.from({ length: 31 }, (_, i) => BigInt(i));
  it('6.1: three per line, x29 first, x0 last', () => {
    const l = formatGprs({ regs, sp: 0n, pc: 0n, pstate: 0n });
    expect(l).toHaveLength(10);
    expect(l[0]).toBe('x29: 000000000000001d x28: 000000000000001c x27: 000000000000001b');
    expect(l[6]).toBe('x11: 000000000000000b x10: 000000000000000a x9 : 0000000000000009');
    expect(l[9]).toBe('x2 : 0000000000000002 x1 : 0000000000000001 x0 : 0000000000000000');
  });
  it('4.19/3.12: two per line with a trailing space', () => {
    const l = formatGprs({ regs, sp: 0n, pc: 0n, pstate: 0n }, PROFILES['4.19']);
    expect(l).toHaveLength(15);
    expect(l[0]).toBe('x29: 000000000000001d x28: 000000000000001c ');
    expect(l[14]).toBe('x1 : 0000000000000001 x0 : 0000000000000000 ');
    expect(formatGprs({ regs, sp: 0n, pc: 0n, pstate: 0n }, PROFILES['3.12'])).toEqual(l);
  });
});
