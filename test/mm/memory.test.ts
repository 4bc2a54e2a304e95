import { describe, expect, it } from 'vitest';
import { printVmaAddrLookup } from '../../src/mm/memory.js';

describe('print_vma_addr lookup', () => {
  const vmas = [
    { start: 0x400000n, end: 0x401000n, file: '/prog/null_store' },
    { start: 0x401000n, end: 0x402000n, file: '/prog/null_store' },
    { start: 0x7ffff7ff8000n, end: 0x7ffff7ff9000n, file: null },
  ];
  it('names the file-backed VMA containing ip', () => {
    expect(printVmaAddrLookup(0x400289n, vmas)).toEqual({ name: 'null_store', start: 0x400000n, size: 0x1000n });
  });
  it('prints nothing for an anonymous VMA or above every VMA', () => {
    expect(printVmaAddrLookup(0x7ffff7ff8000n, vmas)).toBeNull();
    expect(printVmaAddrLookup(0x7ffffffff000n, vmas)).toBeNull();
  });
  it('like find_vma, picks the next VMA when ip is in a gap', () => {
    expect(printVmaAddrLookup(0x1000n, vmas)?.start).toBe(0x400000n);
  });
});
