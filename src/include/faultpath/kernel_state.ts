/**
 * The modeled machine's global state (the kernel's globals: physical memory, page cache, swap,
 * the memcg tree, the task list, sysctls, the log) and the small memory-management primitives
 * the mm/ files share.  Behaviour with a kernel name lives in the file mirroring its kernel file.
 */
import { Crng } from '../../drivers/char/random.js';
import { Cpu } from '../../hw/cpu.js';
import { __alloc_pages, type AllocContext } from '../../mm/page_alloc.js';
import { mem_cgroup_uncharge, mmMemcg, try_charge } from '../../mm/memcontrol.js';
import { unchargePage } from '../../mm/memory.js';
import { out_of_memory, type OomControl } from '../../mm/oom_kill.js';
import { Lru, PageKind, PhysMem, PAGE_SIZE } from '../linux/mmzone.js';
import { PageTable, type PgtableFormat } from '../../hw/mmu.js';
import { shrinkLists, type ReclaimScope } from '../../mm/vmscan.js';
import type { TraceEvent } from '../../trace/events.js';
import { Tracer } from '../../trace/tracer.js';
import { Printk } from '../../kernel/printk/printk.js';
import type { GuestArch, KernelProfile } from './profile.js';
import { Sysctl } from '../../kernel/sysctl.js';
import type { ModelFile } from '../linux/fs.js';
import type { MmStruct, Vma } from '../linux/mm_types.js';
import type { Task } from '../linux/sched.js';
import { MemCgroup } from '../linux/memcontrol.js';
import { MemcgTree } from '../linux/memcontrol.js';

export interface KernelOptions {
  arch: GuestArch;
  profile: KernelProfile;
  memBytes: number;
  swapBytes: number;
  tracer: Tracer;
  /** kernel-owned pages at boot (image, memmap, slab); default ~6% of RAM */
  reservedPages?: number;
  pgtableFormat: PgtableFormat;
  /** the rootfs: 'tmpfs' makes file pages shmem like the oracle's initramfs */
  rootfs: 'tmpfs' | 'disk';
  /** kernel pages in use at idle after boot (slab, stacks, percpu, initramfs cache) */
  idleKernelPages?: number;
  /** seeds the CRNG (AT_RANDOM, getrandom) */
  seed?: number;
}

/** A thrown TaskKilled unwinds the modeled call chain when the running task must stop. */
/** kmem_cache object sizes of the accounted caches (6.1, 64-bit; approximate) */
export const SLAB_MM_STRUCT = 1152;
export const SLAB_VM_AREA_STRUCT = 152;

export class KernelPanic extends Error {
  constructor(readonly text: string) {
    super(text);
    this.name = 'KernelPanic';
  }
}

type Payload<K extends TraceEvent['kind']> = Omit<
  Extract<TraceEvent, { kind: K }>,
  'ts' | 'cpu' | 'pid' | 'comm' | 'kind'
>;

export class KernelState {
  readonly arch: GuestArch;
  readonly profile: KernelProfile;
  readonly phys: PhysMem;
  readonly tracer: Tracer;
  readonly printk: Printk;
  readonly sysctl: Sysctl;
  /** get_random_bytes() (drivers/char/random.c) */
  readonly random: Crng;
  readonly memcg = new MemcgTree();
  readonly tasks = new Map<number, Task>();
  readonly mms = new Map<number, MmStruct>();
  readonly pgtableFormat: PgtableFormat;
  readonly rootfs: 'tmpfs' | 'disk';
  current: Task | null = null;
  /** simulated time in ns since boot */
  clock = 0;
  nextMmId = 1;
  readonly vmEvents = { pgfault: 0, pgmajfault: 0, oom_kill: 0, pswpin: 0, pswpout: 0, pgscan: 0, pgsteal: 0 };
  /** page cache: file id -> index -> pfn */
  private readonly pageCache = new Map<number, Map<number, number>>();
  private readonly pageCacheSeen = new Set<string>();
  /** swap area: slot -> page bytes */
  private readonly swapSlots = new Map<number, { data: Buffer; refs: number; memcgId: number }>();
  private readonly swapFreeSlots: number[] = [];
  readonly swapPages: number;
  private nextSwapSlot = 0;
  vmCommittedAs = 0;
  oomLock = false;
  oomKillerDisabled = false;
  /** registrable OOM notifiers (scenario-provided): return pages "freed" */
  readonly oomNotifiers: ((k: KernelState) => number)[] = [];
  panicked: string | null = null;
  /** hooks the process layer installs (exit of a killed task, wakeups): data flows down only */
  hooks: {
    exitDyingTasks(k: KernelState): void;
    wakeUp(k: KernelState, waitq: string, match: (waiterMemcgId: number) => boolean): void;
    queueOomReaper(k: KernelState, t: Task): void;
    callChain(k: KernelState): string[];
    sendSigkill(k: KernelState, t: Task, why: string): void;
    userRegsForOops(k: KernelState): string[];
    forceSigFault(k: KernelState, t: Task, sig: number, code: string, address: bigint): void;
    populate(k: KernelState, mm: MmStruct, vma: Vma, address: number, write: boolean): boolean;
  } = {
    exitDyingTasks: () => {},
    wakeUp: () => {},
    queueOomReaper: () => {},
    callChain: (k) => [...k.tracer.stack],
    sendSigkill: (_k, t) => {
      if (!t.pending.includes(9)) t.pending.push(9);
    },
    userRegsForOops: () => [],
    forceSigFault: (_k, t, sig) => {
      if (!t.pending.includes(sig)) t.pending.push(sig);
    },
    populate: () => false,
  };

  constructor(o: KernelOptions) {
    this.arch = o.arch;
    this.profile = o.profile;
    this.tracer = o.tracer;
    this.pgtableFormat = o.pgtableFormat;
    this.rootfs = o.rootfs;
    const pages = Math.floor(o.memBytes / PAGE_SIZE);
    this.phys = new PhysMem(
      o.memBytes,
      o.reservedPages ?? Math.max(256, Math.floor(pages * 0.06)),
      o.profile.minFreeKbytesMax,
    );
    this.swapPages = Math.floor(o.swapBytes / PAGE_SIZE);
    for (let i = 0; i < (o.idleKernelPages ?? 0); i++) this.phys.takeFrame(PageKind.Kernel);
    this.printk = new Printk(() => this.clock);
    this.sysctl = new Sysctl(this);
    this.random = new Crng(o.seed ?? 1);
    this.tracer.setContext({
      now: () => this.clock,
      advance: (ns) => (this.clock += ns),
      pid: () => this.current?.pid ?? 0,
      comm: () => this.current?.comm ?? 'swapper/0',
    });
  }

  emit<K extends TraceEvent['kind']>(kind: K, payload: Payload<K>): void {
    this.tracer.emit(kind, payload);
  }

  log(level: number, text: string): void {
    this.printk.log(level, text);
    this.emit('printk', { level, text });
  }

  // ---------------------------------------------------------------- address spaces

  /**
   * mm_alloc() + pgd_alloc(): the pgd comes from GFP_PGTABLE_USER (memcg-accounted where the
   * profile accounts page tables), the mm_struct from an accounted slab cache.  Both are charged
   * to the memcg of the task that creates the mm (exec or fork runs in its context).
   */
  newMm(cpu: Cpu): MmStruct {
    const memcg = this.current ? this.memcg.get(this.current.memcgId) : this.memcg.root;
    const accounted = this.profile.pgtableAccounted[this.arch];
    const pgds: number[] = [];
    for (let i = 0; i < this.profile.pgdPages[this.arch]; i++) {
      const pfn = this.allocKernelPage(PageKind.PageTable);
      if (pfn < 0) throw new Error('out of memory allocating a pgd');
      if (accounted && !memcg.isRoot) {
        if (try_charge(this, memcg, this.profile.gfp.GFP_KERNEL | this.profile.gfp.ACCOUNT, 1) !== 0) {
          this.phys.freeFrame(pfn);
          for (const p of pgds) this.freePgdPage(p);
          throw new Error('out of memory: cannot charge the pgd to the memory cgroup');
        }
        this.phys.memcg[pfn] = memcg.id;
        memcg.stat.kernel++;
      }
      pgds.push(pfn);
    }
    const pgd = pgds[0]!;
    const mm: MmStruct = {
      id: this.nextMmId++,
      arch: this.arch,
      cpu,
      pgtable: new PageTable(this.pgtableFormat, pgd),
      vmas: [],
      rss: [0, 0, 0, 0],
      totalVm: 0,
      stackVm: 0,
      dataVm: 0,
      execVm: 0,
      lockedVm: 0,
      startBrk: 0,
      brk: 0,
      startStack: 0,
      mmapBase: 0,
      argStart: 0,
      argEnd: 0,
      envStart: 0,
      envEnd: 0,
      flags: new Set(),
      users: 1,
      tlb: new Map(),
      committed: 0,
      ownerPid: 0,
      pgdExtra: pgds.slice(1),
      slab: { memcgId: memcg.id, bytes: 0 },
    };
    this.mms.set(mm.id, mm);
    this.slabCharge(mm, SLAB_MM_STRUCT);
    return mm;
  }

  /**
   * Accounted slab objects (SLAB_ACCOUNT caches: mm_struct, vm_area_struct): obj_cgroup charges
   * whole pages and keeps the remainder in the per-CPU obj stock, so the memcg's kernel usage
   * grows by ceil(bytes / PAGE_SIZE).
   */
  slabCharge(mm: MmStruct, bytes: number): boolean {
    const memcg = this.memcg.get(mm.slab.memcgId);
    const before = Math.ceil(mm.slab.bytes / PAGE_SIZE);
    const after = Math.ceil((mm.slab.bytes + bytes) / PAGE_SIZE);
    if (memcg.isRoot || !this.profile.kmemAccounting) {
      mm.slab.bytes += bytes;
      return true;
    }
    if (
      after > before &&
      try_charge(this, memcg, this.profile.gfp.GFP_KERNEL | this.profile.gfp.ACCOUNT, after - before) !== 0
    )
      return false;
    mm.slab.bytes += bytes;
    memcg.stat.slab_unreclaimable += bytes;
    if (after > before) memcg.stat.kernel += after - before;
    else if (after < before) {
      mem_cgroup_uncharge(this, memcg, before - after);
      memcg.stat.kernel -= before - after;
    }
    return true;
  }

  freeMmKernelPages(mm: MmStruct): void {
    for (const pfn of [mm.pgtable.pgd, ...mm.pgdExtra]) this.freePgdPage(pfn);
    this.slabCharge(mm, -mm.slab.bytes);
  }

  private freePgdPage(pfn: number): void {
    const id = this.phys.memcg[pfn]!;
    if (id) {
      const m = this.memcg.get(id);
      m.stat.kernel--;
      mem_cgroup_uncharge(this, m, 1);
      this.phys.memcg[pfn] = 0;
    }
    this.phys.freeFrame(pfn);
  }

  flushTlbPage(mm: MmStruct, address: number): void {
    mm.tlb.delete(Math.floor(address / PAGE_SIZE));
  }

  flushTlbRange(mm: MmStruct, start: number, end: number): void {
    if ((end - start) / PAGE_SIZE > mm.tlb.size) {
      for (const vpn of [...mm.tlb.keys()]) if (vpn * PAGE_SIZE >= start && vpn * PAGE_SIZE < end) mm.tlb.delete(vpn);
    } else {
      for (let a = start; a < end; a += PAGE_SIZE) mm.tlb.delete(Math.floor(a / PAGE_SIZE));
    }
  }

  findVma(mm: MmStruct, address: number): Vma | undefined {
    // find_vma(): the first VMA with vm_end > address (which may start above it).
    for (const v of mm.vmas) if (v.end > address) return v;
    return undefined;
  }

  // ---------------------------------------------------------------- page allocation

  /** A page for the kernel's own use (pgd at mm creation, boot structures). */
  allocKernelPage(kind: PageKind): number {
    const pfn = this.phys.takeFrame(kind);
    return pfn;
  }

  /**
   * pte_alloc_one / pmd_alloc_one / pud_alloc_one: GFP_PGTABLE_USER (GFP_KERNEL | __GFP_ZERO |
   * __GFP_ACCOUNT where the profile accounts page tables), charged to the mm's memcg as kmem.
   */
  allocPgtablePage(mm: MmStruct, level: number): number {
    const G = this.profile.gfp;
    const accounted = this.profile.pgtableAccounted[this.arch];
    const gfp = G.GFP_KERNEL | G.ZERO | (accounted ? G.ACCOUNT : 0);
    const pfn = __alloc_pages(this, gfp, 0, { kind: PageKind.PageTable });
    if (pfn < 0) return -1;
    if (accounted) {
      const memcg = mmMemcg(this, mm.ownerPid);
      if (try_charge(this, memcg, gfp, 1) !== 0) {
        this.phys.freeFrame(pfn);
        return -1;
      }
      this.phys.memcg[pfn] = memcg.id;
      memcg.stat.kernel++;
      // NR_PAGETABLE counts pte and pmd tables (pgtable_*_page_ctor); pud tables have no ctor.
      if (level >= 2) memcg.stat.pagetables++;
    }
    return pfn;
  }

  freePgtablePage(pfn: number, level: number): void {
    const id = this.phys.memcg[pfn]!;
    if (id) {
      const m = this.memcg.get(id);
      m.stat.kernel--;
      if (level >= 2) m.stat.pagetables--;
      mem_cgroup_uncharge(this, m, 1);
      this.phys.memcg[pfn] = 0;
    }
    this.phys.freeFrame(pfn);
  }

  /**
   * alloc_zeroed_user_highpage_movable / alloc_page_vma: the user page allocation, with the
   * gfp mask of the version (kernel-reference §4.5) through __alloc_pages (may OOM-kill).
   */
  allocUserPage(_vma: Vma, _address: number, zeroed: boolean): number {
    const G = this.profile.gfp;
    let gfp = G.GFP_HIGHUSER_MOVABLE;
    if (zeroed && (this.profile.version === '6.1' || this.arch === 'x86_64')) gfp |= G.ZERO;
    // 6.1: vma_alloc_folio → __folio_alloc adds __GFP_COMP (§4.5).
    if (this.profile.version === '6.1') gfp |= G.COMP;
    const ctx: AllocContext = { kind: PageKind.Anon, userChain: true };
    // alloc_zeroed_user_highpage_movable → vma_alloc_folio → __folio_alloc → __alloc_pages (6.1)
    const tr = this.tracer;
    const alloc = () => __alloc_pages(this, gfp, 0, ctx);
    if (this.profile.version !== '6.1') return tr.call('alloc_pages_vma', undefined, alloc);
    const folio = () => tr.call('vma_alloc_folio', undefined, () => tr.call('__folio_alloc', undefined, alloc));
    return zeroed ? tr.call('alloc_zeroed_user_highpage_movable', undefined, folio) : folio();
  }

  freeUserPage(pfn: number): void {
    this.phys.freeFrame(pfn);
  }

  /** mem_cgroup_commit / page_add_new_anon_rmap / lru_cache_add_inactive_or_unevictable. */
  commitAnonPage(pfn: number, memcg: MemCgroup, mm: MmStruct, address: number): void {
    this.phys.memcg[pfn] = memcg.id;
    this.phys.rmapAdd(pfn, { mmId: mm.id, address });
    this.phys.lruAdd(pfn, Lru.InactiveAnon);
    memcg.stat.anon++;
    memcg.stat.inactive_anon++;
  }

  /** Undo a charge for a page that never got mapped. */
  uncommitAnon(pfn: number, memcg: MemCgroup): void {
    this.phys.memcg[pfn] = memcg.id;
    this.phys.setKind(pfn, PageKind.Anon);
    memcg.stat.anon++;
    unchargePage(this, pfn);
    this.phys.freeFrame(pfn);
  }

  /** page_remove_rmap + put_page for one mapping of pfn in mm at address. */
  putPageMapping(pfn: number, mm: MmStruct, address: number): void {
    const p = this.phys;
    p.rmapDel(pfn, mm.id, address);
    const kind = p.kind[pfn] as PageKind;
    if (kind === PageKind.File || kind === PageKind.Shmem) {
      const id = p.memcg[pfn]!;
      if (id) this.memcg.get(id).stat.file_mapped--;
      p.refcount[pfn]!--;
      return; // stays in the page cache
    }
    p.refcount[pfn]!--;
    if (p.refcount[pfn]! <= 0 && p.mapcount[pfn]! <= 0) {
      unchargePage(this, pfn);
      p.freeFrame(pfn);
    }
  }

  // ---------------------------------------------------------------- page cache

  private nextAnonShmem = 0;

  /** shmem_zero_setup(): the tmpfs object behind a MAP_SHARED|MAP_ANONYMOUS mapping. */
  anonShmemFile(len: number): ModelFile {
    return { id: -++this.nextAnonShmem, path: '/dev/zero (deleted)', bytes: new Uint8Array(0), shmem: true };
  }

  pageCacheLookup(fileId: number, index: number): number {
    return this.pageCache.get(fileId)?.get(index) ?? -1;
  }

  pageCacheEverHad(fileId: number, index: number): boolean {
    return this.pageCacheSeen.has(`${fileId}:${index}`);
  }

  /** filemap_add_folio(): allocate, charge to the faulting mm's memcg, insert into the cache. */
  pageCacheAdd(file: ModelFile, index: number, memcg: MemCgroup): number {
    const G = this.profile.gfp;
    const kind = file.shmem ? PageKind.Shmem : PageKind.File;
    const pfn = __alloc_pages(this, G.GFP_HIGHUSER_MOVABLE, 0, { kind, userChain: true });
    if (pfn < 0) return -1;
    if (try_charge(this, memcg, G.GFP_KERNEL, 1) !== 0) {
      this.phys.freeFrame(pfn);
      return -1;
    }
    this.phys.memcg[pfn] = memcg.id;
    memcg.stat.file++;
    if (file.shmem) memcg.stat.shmem++;
    this.phys.mapping.set(pfn, { file: file.id, index });
    let m = this.pageCache.get(file.id);
    if (!m) this.pageCache.set(file.id, (m = new Map()));
    m.set(index, pfn);
    this.pageCacheSeen.add(`${file.id}:${index}`);
    // shmem pages are swap-backed: on the anon LRU, unevictable without swap.
    this.phys.lruAdd(pfn, file.shmem ? Lru.InactiveAnon : Lru.InactiveFile);
    if (file.shmem) memcg.stat.inactive_anon++;
    else memcg.stat.inactive_file++;
    this.phys.refcount[pfn] = 1; // the page cache's own reference
    return pfn;
  }

  /** Drops an unmapped page-cache page (reclaim). */
  pageCacheRemove(pfn: number): void {
    const m = this.phys.mapping.get(pfn);
    if (m) this.pageCache.get(m.file)?.delete(m.index);
    unchargePage(this, pfn);
    this.phys.freeFrame(pfn);
  }

  get pageCachePages(): number {
    let n = 0;
    for (const m of this.pageCache.values()) n += m.size;
    return n;
  }

  // ---------------------------------------------------------------- swap

  swapTotalPages(): number {
    return this.swapPages;
  }

  swapUsedPages(): number {
    return this.swapSlots.size;
  }

  /**
   * add_to_swap(): a slot holding the page's bytes, charged to `memcgId` (memory.swap.current),
   * referenced once per PTE that will point at it (swap_duplicate for the others).
   */
  swapWrite(data: Buffer, memcgId: number, refs: number): number {
    if (this.swapSlots.size >= this.swapPages) return -1;
    const slot = this.swapFreeSlots.pop() ?? ++this.nextSwapSlot;
    this.swapSlots.set(slot, { data: Buffer.from(data), refs, memcgId });
    this.vmEvents.pswpout++;
    return slot;
  }

  swapRead(slot: number): Buffer | undefined {
    const d = this.swapSlots.get(slot);
    if (d) this.vmEvents.pswpin++;
    return d?.data;
  }

  /** swap_duplicate(): fork copied a swap PTE. */
  swapDup(slot: number): void {
    const d = this.swapSlots.get(slot);
    if (d) d.refs++;
  }

  /** swap_free() of one reference; the slot (and its swap charge) go with the last one. */
  swapFree(slot: number): void {
    const d = this.swapSlots.get(slot);
    if (!d || --d.refs > 0) return;
    this.swapSlots.delete(slot);
    this.swapFreeSlots.push(slot);
    const memcg = this.memcg.get(d.memcgId);
    if (!memcg.isRoot) for (let c: MemCgroup | null = memcg; c; c = c.parent) c.swap.usage--;
  }

  // ---------------------------------------------------------------- reclaim, OOM, scheduling points

  reclaim(nrToReclaim: number, scope: ReclaimScope): number {
    return shrinkLists(this, nrToReclaim, scope);
  }

  out_of_memory(
    oc: Omit<OomControl, 'chosen' | 'totalpages' | 'constraint' | 'chosenPoints'> & { inline?: boolean },
  ): boolean {
    return out_of_memory(this, oc);
  }

  /** cond_resched(): lets SIGKILLed tasks (victims on "other CPUs") exit. */
  condResched(): void {
    this.hooks.exitDyingTasks(this);
  }

  wakeUp(waitq: string, match: (waiterMemcgId: number) => boolean): void {
    this.hooks.wakeUp(this, waitq, match);
  }

  sendSigkill(t: Task, why: string): void {
    this.hooks.sendSigkill(this, t, why);
  }

  /** force_sig_fault(): the signal is delivered on return to user mode. */
  forceSigFault(t: Task, sig: number, code: string, address: bigint): void {
    this.hooks.forceSigFault(this, t, sig, code, address);
  }

  /** MAP_POPULATE / GUP: fault one page in from kernel context. */
  populateHook(mm: MmStruct, vma: Vma, address: number, write: boolean): boolean {
    return this.hooks.populate(this, mm, vma, address, write);
  }

  archUserRegsForOops(): string[] {
    return this.hooks.userRegsForOops(this);
  }

  panic(text: string): never {
    this.log(0, `Kernel panic - not syncing: ${text}`);
    this.panicked = text;
    throw new KernelPanic(text);
  }
}
