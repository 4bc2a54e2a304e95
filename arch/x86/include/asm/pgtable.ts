/**
 * x86-64 4-level paging entries (arch/x86/include/asm/pgtable_types.h): _PAGE_PRESENT 0,
 * _PAGE_RW 1, _PAGE_USER 2, _PAGE_ACCESSED 5, _PAGE_DIRTY 6, _PAGE_PSE 7, _PAGE_SPECIAL
 * (SOFTW1) 9, _PAGE_SOFT_DIRTY 58 (CONFIG_MEM_SOFT_DIRTY, set by pte_mkdirty), _PAGE_NX 63.
 * Table entries are _PAGE_TABLE = P|RW|USER|ACCESSED|DIRTY (0x67).
 */
import type { LeafProt, PgtableFormat, PteView } from '../../../../src/hw/mmu.js';

export const _PAGE_PRESENT = 0x1;
export const _PAGE_RW = 0x2;
export const _PAGE_USER = 0x4;
export const _PAGE_ACCESSED = 0x20;
export const _PAGE_DIRTY = 0x40;
export const _PAGE_PSE = 0x80;
export const _PAGE_SPECIAL = 0x200;
export const _PAGE_TABLE = 0x67;
const HI_SOFT_DIRTY = 1 << (58 - 32);
const HI_NX = (1 << (63 - 32)) >>> 0;

function split(phys: number): [number, number] {
  return [(phys % 2 ** 32) >>> 0, Math.floor(phys / 2 ** 32) >>> 0];
}

export const x86Pgtable: PgtableFormat = {
  arch: 'x86_64',
  physOf: (pfn) => pfn * 4096,
  pfnOfPhys: (phys) => phys / 4096,
  tableDesc(pfn) {
    const [lo, hi] = split(pfn * 4096);
    return [(lo | _PAGE_TABLE) >>> 0, hi];
  },
  isTableOrValid: (lo) => (lo & _PAGE_PRESENT) !== 0,
  mkPte(pfn, prot: LeafProt) {
    const [plo, phi] = split(pfn * 4096);
    let lo = plo | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    let hi = phi;
    if (!prot.exec) hi |= HI_NX;
    if (prot.write) lo |= _PAGE_RW;
    if (prot.dirty) {
      lo |= _PAGE_DIRTY;
      hi |= HI_SOFT_DIRTY;
    }
    if (prot.special) lo |= _PAGE_SPECIAL;
    return [lo >>> 0, hi >>> 0];
  },
  mkSwapPte(slot) {
    // x86-64 swap entries store the inverted offset; the model keeps the slot in bits 9+.
    const v = slot * 512;
    return [(v % 2 ** 32) >>> 0, Math.floor(v / 2 ** 32) >>> 0];
  },
  view(lo, hi): PteView {
    const valid = (lo & _PAGE_PRESENT) !== 0;
    const phys = (hi & 0xfffff) * 2 ** 32 + (lo >>> 12) * 4096;
    return {
      valid,
      pfn: valid ? phys / 4096 : -1,
      write: (lo & _PAGE_RW) !== 0,
      dirty: (lo & _PAGE_DIRTY) !== 0,
      young: (lo & _PAGE_ACCESSED) !== 0,
      exec: (hi & HI_NX) === 0,
      user: (lo & _PAGE_USER) !== 0,
      special: (lo & _PAGE_SPECIAL) !== 0,
      swapSlot: !valid && (lo !== 0 || hi !== 0) ? Math.floor(((hi >>> 0) * 2 ** 32 + (lo >>> 0)) / 512) : null,
    };
  },
  permits(lo, hi, access) {
    if ((lo & _PAGE_PRESENT) === 0 || (lo & _PAGE_USER) === 0) return false;
    if (access === 'write') return (lo & _PAGE_RW) !== 0;
    if (access === 'fetch') return (hi & HI_NX) === 0;
    return true;
  },
  hwUpdate(lo, hi, access) {
    lo |= _PAGE_ACCESSED;
    if (access === 'write') lo |= _PAGE_DIRTY;
    return [lo >>> 0, hi >>> 0];
  },
  wrprotect(lo, hi) {
    return [(lo & ~_PAGE_RW) >>> 0, hi >>> 0];
  },
  hex: (lo, hi) => (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0'),
};
