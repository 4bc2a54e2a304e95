import { describe, expect, it } from 'vitest';
import {
  GFP_ATOMIC,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  GFP_KERNEL_ACCOUNT,
  GFP_NOWAIT,
  GFP_PGTABLE_USER,
  GFP_PROFILES,
  GFP_TRANSHUGE,
  GFP_TRANSHUGE_LIGHT,
  GFP_USER,
  __GFP_COMP,
  __GFP_NOFAIL,
  __GFP_ZERO,
  __GFP_ZEROTAGS,
  formatGfp,
  formatGfpFlags,
  gfpMask,
  gfpValue,
} from '../../../src/include/linux/gfp.js';
import { haveOracle, oracleCases, oracleLogLines } from '../../helpers/oracle.js';
import { oomReports } from '../../helpers/oom.js';

describe('GFP values', () => {
  it('6.1 composites (include/linux/gfp_types.h)', () => {
    expect(GFP_KERNEL).toBe(0xcc0);
    expect(GFP_KERNEL_ACCOUNT).toBe(0x400cc0);
    expect(GFP_USER).toBe(0x100cc0);
    expect(GFP_HIGHUSER_MOVABLE).toBe(0x100cca);
    expect(GFP_NOWAIT).toBe(0x800);
    expect(GFP_ATOMIC).toBe(0xa20);
    expect(__GFP_NOFAIL).toBe(0x8000);
    expect(GFP_TRANSHUGE_LIGHT).toBe(0x1c20ca);
    expect(GFP_TRANSHUGE).toBe(0x1c24ca);
    expect(GFP_PGTABLE_USER).toBe(0x400dc0);
  });
  it('4.19 and 3.12 composites (kernel-reference.md §10)', () => {
    expect(gfpValue('GFP_KERNEL', '4.19')).toBe(0x6000c0);
    expect(gfpValue('GFP_HIGHUSER_MOVABLE', '4.19')).toBe(0x6200ca);
    expect(gfpValue('__GFP_ZERO', '4.19')).toBe(0x8000);
    expect(gfpValue('GFP_KERNEL', '3.12')).toBe(0xd0);
    expect(gfpValue('GFP_HIGHUSER_MOVABLE', '3.12')).toBe(0x200da);
    expect(gfpValue('GFP_NOWAIT', '3.12')).toBe(0);
    expect(gfpValue('__GFP_WAIT', '3.12')).toBe(0x10);
    expect(gfpMask(['GFP_HIGHUSER_MOVABLE', '__GFP_ZERO'], '4.19')).toBe(0x6280ca);
    expect(gfpMask(['GFP_KERNEL_ACCOUNT', '__GFP_ZERO'], '4.19')).toBe(0x7080c0);
    expect(() => gfpValue('__GFP_ZEROTAGS', '4.19')).toThrow(/does not exist in Linux 4.19/);
    expect(() => gfpValue('__GFP_WAIT', '6.1')).toThrow();
  });
  it('every single-bit flag is a distinct power of two', () => {
    for (const p of ['6.1', '4.19', '3.12'] as const) {
      const vals = Object.values(GFP_PROFILES[p].bits);
      for (const v of vals) expect(v & (v - 1)).toBe(0);
      expect(new Set(vals).size).toBe(vals.length);
    }
  });
});

describe('%pGg (format_flags over gfpflag_names[])', () => {
  it('the oracle strings', () => {
    expect(formatGfp(0xcc0)).toBe('0xcc0(GFP_KERNEL)');
    expect(formatGfp(0x140dca)).toBe('0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)');
    expect(formatGfp(GFP_HIGHUSER_MOVABLE | __GFP_ZERO | __GFP_COMP)).toBe(
      '0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)',
    );
  });
  it('the kernel-reference.md §10 table', () => {
    expect(formatGfp(0x400dc0)).toBe('0x400dc0(GFP_KERNEL_ACCOUNT|__GFP_ZERO)');
    expect(formatGfp(0x940dca)).toBe('0x940dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO|__GFP_ZEROTAGS)');
    expect(formatGfp(GFP_HIGHUSER_MOVABLE | __GFP_ZERO | __GFP_COMP | __GFP_ZEROTAGS)).toBe(formatGfp(0x940dca));
    expect(formatGfp(0x6280ca, '4.19')).toBe('0x6280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO)');
    expect(formatGfp(0x6200ca, '4.19')).toBe('0x6200ca(GFP_HIGHUSER_MOVABLE)');
    expect(formatGfp(0x6000c0, '4.19')).toBe('0x6000c0(GFP_KERNEL)');
    expect(formatGfp(0x7080c0, '4.19')).toBe('0x7080c0(GFP_KERNEL_ACCOUNT|__GFP_ZERO)');
    expect(formatGfp(0, '4.19')).toBe('0x0()');
    expect(formatGfp(0)).toBe('0x0()');
    expect(formatGfp(0x280da, '3.12')).toBe('0x280da');
    expect(formatGfp(0xd0, '3.12')).toBe('0xd0');
    expect(formatGfp(0, '3.12')).toBe('0x0');
  });
  it('composite names first, then single flags, leftover bits as hex', () => {
    expect(formatGfpFlags(GFP_KERNEL | 0x100000)).toBe('GFP_USER');
    expect(formatGfpFlags(0x1000000 | GFP_KERNEL)).toBe('GFP_KERNEL|0x1000000');
    expect(formatGfpFlags(0x1000000)).toBe('0x1000000');
    expect(formatGfpFlags(0x400)).toBe('__GFP_DIRECT_RECLAIM');
    expect(formatGfpFlags(0xc00)).toBe('GFP_NOIO');
    expect(formatGfpFlags(0x800)).toBe('GFP_NOWAIT');
    expect(formatGfpFlags(GFP_ATOMIC | __GFP_NOFAIL)).toBe('GFP_ATOMIC|__GFP_NOFAIL');
    expect(formatGfpFlags(GFP_TRANSHUGE)).toBe('GFP_TRANSHUGE');
    expect(formatGfpFlags(0x10)).toBe('__GFP_RECLAIMABLE');
    expect(formatGfpFlags(0x1)).toBe('GFP_DMA');
    expect(formatGfpFlags(__GFP_COMP | __GFP_ZERO | 0x2)).toBe('__GFP_HIGHMEM|__GFP_COMP|__GFP_ZERO');
  });
  it('3.12 tracepoint names', () => {
    expect(formatGfpFlags(0xd0, '3.12')).toBe('GFP_KERNEL');
    expect(formatGfpFlags(0x280da, '3.12')).toBe('GFP_HIGHUSER_MOVABLE|GFP_ZERO');
    expect(formatGfpFlags(0, '3.12')).toBe('GFP_NOWAIT');
  });
  it('rejects bad masks', () => {
    expect(() => formatGfp(-1)).toThrow(RangeError);
    expect(() => formatGfp(1.5)).toThrow(RangeError);
    expect(() => formatGfp(2 ** 32)).toThrow(RangeError);
  });
});

describe.skipIf(!haveOracle)('gfp strings vs the oracle OOM headers', () => {
  for (const arch of ['aarch64', 'x86_64'] as const) {
    for (const name of [...oracleCases(arch, 'memcg_'), ...oracleCases(arch, 'global_oom')]) {
      it(`${arch}/${name}`, () => {
        // the OOM headers, read by the production report parser
        const headers = oomReports(oracleLogLines(arch, name)).map((r) => r.header);
        for (const h of headers) expect(formatGfp(h.gfpMask)).toBe(`${h.gfpMaskText}(${h.gfpText})`);
      });
    }
  }
});
