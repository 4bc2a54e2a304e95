/**
 * arm64 stage-1 descriptors, 4 KiB granule, 48-bit VA, as Linux 6.1 builds them
 * (arch/arm64/include/asm/pgtable-hwdef.h, pgtable-prot.h, pgtable.h).  Bit positions:
 * VALID 0, TABLE/PAGE 1, USER (AP[1]) 6, RDONLY (AP[2]) 7, SH 9:8, AF 10, nG 11,
 * DBM = PTE_WRITE 51, PXN 53, UXN 54, software DIRTY 55, SPECIAL 56; table descriptors carry
 * PXNTable (bit 59) for user tables (pmd_populate / pud_populate / p4d_populate).
 */
import type { LeafProt, PgtableFormat, PteView } from '../../../../src/hw/mmu.js';

const lo32 = (bit: number) => (bit < 32 ? (1 << bit) >>> 0 : 0);
const hi32 = (bit: number) => (bit >= 32 ? (1 << (bit - 32)) >>> 0 : 0);

export const PTE_VALID = 0;
export const PTE_TYPE_PAGE_BIT = 1;
export const PTE_USER = 6;
export const PTE_RDONLY = 7;
export const PTE_SHARED_LO = 0x300; // SH[9:8] = inner shareable
export const PTE_AF = 10;
export const PTE_NG = 11;
export const PTE_WRITE = 51; // == PTE_DBM
export const PTE_PXN = 53;
export const PTE_UXN = 54;
export const PTE_DIRTY = 55;
export const PTE_SPECIAL = 56;
export const TABLE_PXN = 59;

/** QEMU virt machine: RAM starts at 1 GiB. */
export const ARM64_PHYS_OFFSET = 0x40000000;

const L = {
  valid: lo32(PTE_VALID),
  page: lo32(PTE_TYPE_PAGE_BIT),
  user: lo32(PTE_USER),
  rdonly: lo32(PTE_RDONLY),
  af: lo32(PTE_AF),
  ng: lo32(PTE_NG),
};
const H = {
  write: hi32(PTE_WRITE),
  pxn: hi32(PTE_PXN),
  uxn: hi32(PTE_UXN),
  dirty: hi32(PTE_DIRTY),
  special: hi32(PTE_SPECIAL),
  tablePxn: hi32(TABLE_PXN),
};

function splitPhys(phys: number): [number, number] {
  return [(phys % 2 ** 32) >>> 0, Math.floor(phys / 2 ** 32) >>> 0];
}

export const arm64Pgtable: PgtableFormat = {
  arch: 'aarch64',
  physOf: (pfn) => ARM64_PHYS_OFFSET + pfn * 4096,
  pfnOfPhys: (phys) => (phys - ARM64_PHYS_OFFSET) / 4096,
  tableDesc(pfn) {
    const [lo, hi] = splitPhys(ARM64_PHYS_OFFSET + pfn * 4096);
    return [(lo | 3) >>> 0, (hi | H.tablePxn) >>> 0];
  },
  isTableOrValid: (lo) => (lo & 1) === 1,
  mkPte(pfn, prot: LeafProt) {
    // _PAGE_DEFAULT | PTE_USER | PTE_NG | PTE_PXN (+UXN unless exec); RDONLY unless writable+dirty
    const [plo, phi] = splitPhys(ARM64_PHYS_OFFSET + pfn * 4096);
    let lo = plo | L.valid | L.page | PTE_SHARED_LO | L.af | L.ng | L.user;
    let hi = phi | H.pxn;
    if (!prot.exec) hi |= H.uxn;
    if (prot.write) hi |= H.write;
    if (prot.dirty) hi |= H.dirty;
    if (!(prot.write && prot.dirty)) lo |= L.rdonly;
    if (prot.special) hi |= H.special;
    return [lo >>> 0, hi >>> 0];
  },
  mkSwapPte(slot) {
    // __swp_entry: type in bits [7:2], offset from bit 8; never VALID.  Type 0.
    const v = slot * 256;
    return [(v % 2 ** 32) >>> 0, Math.floor(v / 2 ** 32) >>> 0];
  },
  view(lo, hi): PteView {
    const valid = (lo & 1) === 1;
    const phys = (hi & 0xffff) * 2 ** 32 + (lo >>> 12) * 4096;
    return {
      valid,
      pfn: valid ? (phys - ARM64_PHYS_OFFSET) / 4096 : -1,
      write: (hi & H.write) !== 0,
      dirty: (hi & H.dirty) !== 0 || ((hi & H.write) !== 0 && (lo & L.rdonly) === 0),
      young: (lo & L.af) !== 0,
      exec: (hi & H.uxn) === 0,
      user: (lo & L.user) !== 0,
      special: (hi & H.special) !== 0,
      swapSlot: !valid && (lo !== 0 || hi !== 0) ? Math.floor(((hi >>> 0) * 2 ** 32 + (lo >>> 0)) / 256) : null,
    };
  },
  permits(lo, hi, access) {
    if ((lo & 1) === 0 || (lo & L.user) === 0) return false;
    if (access === 'fetch') return (hi & H.uxn) === 0;
    if (access === 'write') return (lo & L.rdonly) === 0 || (hi & H.write) !== 0; // DBM: HW clears RDONLY
    return true;
  },
  hwUpdate(lo, hi, access) {
    // FEAT_HAFDBS (neoverse-n1): hardware sets AF, and clears RDONLY on a write to a DBM page.
    lo |= L.af;
    if (access === 'write' && (hi & H.write) !== 0) lo &= ~L.rdonly;
    return [lo >>> 0, hi >>> 0];
  },
  wrprotect(lo, hi) {
    // pte_wrprotect: move hardware dirty into PTE_DIRTY, clear PTE_WRITE, set PTE_RDONLY
    if ((hi & H.write) !== 0 && (lo & L.rdonly) === 0) hi |= H.dirty;
    hi &= ~H.write;
    lo |= L.rdonly;
    return [lo >>> 0, hi >>> 0];
  },
  hex: (lo, hi) => (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0'),
};
