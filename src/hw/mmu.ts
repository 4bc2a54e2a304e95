/**
 * A real 4-level radix page table per mm.  Every table is one physical page (pfn) holding 512
 * 64-bit descriptors in the architecture's own format (arch/<arch>/include/asm/pgtable.ts encodes
 * them).  Descriptors are kept as lo/hi 32-bit halves so the MMU hook never touches BigInt.
 *
 * Levels follow the hardware numbering used in fault reports: 0 = pgd (p4d folded), 1 = pud,
 * 2 = pmd, 3 = pte.  A walk reports the level at which it read an invalid descriptor, which is the
 * level arm64 puts in DFSC (docs/kernel-reference.md §2.1).
 */
export const LEVEL_NAMES = ['pgd', 'pud', 'pmd', 'pte'] as const;
export const PTRS_PER_TABLE = 512;

/** Arch-neutral view of a leaf PTE. */
export interface PteView {
  valid: boolean;
  pfn: number;
  write: boolean;
  /** hardware may make it writable (arm64 DBM) / dirty-on-write */
  dirty: boolean;
  young: boolean;
  exec: boolean;
  user: boolean;
  special: boolean;
  /** swap entry (not valid, non-zero): slot number */
  swapSlot: number | null;
}

export interface LeafProt {
  write: boolean;
  exec: boolean;
  dirty: boolean;
  special?: boolean;
}

/** Architecture descriptor format. */
export interface PgtableFormat {
  readonly arch: 'aarch64' | 'x86_64';
  /** physical address of pfn (RAM base differs: arm64 virt RAM at 0x40000000) */
  physOf(pfn: number): number;
  pfnOfPhys(phys: number): number;
  /** descriptor for a next-level table at pfn, at `level` (0..2) */
  tableDesc(pfn: number, level: number): [number, number];
  isTableOrValid(lo: number, hi: number): boolean;
  mkPte(pfn: number, prot: LeafProt): [number, number];
  mkSwapPte(slot: number): [number, number];
  view(lo: number, hi: number): PteView;
  /** may this user access proceed on this leaf?  (hardware AF/DBM/A/D updates done by caller) */
  permits(lo: number, hi: number, access: 'read' | 'write' | 'fetch'): boolean;
  /** hardware-managed young/dirty update for an access that was permitted */
  hwUpdate(lo: number, hi: number, access: 'read' | 'write' | 'fetch'): [number, number];
  /** pte_wrprotect(): used by fork's copy_pte_range for private COW pages */
  wrprotect(lo: number, hi: number): [number, number];
  /** hex of a descriptor as the kernel prints it */
  hex(lo: number, hi: number): string;
}

export interface WalkResult {
  /** level of the invalid descriptor (0..3), or 4 when a valid leaf was found */
  level: number;
  /** table pfns visited, index = level */
  tables: number[];
  /** leaf descriptor (when level === 4) or the invalid/swap entry at level 3 */
  lo: number;
  hi: number;
}

export function indexAt(address: number, level: number): number {
  // 39 - 9*level bits: pgd [47:39], pud [38:30], pmd [29:21], pte [20:12]
  const shift = 39 - 9 * level;
  return Math.floor(address / 2 ** shift) % 512;
}

export class PageTable {
  /** table pfn -> 1024 u32 (lo, hi per entry) */
  readonly tables = new Map<number, Uint32Array>();
  readonly pgd: number;
  readonly fmt: PgtableFormat;
  /** number of pud/pmd/pte tables (pgd excluded), per level 1..3 */
  readonly nr = [0, 0, 0, 0];

  constructor(fmt: PgtableFormat, pgdPfn: number) {
    this.fmt = fmt;
    this.pgd = pgdPfn;
    this.tables.set(pgdPfn, new Uint32Array(1024));
  }

  /** mm_pgtables_bytes(): every pud, pmd and pte table page, the pgd excluded. */
  get pgtablesBytes(): number {
    return (this.nr[1]! + this.nr[2]! + this.nr[3]!) * 4096;
  }

  walk(address: number): WalkResult {
    let t = this.pgd;
    const tables: number[] = [];
    for (let level = 0; level < 4; level++) {
      tables.push(t);
      const tab = this.tables.get(t)!;
      const i = indexAt(address, level) * 2;
      const lo = tab[i]!;
      const hi = tab[i + 1]!;
      if (level === 3) {
        if (!this.fmt.isTableOrValid(lo, hi)) return { level: 3, tables, lo, hi };
        return { level: 4, tables, lo, hi };
      }
      if (!this.fmt.isTableOrValid(lo, hi)) return { level, tables, lo, hi };
      t = this.nextPfn(lo, hi);
    }
    throw new Error('unreachable');
  }

  private nextPfn(lo: number, hi: number): number {
    // Output address bits [47:12] of a table descriptor.
    const phys = (hi & 0xffff) * 2 ** 32 + (lo >>> 12) * 4096;
    return this.fmt.pfnOfPhys(phys);
  }

  /** The table at `level` (1..3) covering address, if it exists. */
  tableAt(address: number, level: number): number | undefined {
    const w = this.walk(address);
    return w.tables.length > level ? w.tables[level] : undefined;
  }

  /** Installs a new next-level table (pfn) under the entry at `level` (0..2) for address. */
  populate(address: number, level: number, pfn: number): void {
    const w = this.walk(address);
    if (w.tables.length !== level + 1) throw new Error(`populate: level ${level} entry is not the first missing one`);
    const tab = this.tables.get(w.tables[level]!)!;
    const [lo, hi] = this.fmt.tableDesc(pfn, level);
    const i = indexAt(address, level) * 2;
    tab[i] = lo;
    tab[i + 1] = hi;
    this.tables.set(pfn, new Uint32Array(1024));
    this.nr[level + 1]!++;
  }

  /** Reads the level-3 entry for address; undefined when the pte table is missing. */
  getPte(address: number): [number, number] | undefined {
    const w = this.walk(address);
    if (w.tables.length < 4) return undefined;
    return [w.lo, w.hi];
  }

  /** set_pte_at(): writes the level-3 entry (the pte table must exist). */
  setPte(address: number, lo: number, hi: number): void {
    const w = this.walk(address);
    if (w.tables.length < 4) throw new Error(`setPte: no pte table for 0x${address.toString(16)}`);
    const tab = this.tables.get(w.tables[3]!)!;
    const i = indexAt(address, 3) * 2;
    tab[i] = lo >>> 0;
    tab[i + 1] = hi >>> 0;
  }

  /** Every present or swap leaf in [start, end): callback(address, lo, hi). */
  forEachPte(start: number, end: number, cb: (address: number, lo: number, hi: number) => void): void {
    const visit = (pfn: number, level: number, base: number): void => {
      const tab = this.tables.get(pfn)!;
      const span = 2 ** (39 - 9 * level);
      for (let i = 0; i < 512; i++) {
        const a = base + i * span;
        if (a + span <= start || a >= end) continue;
        const lo = tab[2 * i]!;
        const hi = tab[2 * i + 1]!;
        if (level === 3) {
          if (lo !== 0 || hi !== 0) cb(a, lo, hi);
        } else if (this.fmt.isTableOrValid(lo, hi)) {
          visit(this.nextPfn(lo, hi), level + 1, a);
        }
      }
    };
    visit(this.pgd, 0, 0);
  }

  /**
   * free_pgtables() for a range left without VMAs: frees table pages wholly inside
   * [floor, ceiling) that no longer map anything.  Returns freed pfns per level.
   */
  freeEmptyTables(floor: number, ceiling: number): { pfn: number; level: number }[] {
    const freed: { pfn: number; level: number }[] = [];
    const visit = (pfn: number, level: number, base: number): boolean => {
      const tab = this.tables.get(pfn)!;
      const span = 2 ** (39 - 9 * level);
      let empty = true;
      for (let i = 0; i < 512; i++) {
        const lo = tab[2 * i]!;
        const hi = tab[2 * i + 1]!;
        if (lo === 0 && hi === 0) continue;
        const a = base + i * span;
        if (level < 3 && this.fmt.isTableOrValid(lo, hi) && a >= floor && a + span <= ceiling) {
          const child = this.nextPfn(lo, hi);
          if (visit(child, level + 1, a)) {
            tab[2 * i] = 0;
            tab[2 * i + 1] = 0;
            this.tables.delete(child);
            this.nr[level + 1]!--;
            freed.push({ pfn: child, level: level + 1 });
            continue;
          }
        }
        empty = false;
      }
      return empty;
    };
    visit(this.pgd, 0, 0);
    return freed;
  }

  /** All table pfns (pgd first): used at exit to free them. */
  allTables(): { pfn: number; level: number }[] {
    const out: { pfn: number; level: number }[] = [{ pfn: this.pgd, level: 0 }];
    const visit = (pfn: number, level: number): void => {
      if (level === 3) return;
      const tab = this.tables.get(pfn)!;
      for (let i = 0; i < 512; i++) {
        const lo = tab[2 * i]!;
        const hi = tab[2 * i + 1]!;
        if (this.fmt.isTableOrValid(lo, hi)) {
          const c = this.nextPfn(lo, hi);
          out.push({ pfn: c, level: level + 1 });
          visit(c, level + 1);
        }
      }
    };
    visit(this.pgd, 0);
    return out;
  }

  /** Descriptors along the walk, for show_pte (pgd, pud, pmd, pte as far as they exist). */
  describe(address: number): { level: number; lo: number; hi: number }[] {
    const out: { level: number; lo: number; hi: number }[] = [];
    let t = this.pgd;
    for (let level = 0; level < 4; level++) {
      const tab = this.tables.get(t)!;
      const i = indexAt(address, level) * 2;
      const lo = tab[i]!;
      const hi = tab[i + 1]!;
      out.push({ level, lo, hi });
      if (level === 3 || !this.fmt.isTableOrValid(lo, hi)) break;
      t = this.nextPfn(lo, hi);
    }
    return out;
  }
}

/** Access bits of a software TLB entry. */
export const TLB_READ = 1;
export const TLB_WRITE = 2;
export const TLB_FETCH = 4;

/**
 * A TLB miss: walk the table for `access`; if the leaf permits it, do the hardware's access-flag
 * and dirty-bit update (arm64 FEAT_HAFDBS, x86 A/D bits) and cache the page's permitted accesses
 * (write only once the entry is dirty, so the first write comes back to update it).  False: the
 * walk refuses, and the CPU raises the exception.
 */
export function tlb_fill(
  pgtable: PageTable,
  tlb: Map<number, number>,
  address: number,
  access: 'read' | 'write' | 'fetch',
): boolean {
  const w = pgtable.walk(address);
  const fmt = pgtable.fmt;
  if (w.level !== 4 || !fmt.permits(w.lo, w.hi, access)) return false;
  const [lo, hi] = fmt.hwUpdate(w.lo, w.hi, access);
  if (lo !== w.lo || hi !== w.hi) pgtable.setPte(address, lo, hi);
  let perms = TLB_READ;
  if (fmt.permits(lo, hi, 'write') && fmt.view(lo, hi).dirty) perms |= TLB_WRITE;
  if (fmt.permits(lo, hi, 'fetch')) perms |= TLB_FETCH;
  tlb.set(Math.floor(address / 4096), perms);
  return true;
}
