/**
 * Physical memory: page frames with `struct page`-like state, one zone with the kernel's
 * watermarks, and the allocator's fast path (mirrors mm/page_alloc.c; the slowpath, reclaim and
 * OOM entry live in src/mm/page_alloc_slowpath.ts so this file stays the data structure).
 */
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/** What a frame is used for; drives /proc/meminfo and the invariants. */
export enum PageKind {
  Free = 0,
  Reserved = 1,
  PageTable = 2,
  Anon = 3,
  File = 4,
  Shmem = 5,
  Kernel = 6,
  Zero = 7,
}

export enum Lru {
  None = 0,
  InactiveAnon = 1,
  ActiveAnon = 2,
  InactiveFile = 3,
  ActiveFile = 4,
}

/** Reverse map entry: which mm maps this frame at which virtual address. */
export interface RmapEntry {
  mmId: number;
  address: number;
}

export interface Watermarks {
  min: number;
  low: number;
  high: number;
}

/** int_sqrt as the kernel computes it (floor of the square root). */
export function int_sqrt(x: number): number {
  return Math.floor(Math.sqrt(x));
}

export class PhysMem {
  readonly nrPages: number;
  readonly reservedPages: number;
  readonly kind: Uint8Array;
  readonly refcount: Int32Array;
  readonly mapcount: Int32Array;
  /** memcg id the page is charged to (0 = not charged) */
  readonly memcg: Int32Array;
  readonly lru: Uint8Array;
  /** page-cache identity (file id, page index) for file pages */
  readonly mapping = new Map<number, { file: number; index: number }>();
  readonly rmap = new Map<number, RmapEntry[]>();
  /** LRU lists, oldest first (insertion-ordered sets) */
  readonly lists: Record<Lru, Set<number>>;
  private readonly freeStack: Int32Array;
  private freeTop = 0;
  readonly counts = { anon: 0, file: 0, shmem: 0, pagetable: 0, kernel: 0 };
  minFreeKbytes: number;
  userMinFreeKbytes = 0;
  watermarkScaleFactor = 10;
  wmark: Watermarks = { min: 0, low: 0, high: 0 };
  readonly zeroPfn: number;
  readonly profileMax: number;

  /**
   * @param bytes machine RAM
   * @param reservedPages pages the "kernel" owns from boot (image, memmap, slab at boot)
   */
  constructor(bytes: number, reservedPages: number, minFreeKbytesMax: number) {
    this.nrPages = Math.floor(bytes / PAGE_SIZE);
    if (this.nrPages < 256) throw new Error(`machine memory ${bytes} bytes is too small (need at least 1 MiB)`);
    this.reservedPages = Math.min(reservedPages, this.nrPages - 128);
    this.kind = new Uint8Array(this.nrPages);
    this.refcount = new Int32Array(this.nrPages);
    this.mapcount = new Int32Array(this.nrPages);
    this.memcg = new Int32Array(this.nrPages);
    this.lru = new Uint8Array(this.nrPages);
    this.lists = {
      [Lru.None]: new Set(),
      [Lru.InactiveAnon]: new Set(),
      [Lru.ActiveAnon]: new Set(),
      [Lru.InactiveFile]: new Set(),
      [Lru.ActiveFile]: new Set(),
    } as Record<Lru, Set<number>>;
    this.freeStack = new Int32Array(this.nrPages);
    for (let pfn = 0; pfn < this.reservedPages; pfn++) this.kind[pfn] = PageKind.Reserved;
    // Lowest pfn on top: allocation order is deterministic and ascending.
    for (let pfn = this.nrPages - 1; pfn >= this.reservedPages; pfn--) this.freeStack[this.freeTop++] = pfn;
    // The shared zero page (empty_zero_page) is part of the kernel image.
    this.zeroPfn = 0;
    this.kind[0] = PageKind.Zero;
    this.profileMax = minFreeKbytesMax;
    this.minFreeKbytes = this.calculateMinFreeKbytes();
    this.setupPerZoneWmarks();
  }

  get managedPages(): number {
    return this.nrPages - this.reservedPages;
  }

  get nrFree(): number {
    return this.freeTop;
  }

  /** calculate_min_free_kbytes(): int_sqrt(lowmem_kbytes * 16), clamped (docs/kernel-reference.md §5.4). */
  calculateMinFreeKbytes(): number {
    const lowmemKbytes = this.managedPages * 4;
    let v = int_sqrt(lowmemKbytes * 16);
    v = Math.max(128, Math.min(this.profileMax, v));
    return Math.max(v, this.userMinFreeKbytes);
  }

  /** __setup_per_zone_wmarks() for the single zone (4.19/6.1 formula, docs/kernel-reference.md §5.4). */
  setupPerZoneWmarks(): void {
    const pagesMin = this.minFreeKbytes >> 2;
    const min = pagesMin;
    const tmp = Math.max(min >> 2, Math.floor((this.managedPages * this.watermarkScaleFactor) / 10000));
    this.wmark = { min, low: min + tmp, high: min + 2 * tmp };
  }

  /** __zone_watermark_ok for order 0 (docs/kernel-reference.md §5.4): ALLOC_HIGH/ALLOC_OOM/ALLOC_HARDER lower the mark. */
  watermarkOk(
    mark: number,
    flags: { high?: boolean; oom?: boolean; harder?: boolean; noWatermarks?: boolean } = {},
  ): boolean {
    if (flags.noWatermarks) return this.freeTop > 0;
    let min = mark;
    if (flags.high) min -= Math.floor(min / 2);
    if (flags.oom) min -= Math.floor(min / 2);
    else if (flags.harder) min -= Math.floor(min / 4);
    return this.freeTop > min;
  }

  /** Takes one free frame (rmqueue).  The caller decided the watermark question. */
  takeFrame(kind: PageKind): number {
    if (this.freeTop === 0) return -1;
    const pfn = this.freeStack[--this.freeTop]!;
    this.kind[pfn] = kind;
    this.refcount[pfn] = 1;
    this.mapcount[pfn] = 0;
    this.memcg[pfn] = 0;
    this.countAdd(kind, 1);
    return pfn;
  }

  /** Returns a frame to the free list (free_unref_page). */
  freeFrame(pfn: number): void {
    const k = this.kind[pfn] as PageKind;
    if (k === PageKind.Free || k === PageKind.Reserved || k === PageKind.Zero)
      throw new Error(`freeFrame: pfn ${pfn} is ${PageKind[k]}`);
    this.lruDel(pfn);
    this.countAdd(k, -1);
    this.kind[pfn] = PageKind.Free;
    this.refcount[pfn] = 0;
    this.mapcount[pfn] = 0;
    this.memcg[pfn] = 0;
    this.mapping.delete(pfn);
    this.rmap.delete(pfn);
    this.freeStack[this.freeTop++] = pfn;
  }

  private countAdd(kind: PageKind, n: number): void {
    switch (kind) {
      case PageKind.Anon:
        this.counts.anon += n;
        break;
      case PageKind.File:
        this.counts.file += n;
        break;
      case PageKind.Shmem:
        this.counts.shmem += n;
        break;
      case PageKind.PageTable:
        this.counts.pagetable += n;
        break;
      case PageKind.Kernel:
        this.counts.kernel += n;
        break;
      default:
        break;
    }
  }

  /** Re-types a frame (e.g. an anon page moved to swap cache) keeping counts right. */
  setKind(pfn: number, kind: PageKind): void {
    this.countAdd(this.kind[pfn] as PageKind, -1);
    this.kind[pfn] = kind;
    this.countAdd(kind, 1);
  }

  lruAdd(pfn: number, list: Lru): void {
    this.lruDel(pfn);
    this.lru[pfn] = list;
    this.lists[list].add(pfn);
  }

  lruDel(pfn: number): void {
    const l = this.lru[pfn] as Lru;
    if (l !== Lru.None) {
      this.lists[l].delete(pfn);
      this.lru[pfn] = Lru.None;
    }
  }

  rmapAdd(pfn: number, e: RmapEntry): void {
    let l = this.rmap.get(pfn);
    if (!l) this.rmap.set(pfn, (l = []));
    l.push(e);
    this.mapcount[pfn]!++;
  }

  rmapDel(pfn: number, mmId: number, address: number): void {
    const l = this.rmap.get(pfn);
    if (!l) return;
    const i = l.findIndex((e) => e.mmId === mmId && e.address === address);
    if (i >= 0) {
      l.splice(i, 1);
      this.mapcount[pfn]!--;
    }
    if (l.length === 0) this.rmap.delete(pfn);
  }
}
