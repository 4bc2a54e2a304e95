/**
 * CONFIG_DEBUG_VM for the model: a consistency checker over the whole memory-management state
 * (frames, page tables, reverse maps, RSS counters, swap, commit accounting, memcg counters and
 * statistics).  src/machine/debug-vm.ts runs it while a machine runs.
 *
 * checkInvariants(k) returns one message per violation (empty = consistent).  Every message
 * starts with the id of the invariant it breaks in brackets, e.g. "[rmap.match] ...", so a test
 * can tolerate a known, separately reported model bug by id without hiding anything else.
 *
 * What is checked (the ids):
 *
 *  frames.*    every page frame is exactly one of reserved (incl. the zero page), boot kernel
 *              (PageKind.Kernel, taken once at boot), page table, anon, page cache (file or
 *              shmem) or free; the PhysMem.counts / nrFree tallies equal a recount of
 *              PhysMem.kind; the boot-kernel count never changes; a free frame carries no
 *              state (refcount, mapcount, memcg, lru, rmap, mapping).
 *  pagecache.* page-cache pages are exactly the File/Shmem frames, each found again by
 *              pageCacheLookup(file, index).
 *  pgtable.*   the PageTable frames are exactly the table pages of the live mms (pgd, extra pgd
 *              pages, pud/pmd/pte tables), none shared between mms, and PageTable.nr[] counts
 *              them per level (pgtables_bytes).
 *  lru.*       anon and shmem pages sit on an anon LRU list, file pages on a file list, nothing
 *              else on any list; PhysMem.lru agrees with list membership.
 *  pte.*       every present PTE of a live mm maps a user frame (anon/file/shmem) or, as a
 *              special PTE, the zero page; PTEs (present or swap) only exist inside VMAs.
 *  rmap.*      the reverse map equals the PTEs exactly: for every frame, the (mm, address)
 *              entries are the present non-special PTEs mapping it, mapcount is their number,
 *              and no entry names an mm that is gone.
 *  refcount.*  anon frames: refcount == mapcount; page-cache frames: 1 (the cache) + mapcount.
 *  rss.*       MM_ANONPAGES / MM_FILEPAGES / MM_SHMEMPAGES / MM_SWAPENTS of each mm (synced
 *              counter plus every thread's SPLIT_RSS cache, trueMmCounter) equal the PTE counts.
 *  swap.*      every used swap slot is referenced by exactly one swap PTE (the model has no
 *              swap_map reference counts) and the number of used slots equals the swap PTEs.
 *  mm.*        tasks reference live mms only; mm->users equals the tasks using the mm.
 *  commit.*    vm_committed_as equals the sum of the live mms' committed pages, and each mm's
 *              committed pages equal its VM_ACCOUNT VMAs' sizes.
 *  memcg.*     every charged frame (PhysMem.memcg != 0) names an existing memcg; for every
 *              non-root memcg, memory.current == charged frames of its subtree + accounted
 *              slab pages of its subtree + the per-CPU stock if it caches a charge of the
 *              subtree; the root's counter is the sum of its children; memory.swap.current
 *              equals the swap entries of the subtree's mms (by the mm owner's memcg, which is
 *              where the model charges and uncharges swap).
 *  memcg.stat.* the memory.stat counters of each non-root memcg (anon, file, shmem, kernel,
 *              pagetables, file_mapped, the four LRU counters, slab_unreclaimable) equal what the
 *              frames, tables and slab objects charged to it say.
 *  idle.*      once no mm is alive (all processes exited): no anon or page-table frame, no
 *              mapping, no swap, no commit; free == nrPages - reserved - boot kernel - page
 *              cache; every non-root memcg is charged for its page cache and the stock only.
 *
 * Not checked: the root memcg's memory.stat (the model records root-charged user pages with
 * PhysMem.memcg 0, so there is nothing per frame to compare with), and *which* memcg a frame
 * should have been charged to (the checker compares counters with the frames' own
 * PhysMem.memcg, so a charge to the wrong memcg that is consistently recorded passes).
 *
 * Slab: the model charges accounted slab objects (mm_struct, vm_area_struct) to the memcg by
 * bytes per mm, rounded up to whole pages per mm (memcg_slab_post_alloc_hook, src/mm/slab.ts), without taking frames.
 * So slab memory appears in memcg counters (kernel, memory.current) but not in any frame kind;
 * the frame identity therefore has no slab term, and the memcg identity adds
 * ceil(mm.slab.bytes / PAGE_SIZE) for every live mm whose slab is charged to the memcg.
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS, type MmStruct } from '../include/linux/mm_types.js';
import { VM_ACCOUNT } from '../include/linux/mm.js';
import { trueMmCounter } from './memory.js';
import { Lru, PageKind, PAGE_SIZE } from '../include/linux/mmzone.js';
import { MemCgroup } from '../include/linux/memcontrol.js';
import { filemap_get_folio } from './filemap.js';
import { nr_file_pages } from './filemap.js';
import { nr_swap_pages_used } from './swapfile.js';

/** Upper end of the user address range walked for PTEs (arm64 TASK_SIZE_64; covers x86 too). */
const USER_TOP = 2 ** 48;
const MAX_MESSAGES_PER_ID = 8;

/** Boot-kernel frame count per kernel, recorded the first time a kernel is checked. */
const bootKernel = new WeakMap<KernelState, number>();

/** Records the boot-time baseline (idle kernel frames); call right after creating the machine. */
export function recordBaseline(k: KernelState): void {
  if (!bootKernel.has(k)) bootKernel.set(k, countKind(k, PageKind.Kernel));
}

function countKind(k: KernelState, kind: PageKind): number {
  let n = 0;
  const a = k.phys.kind;
  for (let i = 0; i < a.length; i++) if (a[i] === kind) n++;
  return n;
}

const KIND_NAMES: Record<number, string> = {
  0: 'Free',
  1: 'Reserved',
  2: 'PageTable',
  3: 'Anon',
  4: 'File',
  5: 'Shmem',
  6: 'Kernel',
  7: 'Zero',
};
const hex = (n: number) => '0x' + n.toString(16);

class Report {
  readonly out: string[] = [];
  private readonly perId = new Map<string, number>();
  add(id: string, msg: string): void {
    const n = (this.perId.get(id) ?? 0) + 1;
    this.perId.set(id, n);
    if (n <= MAX_MESSAGES_PER_ID) this.out.push(`[${id}] ${msg}`);
    else if (n === MAX_MESSAGES_PER_ID + 1)
      this.out.push(`[${id}] ... (further violations of this invariant not listed)`);
  }
  eq(id: string, what: string, actual: number, expected: number): void {
    if (actual !== expected) this.add(id, `${what}: ${actual}, expected ${expected}`);
  }
}

interface MmScan {
  mm: MmStruct;
  anon: number;
  file: number;
  shmem: number;
  swap: number;
  tables: { pfn: number; level: number }[];
}

/**
 * Checks every invariant listed in the header.  Read-only: it never changes model state, so it
 * may run at any point where the model is between operations (not inside a fault).
 */
export function checkInvariants(k: KernelState): string[] {
  recordBaseline(k);
  const r = new Report();
  const p = k.phys;
  const N = p.nrPages;
  const boot = bootKernel.get(k)!;

  // ------------------------------------------------------------------ page tables, PTEs
  const tableOwner = new Map<number, number>();
  const tableLevel = new Map<number, number>();
  /** present, non-special PTEs mapping each frame */
  const ptes = new Int32Array(N);
  const slotRefs = new Map<number, number>();
  const scans: MmScan[] = [];
  for (const mm of k.mm.mms.values()) {
    const s: MmScan = { mm, anon: 0, file: 0, shmem: 0, swap: 0, tables: mm.pgtable.allTables() };
    scans.push(s);
    const perLevel = [0, 0, 0, 0];
    for (const { pfn, level } of [...s.tables, ...mm.pgdExtra.map((pfn) => ({ pfn, level: 0 }))]) {
      if (tableOwner.has(pfn))
        r.add('pgtable.shared', `table pfn ${pfn} belongs to mm ${tableOwner.get(pfn)} and mm ${mm.id}`);
      tableOwner.set(pfn, mm.id);
      tableLevel.set(pfn, level);
      perLevel[level]!++;
      if (p.kind[pfn] !== PageKind.PageTable)
        r.add('pgtable.kind', `mm ${mm.id} level-${level} table pfn ${pfn} is a ${KIND_NAMES[p.kind[pfn]!]} frame`);
    }
    for (let level = 1; level <= 3; level++)
      r.eq('pgtable.nr', `mm ${mm.id} PageTable.nr[${level}]`, mm.pgtable.nr[level]!, perLevel[level]!);
    const fmt = mm.pgtable.fmt;
    const vmas = mm.vmas;
    mm.pgtable.forEachPte(0, USER_TOP, (address, lo, hi) => {
      const v = fmt.view(lo, hi);
      const inVma = vmas.some((x) => x.start <= address && address < x.end);
      if (!inVma)
        r.add(
          'pte.outside-vma',
          `mm ${mm.id} has a ${v.valid ? 'present' : 'swap'} PTE at ${hex(address)} outside every VMA`,
        );
      if (!v.valid) {
        if (v.swapSlot === null) return;
        s.swap++;
        slotRefs.set(v.swapSlot, (slotRefs.get(v.swapSlot) ?? 0) + 1);
        return;
      }
      if (v.special) {
        if (v.pfn !== p.zeroPfn)
          r.add('pte.special', `mm ${mm.id} special PTE at ${hex(address)} maps pfn ${v.pfn}, not the zero page`);
        return;
      }
      if (v.pfn < 0 || v.pfn >= N) {
        r.add('pte.pfn', `mm ${mm.id} PTE at ${hex(address)} maps pfn ${v.pfn} outside RAM`);
        return;
      }
      const kind = p.kind[v.pfn] as PageKind;
      if (kind === PageKind.Anon) s.anon++;
      else if (kind === PageKind.File) s.file++;
      else if (kind === PageKind.Shmem) s.shmem++;
      else {
        r.add('pte.pfn', `mm ${mm.id} PTE at ${hex(address)} maps a ${KIND_NAMES[kind]} frame (pfn ${v.pfn})`);
        return;
      }
      ptes[v.pfn]!++;
      const rm = p.rmap.get(v.pfn);
      if (!rm || !rm.some((e) => e.mmId === mm.id && e.address === address))
        r.add(
          'rmap.match',
          `pfn ${v.pfn} (${KIND_NAMES[kind]}) is mapped by mm ${mm.id} at ${hex(address)} but has no rmap entry for it`,
        );
    });
    r.eq('rss.anon', `mm ${mm.id} MM_ANONPAGES`, trueMmCounter(k, mm, MM_ANONPAGES), s.anon);
    r.eq('rss.file', `mm ${mm.id} MM_FILEPAGES`, trueMmCounter(k, mm, MM_FILEPAGES), s.file);
    r.eq('rss.shmem', `mm ${mm.id} MM_SHMEMPAGES`, trueMmCounter(k, mm, MM_SHMEMPAGES), s.shmem);
    r.eq('rss.swap', `mm ${mm.id} MM_SWAPENTS`, trueMmCounter(k, mm, MM_SWAPENTS), s.swap);
  }

  // ------------------------------------------------------------------ one pass over the frames
  const cnt = new Array<number>(8).fill(0);
  for (let pfn = 0; pfn < N; pfn++) {
    const kind = p.kind[pfn]! as PageKind;
    if (kind > 7) {
      r.add('frames.kind', `pfn ${pfn} has unknown kind ${kind}`);
      continue;
    }
    cnt[kind]!++;
    const reservedRange = pfn < p.reservedPages;
    const reservedKind = kind === PageKind.Reserved || kind === PageKind.Zero;
    if (reservedRange !== reservedKind)
      r.add(
        'frames.reserved',
        `pfn ${pfn} (${reservedRange ? 'below' : 'above'} reservedPages) is ${KIND_NAMES[kind]}`,
      );
    const l = p.lru[pfn] as Lru;
    if (kind === PageKind.Free) {
      if (p.refcount[pfn] || p.mapcount[pfn] || p.memcg[pfn] || l)
        r.add(
          'frames.free-state',
          `free pfn ${pfn} still has refcount ${p.refcount[pfn]} mapcount ${p.mapcount[pfn]} memcg ${p.memcg[pfn]} lru ${l}`,
        );
      continue;
    }
    // LRU placement
    if (l !== Lru.None && !p.lists[l].has(pfn))
      r.add('lru.list', `pfn ${pfn} says lru ${Lru[l]} but is not on that list`);
    const anonList = l === Lru.InactiveAnon || l === Lru.ActiveAnon;
    const fileList = l === Lru.InactiveFile || l === Lru.ActiveFile;
    if (kind === PageKind.Anon || kind === PageKind.Shmem) {
      if (!anonList) r.add('lru.kind', `${KIND_NAMES[kind]} pfn ${pfn} is on LRU ${Lru[l]}`);
    } else if (kind === PageKind.File) {
      if (!fileList) r.add('lru.kind', `File pfn ${pfn} is on LRU ${Lru[l]}`);
    } else if (l !== Lru.None) r.add('lru.kind', `${KIND_NAMES[kind]} pfn ${pfn} is on LRU ${Lru[l]}`);
    // page cache identity, mapcount, refcount
    if (p.mapcount[pfn] !== ptes[pfn])
      r.add(
        'rmap.mapcount',
        `pfn ${pfn} (${KIND_NAMES[kind]}) mapcount ${p.mapcount[pfn]} but ${ptes[pfn]} PTE(s) map it`,
      );
    if (kind === PageKind.Anon) {
      if (p.refcount[pfn] !== p.mapcount[pfn])
        r.add('refcount.anon', `anon pfn ${pfn} refcount ${p.refcount[pfn]}, expected mapcount ${p.mapcount[pfn]}`);
    } else if (kind === PageKind.File || kind === PageKind.Shmem) {
      if (p.refcount[pfn] !== 1 + p.mapcount[pfn]!)
        r.add(
          'refcount.pagecache',
          `page-cache pfn ${pfn} refcount ${p.refcount[pfn]}, expected 1 + mapcount ${p.mapcount[pfn]}`,
        );
      const m = p.mapping.get(pfn);
      if (!m) r.add('pagecache.mapping', `page-cache pfn ${pfn} has no mapping`);
      else if (filemap_get_folio(k, m.file, m.index) !== pfn)
        r.add(
          'pagecache.mapping',
          `pfn ${pfn} (file ${m.file} index ${m.index}) is not what the page cache holds (${filemap_get_folio(k, m.file, m.index)})`,
        );
    } else if (kind === PageKind.PageTable) {
      if (!tableOwner.has(pfn)) r.add('pgtable.leak', `page-table frame ${pfn} belongs to no live mm`);
    }
  }
  r.eq(
    'frames.count',
    'reserved frames (incl. zero page)',
    cnt[PageKind.Reserved]! + cnt[PageKind.Zero]!,
    p.reservedPages,
  );
  r.eq('frames.count', 'free frames vs nrFree', cnt[PageKind.Free]!, p.nrFree);
  r.eq('frames.count', 'anon frames vs counts.anon', cnt[PageKind.Anon]!, p.counts.anon);
  r.eq('frames.count', 'file frames vs counts.file', cnt[PageKind.File]!, p.counts.file);
  r.eq('frames.count', 'shmem frames vs counts.shmem', cnt[PageKind.Shmem]!, p.counts.shmem);
  r.eq('frames.count', 'page-table frames vs counts.pagetable', cnt[PageKind.PageTable]!, p.counts.pagetable);
  r.eq('frames.count', 'kernel frames vs counts.kernel', cnt[PageKind.Kernel]!, p.counts.kernel);
  r.eq('frames.boot-kernel', 'boot kernel frames (allocated once at boot)', cnt[PageKind.Kernel]!, boot);
  const sum =
    p.reservedPages +
    boot +
    cnt[PageKind.PageTable]! +
    cnt[PageKind.Anon]! +
    cnt[PageKind.File]! +
    cnt[PageKind.Shmem]! +
    (cnt[PageKind.Kernel]! - boot) +
    cnt[PageKind.Free]!;
  r.eq('frames.sum', 'reserved + boot kernel + page tables + anon + page cache + kernel + free', sum, N);
  r.eq('pagecache.count', 'page-cache pages vs File+Shmem frames', nr_file_pages(k), p.counts.file + p.counts.shmem);
  for (const list of [Lru.InactiveAnon, Lru.ActiveAnon, Lru.InactiveFile, Lru.ActiveFile]) {
    for (const pfn of p.lists[list])
      if (p.lru[pfn] !== list)
        r.add('lru.list', `pfn ${pfn} is on list ${Lru[list]} but lru[] says ${Lru[p.lru[pfn] as Lru]}`);
  }
  for (const pfn of p.mapping.keys()) {
    const kind = p.kind[pfn];
    if (kind !== PageKind.File && kind !== PageKind.Shmem)
      r.add('pagecache.mapping', `${KIND_NAMES[kind!]} pfn ${pfn} has a page-cache mapping`);
  }

  // ------------------------------------------------------------------ rmap == PTEs
  // every PTE found its entry above; equal numbers make the match exact
  for (const [pfn, entries] of p.rmap) {
    if (p.kind[pfn] === PageKind.Free) r.add('frames.free-state', `free pfn ${pfn} has rmap entries`);
    if (entries.length !== ptes[pfn])
      r.add(
        'rmap.match',
        `pfn ${pfn} (${KIND_NAMES[p.kind[pfn]!]}) has ${entries.length} rmap entries [${entries.map((e) => `mm ${e.mmId} @${hex(e.address)}`).join(', ')}] but ${ptes[pfn]} PTE(s) map it`,
      );
    for (const e of entries)
      if (!k.mm.mms.has(e.mmId)) r.add('rmap.dead-mm', `pfn ${pfn} rmap entry names mm ${e.mmId}, which is gone`);
  }

  // ------------------------------------------------------------------ swap
  for (const [slot, n] of slotRefs) {
    if (n !== 1)
      r.add(
        'swap.shared-slot',
        `swap slot ${slot} is referenced by ${n} swap PTEs (the model keeps no swap_map count)`,
      );
  }
  r.eq('swap.used', 'used swap slots vs distinct slots in swap PTEs', nr_swap_pages_used(k), slotRefs.size);

  // ------------------------------------------------------------------ tasks and mms
  const users = new Map<number, number>();
  for (const t of k.sched.tasks.values()) {
    if (!t.mm) continue;
    if (t.state === 'Z' || t.state === 'X') r.add('mm.dead-task', `${t.state} task ${t.pid} still holds mm ${t.mm.id}`);
    if (!k.mm.mms.has(t.mm.id) || k.mm.mms.get(t.mm.id) !== t.mm)
      r.add('mm.gone', `task ${t.pid} uses mm ${t.mm.id}, which is not a live mm`);
    users.set(t.mm.id, (users.get(t.mm.id) ?? 0) + 1);
  }
  for (const mm of k.mm.mms.values()) r.eq('mm.users', `mm ${mm.id} users`, mm.users, users.get(mm.id) ?? 0);

  // ------------------------------------------------------------------ commit accounting
  let committed = 0;
  for (const mm of k.mm.mms.values()) {
    committed += mm.committed;
    let acct = 0;
    for (const v of mm.vmas) if (v.flags & VM_ACCOUNT) acct += (v.end - v.start) / PAGE_SIZE;
    r.eq('commit.mm', `mm ${mm.id} committed pages vs VM_ACCOUNT VMA pages`, mm.committed, acct);
  }
  r.eq('commit.total', 'vm_committed_as vs sum of live mms', k.mm.committedAs, committed);

  // ------------------------------------------------------------------ memcg
  checkMemcg(k, r, tableLevel, scans);

  // ------------------------------------------------------------------ idle
  if (k.mm.mms.size === 0) {
    r.eq('idle.anon', 'anon frames with no process alive', p.counts.anon, 0);
    r.eq('idle.pgtable', 'page-table frames with no process alive', p.counts.pagetable, 0);
    r.eq('idle.rmap', 'frames with rmap entries with no process alive', p.rmap.size, 0);
    r.eq('idle.swap', 'used swap slots with no process alive', nr_swap_pages_used(k), 0);
    r.eq('idle.commit', 'vm_committed_as with no process alive', k.mm.committedAs, 0);
    r.eq(
      'idle.free',
      'free frames with no process alive (nrPages - reserved - boot kernel - page cache)',
      p.nrFree,
      N - p.reservedPages - boot - nr_file_pages(k),
    );
  }
  return r.out;
}

function checkMemcg(k: KernelState, r: Report, tableLevel: Map<number, number>, scans: MmScan[]): void {
  const p = k.phys;
  const all = k.memcg.all();
  const known = new Map<number, MemCgroup>();
  for (const m of all) known.set(m.id, m);
  interface Tally {
    pages: number;
    anon: number;
    file: number;
    shmem: number;
    tables: number;
    pagetables: number;
    inactiveAnon: number;
    activeAnon: number;
    inactiveFile: number;
    activeFile: number;
    fileMapped: number;
    slabPages: number;
    slabBytes: number;
    swap: number;
  }
  const tally = new Map<number, Tally>();
  const T = (id: number): Tally => {
    let t = tally.get(id);
    if (!t)
      tally.set(
        id,
        (t = {
          pages: 0,
          anon: 0,
          file: 0,
          shmem: 0,
          tables: 0,
          pagetables: 0,
          inactiveAnon: 0,
          activeAnon: 0,
          inactiveFile: 0,
          activeFile: 0,
          fileMapped: 0,
          slabPages: 0,
          slabBytes: 0,
          swap: 0,
        }),
      );
    return t;
  };
  for (let pfn = 0; pfn < p.nrPages; pfn++) {
    const id = p.memcg[pfn]!;
    if (!id) continue;
    let m = known.get(id);
    if (!m) {
      try {
        m = k.memcg.get(id); // removed (rmdir'ed) memcgs still exist while charged
      } catch {
        r.add('memcg.exists', `pfn ${pfn} is charged to memcg id ${id}, which does not exist`);
        continue;
      }
    }
    const kind = p.kind[pfn] as PageKind;
    const t = T(id);
    t.pages++;
    if (kind === PageKind.Anon) t.anon++;
    else if (kind === PageKind.File) t.file++;
    else if (kind === PageKind.Shmem) {
      t.file++;
      t.shmem++;
    } else if (kind === PageKind.PageTable) {
      t.tables++;
      if ((tableLevel.get(pfn) ?? 0) >= 2) t.pagetables++;
    } else r.add('memcg.kind', `pfn ${pfn} (${KIND_NAMES[kind]}) is charged to memcg ${m.path}`);
    const l = p.lru[pfn] as Lru;
    if (l === Lru.InactiveAnon) t.inactiveAnon++;
    else if (l === Lru.ActiveAnon) t.activeAnon++;
    else if (l === Lru.InactiveFile) t.inactiveFile++;
    else if (l === Lru.ActiveFile) t.activeFile++;
    if (kind === PageKind.File || kind === PageKind.Shmem) t.fileMapped += p.mapcount[pfn]!;
  }
  for (const s of scans) {
    const mm = s.mm;
    if (mm.slab.bytes > 0) {
      const t = T(mm.slab.memcgId);
      t.slabPages += Math.ceil(mm.slab.bytes / PAGE_SIZE);
      t.slabBytes += mm.slab.bytes;
    }
    if (s.swap) T(ownerMemcgId(k, mm)).swap += s.swap;
  }
  const stock = k.memcg.stock;
  const sub = (m: MemCgroup, f: (t: Tally) => number): number => {
    let n = 0;
    for (const d of m.subtree()) n += f(tally.get(d.id) ?? T(d.id));
    return n;
  };
  for (const m of all) {
    if (m.isRoot) continue;
    const stockPages = stock.memcg && stock.memcg.isDescendantOf(m) ? stock.nrPages : 0;
    const frames = sub(m, (t) => t.pages);
    const slab = sub(m, (t) => t.slabPages);
    r.eq(
      'memcg.usage',
      `${m.path} memory.current pages (= ${frames} charged frames + ${slab} slab pages + ${stockPages} stock)`,
      m.memory.usage,
      frames + slab + stockPages,
    );
    r.eq(
      'memcg.swap',
      `${m.path} memory.swap.current pages vs swap entries of its mms`,
      m.swap.usage,
      sub(m, (t) => t.swap),
    );
    if (m.memory.usage < 0) r.add('memcg.negative', `${m.path} memory.current is negative (${m.memory.usage})`);
    const t = tally.get(m.id) ?? T(m.id);
    const s = m.stat;
    r.eq('memcg.stat.anon', `${m.path} stat anon`, s.anon, t.anon);
    r.eq('memcg.stat.file', `${m.path} stat file`, s.file, t.file);
    r.eq('memcg.stat.shmem', `${m.path} stat shmem`, s.shmem, t.shmem);
    r.eq('memcg.stat.kernel', `${m.path} stat kernel (page tables + slab pages)`, s.kernel, t.tables + t.slabPages);
    r.eq('memcg.stat.pagetables', `${m.path} stat pagetables (pmd + pte tables)`, s.pagetables, t.pagetables);
    r.eq('memcg.stat.lru', `${m.path} stat inactive_anon`, s.inactive_anon, t.inactiveAnon);
    r.eq('memcg.stat.lru', `${m.path} stat active_anon`, s.active_anon, t.activeAnon);
    r.eq('memcg.stat.lru', `${m.path} stat inactive_file`, s.inactive_file, t.inactiveFile);
    r.eq('memcg.stat.lru', `${m.path} stat active_file`, s.active_file, t.activeFile);
    r.eq('memcg.stat.file_mapped', `${m.path} stat file_mapped`, s.file_mapped, t.fileMapped);
    r.eq('memcg.stat.slab', `${m.path} stat slab_unreclaimable bytes`, s.slab_unreclaimable, t.slabBytes);
  }
  const root = k.memcg.root;
  let childSum = 0;
  for (const c of root.children) childSum += c.memory.usage;
  r.eq('memcg.root', 'root memcg counter vs sum of its children', root.memory.usage, childSum);
  // cgroups removed while charged are no longer children of their parent but keep their charge
  if (k.mm.mms.size === 0) {
    for (const m of all) {
      if (m.isRoot) continue;
      const stockPages = stock.memcg && stock.memcg.isDescendantOf(m) ? stock.nrPages : 0;
      const cache = sub(m, (t) => t.file);
      r.eq(
        'idle.memcg',
        `${m.path} memory.current pages with no process alive (= page cache ${cache} + stock ${stockPages})`,
        m.memory.usage,
        cache + stockPages,
      );
    }
  }
}

/** The memcg the model charges an mm's swap entries to (mmMemcg of the owner task). */
function ownerMemcgId(k: KernelState, mm: MmStruct): number {
  const t = k.sched.tasks.get(mm.ownerPid);
  return t ? t.memcgId : k.memcg.root.id;
}
