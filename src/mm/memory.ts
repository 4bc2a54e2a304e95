/**
 * The generic fault path of mm/memory.c: handle_mm_fault → __handle_mm_fault → handle_pte_fault
 * → do_anonymous_page / do_wp_page / do_fault / do_swap_page, with lazy page-table allocation,
 * RSS accounting (SPLIT_RSS_COUNTING) and memcg charging (docs/kernel-reference.md §4).
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import {
  MM_ANONPAGES,
  MM_FILEPAGES,
  MM_SHMEMPAGES,
  MM_SWAPENTS,
  type MmStruct,
  type Vma,
} from '../include/linux/mm_types.js';
import { VM_EXEC, VM_SHARED, VM_WRITE } from '../include/linux/mm.js';
import { type Task } from '../include/linux/sched.js';
import { memCgroupCharge, mem_cgroup_oom_synchronize, mem_cgroup_uncharge_swap, mmMemcg } from './memcontrol.js';
import { PageKind, PAGE_SIZE } from '../include/linux/mmzone.js';
import { MemCgroup } from '../include/linux/memcontrol.js';
import { alloc_page_vma } from './mempolicy.js';
import { alloc_zeroed_user_highpage_movable } from './mempolicy.js';
import { flush_tlb_page } from './mmu_gather.js';
import { flush_tlb_range } from './mmu_gather.js';
import { page_add_new_anon_rmap } from './rmap.js';
import { page_remove_rmap } from './rmap.js';
import { pte_alloc_one } from './pgtable-generic.js';
import { swap_free } from './swapfile.js';
import { swap_readpage } from './swapfile.js';
import { uncharge_folio } from './memcontrol.js';
import { VM_FAULT_ERROR } from '../include/linux/mm_types.js';
import { VM_FAULT_MAJOR } from '../include/linux/mm_types.js';
import { VM_FAULT_OOM } from '../include/linux/mm_types.js';
import { VM_FAULT_RETRY } from '../include/linux/mm_types.js';
import { VM_FAULT_SIGBUS } from '../include/linux/mm_types.js';
import { VM_FAULT_SIGSEGV } from '../include/linux/mm_types.js';
import { VM_FAULT_WRITE } from '../include/linux/mm_types.js';
import type { VmFault } from '../include/linux/mm_types.js';
import { filemap_fault } from './filemap.js';
import { filemap_map_pages } from './filemap.js';
import { linear_page_index } from '../include/linux/pagemap.js';
import { shmem_fault } from './shmem.js';
import { vmFaultName } from '../include/linux/mm_types.js';

/** add_mm_counter_fast(): the faulting thread caches its own mm's counters (docs/kernel-reference.md §4.8). */
export function add_mm_counter_fast(k: KernelState, mm: MmStruct, member: number, val: number): void {
  const cur = k.sched.current;
  // GUP on another mm (exec's copy_strings on bprm->mm) adds to the mm directly.
  if (cur && cur.mm === mm && !cur.flags.has('GUP_REMOTE')) cur.rssCache[member]! += val;
  else mm.rss[member]! += val;
}

/** sync_mm_rss(): flush the thread's cached counters into the mm. */
export function sync_mm_rss(t: Task): void {
  if (!t.mm) return;
  for (let i = 0; i < 4; i++) {
    if (t.rssCache[i]) {
      t.mm.rss[i]! += t.rssCache[i]!;
      t.rssCache[i] = 0;
    }
  }
  t.rssEvents = 0;
}

/** get_mm_counter(): reads only the synced counter, clamped at 0 (what the OOM killer prints). */
export function get_mm_counter(mm: MmStruct, member: number): number {
  return Math.max(0, mm.rss[member]!);
}

/** The true counter value (synced + every thread's cache): used by invariants and /proc status. */
export function trueMmCounter(k: KernelState, mm: MmStruct, member: number): number {
  let v = mm.rss[member]!;
  for (const t of k.sched.tasks.values()) if (t.mm === mm) v += t.rssCache[member]!;
  return v;
}

/** A missing page-table level: __pud_alloc / __pmd_alloc / __pte_alloc by `level` (1, 2, 3). */
function pgtableAlloc(k: KernelState, mm: MmStruct, address: number, level: number): boolean {
  return level === 1
    ? __pud_alloc(k, mm, address)
    : level === 2
      ? __pmd_alloc(k, mm, address)
      : __pte_alloc(k, mm, address);
}

/** __pud_alloc(): a pud table under the pgd entry (the p4d level is folded). */
function __pud_alloc(k: KernelState, mm: MmStruct, address: number): boolean {
  return k.tracer.call(
    '__pud_alloc',
    { address: hex(address) },
    () => populateTable(k, mm, address, 1, '__pud_alloc'),
    tableRet,
  );
}

/** __pmd_alloc(): a pmd table under the pud entry. */
function __pmd_alloc(k: KernelState, mm: MmStruct, address: number): boolean {
  return k.tracer.call(
    '__pmd_alloc',
    { address: hex(address) },
    () => populateTable(k, mm, address, 2, '__pmd_alloc'),
    tableRet,
  );
}

/** __pte_alloc(): a pte table under the pmd entry. */
function __pte_alloc(k: KernelState, mm: MmStruct, address: number): boolean {
  return k.tracer.call(
    '__pte_alloc',
    { address: hex(address) },
    () => populateTable(k, mm, address, 3, '__pte_alloc'),
    tableRet,
  );
}

const tableRet = (ok: boolean) => (ok ? '0' : '-ENOMEM');

/** pXd_alloc_one() + pXd_populate(): the new table's descriptor goes into the level above. */
function populateTable(k: KernelState, mm: MmStruct, address: number, level: number, why: string): boolean {
  const pfn = pte_alloc_one(k, mm, level);
  if (pfn < 0) return false;
  mm.pgtable.populate(address, level - 1, pfn);
  if (k.tracer.collecting)
    k.tracer.emit('pte', {
      address: hex(address),
      level: level - 1,
      old: '0',
      new: mm.pgtable.fmt.hex(...mm.pgtable.fmt.tableDesc(pfn, level - 1)),
      why,
    });
  return true;
}

export function hex(n: number): string {
  return '0x' + n.toString(16);
}

/**
 * handle_mm_fault(vma, address, flags, regs) (6.1 shape; docs/kernel-reference.md §4.2): memcg user-fault bracket,
 * __handle_mm_fault, the memcg OOM cleanup and fault accounting.
 */
export function handle_mm_fault(k: KernelState, vma: Vma, address: number, flags: number): number {
  const F = k.profile.faultFlags;
  return k.tracer.call(
    'handle_mm_fault',
    { address: hex(address), flags: hex(flags) },
    () => {
      const cur = k.sched.current!;
      const mm = cur.mm!;
      k.mm.events.pgfault++;
      mmMemcg(k, mm.ownerPid).stat.pgfault++;
      check_sync_rss_stat(k, cur);
      const user = (flags & F.USER) !== 0;
      if (user) cur.inUserFault = true;
      let ret: number;
      try {
        ret = __handle_mm_fault(k, vma, address, flags);
      } finally {
        if (user) cur.inUserFault = false;
      }
      if (user && cur.memcgInOom && !(ret & VM_FAULT_OOM)) mem_cgroup_oom_synchronize(k, false);
      // mm_account_fault() (6.1); 4.19/3.12 account in the arch code, same effect for users.
      if (!(ret & (VM_FAULT_ERROR | VM_FAULT_RETRY))) {
        if (ret & VM_FAULT_MAJOR || flags & F.TRIED) cur.majFlt++;
        else cur.minFlt++;
      }
      return ret;
    },
    vmFaultName,
  );
}

/** check_sync_rss_stat(): sync when the pre-increment event count exceeds the threshold. */
function check_sync_rss_stat(k: KernelState, t: Task): void {
  if (t.rssEvents++ > k.profile.rssEventsThresh) sync_mm_rss(t);
}

function __handle_mm_fault(k: KernelState, vma: Vma, address: number, flags: number): number {
  return k.tracer.call(
    '__handle_mm_fault',
    { address: hex(address) },
    () => {
      const mm = k.sched.current!.mm!;
      const page = Math.floor(address / PAGE_SIZE) * PAGE_SIZE;
      const w = mm.pgtable.walk(page);
      // pud_alloc / pmd_alloc: allocate the missing upper levels (p4d is folded into the pgd).
      for (let level = w.tables.length; level <= 2; level++) {
        if (!pgtableAlloc(k, mm, page, level)) return VM_FAULT_OOM;
      }
      if (k.profile.pteAllocInHandleMmFault && mm.pgtable.walk(page).tables.length < 4) {
        if (!pgtableAlloc(k, mm, page, 3)) return VM_FAULT_OOM;
      }
      const vmf: VmFault = { vma, mm, address: page, flags, write: (flags & k.profile.faultFlags.WRITE) !== 0 };
      return handle_pte_fault(k, vmf);
    },
    vmFaultName,
  );
}

function handle_pte_fault(k: KernelState, vmf: VmFault): number {
  return k.tracer.call(
    'handle_pte_fault',
    undefined,
    () => {
      const { mm } = vmf;
      const pte = mm.pgtable.getPte(vmf.address);
      if (!pte || (pte[0] === 0 && pte[1] === 0)) {
        // vma_is_anonymous(): no vm_ops, i.e. no backing file
        if (!vmf.vma.file) return do_anonymous_page(k, vmf);
        return do_fault(k, vmf);
      }
      const v = mm.pgtable.fmt.view(pte[0], pte[1]);
      if (!v.valid) return do_swap_page(k, vmf, v.swapSlot ?? 0);
      if (vmf.write && !v.write) return do_wp_page(k, vmf, v.pfn, v.special);
      // Spurious fault (e.g. another thread already fixed it): mark young/dirty and retry.
      const [lo, hi] = mm.pgtable.fmt.hwUpdate(pte[0], pte[1], vmf.write ? 'write' : 'read');
      mm.pgtable.setPte(vmf.address, lo, hi);
      return 0;
    },
    vmFaultName,
  );
}

function ensurePteTable(k: KernelState, vmf: VmFault): boolean {
  if (vmf.mm.pgtable.walk(vmf.address).tables.length === 4) return true;
  return pgtableAlloc(k, vmf.mm, vmf.address, 3);
}

/** vm_get_page_prot(): writable only for shared-writable VMAs; private writes COW. */
function protOf(vma: Vma, write: boolean, dirty: boolean) {
  return { write: write && (vma.flags & VM_WRITE) !== 0, exec: (vma.flags & VM_EXEC) !== 0, dirty };
}

function installPte(
  k: KernelState,
  vmf: VmFault,
  pfn: number,
  prot: { write: boolean; exec: boolean; dirty: boolean; special?: boolean },
  why: string,
): void {
  const { mm } = vmf;
  // The old PTE and the payload strings only when tracing: this runs on every fault.
  const old = k.tracer.collecting ? (mm.pgtable.getPte(vmf.address) ?? [0, 0]) : null;
  const [lo, hi] = mm.pgtable.fmt.mkPte(pfn, prot);
  mm.pgtable.setPte(vmf.address, lo, hi);
  flush_tlb_page(mm, vmf.address);
  if (old)
    k.tracer.emit('pte', {
      address: hex(vmf.address),
      level: 3,
      old: mm.pgtable.fmt.hex(old[0], old[1]),
      new: mm.pgtable.fmt.hex(lo, hi),
      why,
    });
}

/**
 * The user-page allocation + mem_cgroup_charge(GFP_KERNEL) pair every anonymous fault path
 * does (do_anonymous_page, wp_page_copy, do_cow_fault, do_swap_page): null means VM_FAULT_OOM.
 */
function allocChargedUserPage(k: KernelState, vmf: VmFault, zeroed: boolean): { pfn: number; memcg: MemCgroup } | null {
  // anon_vma_prepare(): the VMA now has anonymous pages (fork will copy its PTEs)
  vmf.vma.anonVma = true;
  const pfn = zeroed ? alloc_zeroed_user_highpage_movable(k) : alloc_page_vma(k);
  if (pfn < 0) return null;
  const memcg = mmMemcg(k, vmf.mm.ownerPid);
  if (memCgroupCharge(k, memcg, k.profile.gfp.GFP_KERNEL) !== 0) {
    k.phys.freeFrame(pfn);
    return null;
  }
  return { pfn, memcg };
}

/** do_anonymous_page() (docs/kernel-reference.md §4.5). */
function do_anonymous_page(k: KernelState, vmf: VmFault): number {
  return k.tracer.call(
    'do_anonymous_page',
    undefined,
    () => {
      const { vma, mm } = vmf;
      if (vma.flags & VM_SHARED) return VM_FAULT_SIGBUS;
      if (!ensurePteTable(k, vmf)) return VM_FAULT_OOM;
      if (!vmf.write) {
        // Read fault: map the shared zero page read-only; no RSS change, no charge.
        installPte(
          k,
          vmf,
          k.phys.zeroPfn,
          { write: false, exec: (vma.flags & VM_EXEC) !== 0, dirty: false, special: true },
          'do_anonymous_page: zero page',
        );
        return 0;
      }
      const got = allocChargedUserPage(k, vmf, true);
      if (!got) return VM_FAULT_OOM;
      const { pfn, memcg } = got;
      page_add_new_anon_rmap(k, pfn, memcg, mm, vmf.address);
      vma.mem.fill(0, vmf.address - vma.start, vmf.address - vma.start + PAGE_SIZE);
      add_mm_counter_fast(k, mm, MM_ANONPAGES, 1);
      installPte(k, vmf, pfn, protOf(vma, true, true), 'do_anonymous_page');
      return 0;
    },
    vmFaultName,
  );
}

/** do_wp_page(): reuse an exclusive anon page, else wp_page_copy (docs/kernel-reference.md §4.6). */
function do_wp_page(k: KernelState, vmf: VmFault, oldPfn: number, special: boolean): number {
  return k.tracer.call(
    'do_wp_page',
    undefined,
    () => {
      const { vma } = vmf;
      if (!(vma.flags & VM_WRITE)) return VM_FAULT_SIGSEGV;
      const kind = k.phys.kind[oldPfn] as PageKind;
      if (!special && kind === PageKind.Anon && k.phys.mapcount[oldPfn] === 1) {
        // wp_page_reuse(): we are the only mapper.
        installPte(k, vmf, oldPfn, protOf(vma, true, true), 'wp_page_reuse');
        return VM_FAULT_WRITE;
      }
      if (vma.flags & VM_SHARED && !special && kind !== PageKind.Anon) {
        installPte(k, vmf, oldPfn, protOf(vma, true, true), 'wp_page_shared');
        return VM_FAULT_WRITE;
      }
      return wp_page_copy(k, vmf, oldPfn, special);
    },
    vmFaultName,
  );
}

function wp_page_copy(k: KernelState, vmf: VmFault, oldPfn: number, fromZero: boolean): number {
  return k.tracer.call(
    'wp_page_copy',
    undefined,
    () => {
      const { vma, mm } = vmf;
      const got = allocChargedUserPage(k, vmf, fromZero);
      if (!got) return VM_FAULT_OOM;
      const { pfn, memcg } = got;
      page_add_new_anon_rmap(k, pfn, memcg, mm, vmf.address);
      // The bytes already sit in this mm's backing memory (copied at fork / read from the file).
      const oldKind = k.phys.kind[oldPfn] as PageKind;
      if (fromZero) {
        add_mm_counter_fast(k, mm, MM_ANONPAGES, 1);
      } else if (oldKind !== PageKind.Anon) {
        add_mm_counter_fast(k, mm, oldKind === PageKind.Shmem ? MM_SHMEMPAGES : MM_FILEPAGES, -1);
        add_mm_counter_fast(k, mm, MM_ANONPAGES, 1);
      }
      if (!fromZero) page_remove_rmap(k, oldPfn, mm, vmf.address);
      installPte(k, vmf, pfn, protOf(vma, true, true), 'wp_page_copy');
      return VM_FAULT_WRITE;
    },
    vmFaultName,
  );
}

/** do_fault(): file-backed VMAs (docs/kernel-reference.md §4.7). */
function do_fault(k: KernelState, vmf: VmFault): number {
  return k.tracer.call(
    'do_fault',
    undefined,
    () => {
      const { vma } = vmf;
      if (!vma.file) return VM_FAULT_SIGBUS;
      if (!vmf.write) return do_read_fault(k, vmf);
      if (!(vma.flags & VM_SHARED)) return do_cow_fault(k, vmf);
      return do_shared_fault(k, vmf);
    },
    vmFaultName,
  );
}

/** Copies file bytes of page `index` into the VMA's backing memory at address. */
function fillFromFile(vma: Vma, address: number, index: number): void {
  const off = address - vma.start;
  const src = vma.file!.bytes;
  const from = index * PAGE_SIZE;
  vma.mem.fill(0, off, off + PAGE_SIZE);
  if (from < src.length) vma.mem.set(src.subarray(from, Math.min(src.length, from + PAGE_SIZE)), off);
}

/** __do_fault() → filemap_fault(): page-cache lookup, major fault on a miss (docs/kernel-reference.md §4.7). */
function __do_fault(k: KernelState, vmf: VmFault): { ret: number; pfn: number; fresh: boolean } {
  return k.tracer.call(
    '__do_fault',
    undefined,
    () => {
      if (!ensurePteTable(k, vmf)) return { ret: VM_FAULT_OOM, pfn: -1, fresh: false };
      // vma->vm_ops->fault: shmem_fault for tmpfs files, filemap_fault for the rest
      return vmf.vma.file!.shmem ? shmem_fault(k, vmf) : filemap_fault(k, vmf);
    },
    (r) => vmFaultName(r.ret),
  );
}

/** PTRS_PER_PTE of both arches' 4 KiB-granule tables */
const PTRS_PER_PTE = 512;

/**
 * do_fault_around(): the fault_around_bytes-aligned window around the fault, clipped to the VMA
 * and to the faulting page table, handed to ->map_pages (filemap_map_pages, which shmem uses
 * too).  VM_FAULT_NOPAGE when the faulting page itself got mapped.
 */
function do_fault_around(k: KernelState, vmf: VmFault): number {
  return k.tracer.call(
    'do_fault_around',
    undefined,
    () => {
      const { vma } = vmf;
      const nrPages = k.profile.faultAroundBytes / PAGE_SIZE;
      const window = nrPages * PAGE_SIZE;
      const address = Math.max(Math.floor(vmf.address / window) * window, vma.start);
      const off = ((vmf.address - address) / PAGE_SIZE) & (PTRS_PER_PTE - 1);
      const startPgoff = linear_page_index(vma, vmf.address) - off;
      let endPgoff = startPgoff - ((address / PAGE_SIZE) & (PTRS_PER_PTE - 1)) + PTRS_PER_PTE - 1;
      endPgoff = Math.min(endPgoff, (vma.end - vma.start) / PAGE_SIZE + vma.pgoff - 1, startPgoff + nrPages - 1);
      if (!ensurePteTable(k, vmf)) return VM_FAULT_OOM;
      return filemap_map_pages(
        k,
        vmf,
        (v, pfn) => setFilePte(k, v, pfn, false, false, 'filemap_map_pages'),
        startPgoff,
        endPgoff,
      );
    },
    vmFaultName,
  );
}

function do_read_fault(k: KernelState, vmf: VmFault): number {
  return k.tracer.call(
    'do_read_fault',
    undefined,
    () => {
      // fault_around_bytes >> PAGE_SHIFT > 1: try to map the neighbourhood from the cache first
      if (k.profile.faultAroundBytes / PAGE_SIZE > 1) {
        const around = do_fault_around(k, vmf);
        if (around) return around;
      }
      const { ret, pfn, fresh } = __do_fault(k, vmf);
      if (ret & VM_FAULT_ERROR) return ret;
      const fin = finish_fault(k, vmf, pfn, false, fresh);
      return ret | fin;
    },
    vmFaultName,
  );
}

function do_cow_fault(k: KernelState, vmf: VmFault): number {
  return k.tracer.call(
    'do_cow_fault',
    undefined,
    () => {
      const { vma, mm } = vmf;
      const got = allocChargedUserPage(k, vmf, false);
      if (!got) return VM_FAULT_OOM;
      const { pfn, memcg } = got;
      const { ret } = __do_fault(k, vmf);
      if (ret & VM_FAULT_ERROR) {
        free_unmapped_anon_page(k, pfn, memcg);
        return ret;
      }
      page_add_new_anon_rmap(k, pfn, memcg, mm, vmf.address);
      fillFromFile(vma, vmf.address, linear_page_index(vma, vmf.address));
      add_mm_counter_fast(k, mm, MM_ANONPAGES, 1);
      installPte(k, vmf, pfn, protOf(vma, true, true), 'do_cow_fault');
      return ret;
    },
    vmFaultName,
  );
}

function do_shared_fault(k: KernelState, vmf: VmFault): number {
  return k.tracer.call(
    'do_shared_fault',
    undefined,
    () => {
      const { ret, pfn, fresh } = __do_fault(k, vmf);
      if (ret & VM_FAULT_ERROR) return ret;
      return ret | finish_fault(k, vmf, pfn, true, fresh);
    },
    vmFaultName,
  );
}

/** finish_fault() → do_set_pte(): map a page-cache page, file or shmem counter (docs/kernel-reference.md §4.7). */
function finish_fault(k: KernelState, vmf: VmFault, pfn: number, write: boolean, fresh: boolean): number {
  return k.tracer.call(
    'finish_fault',
    undefined,
    () => {
      setFilePte(k, vmf, pfn, write, fresh, 'finish_fault');
      return 0;
    },
    vmFaultName,
  );
}

/** do_set_pte() for a page-cache page: file or shmem counter, rmap, NR_FILE_MAPPED. */
function setFilePte(k: KernelState, vmf: VmFault, pfn: number, write: boolean, fresh: boolean, why: string): void {
  const { vma, mm } = vmf;
  // A shared mapping's bytes are the page-cache page's: only a page new to the cache is read
  // from the file; a private mapping holds its own copy of the file data.
  if (!(vma.flags & VM_SHARED) || fresh) fillFromFile(vma, vmf.address, linear_page_index(vma, vmf.address));
  const shmem = k.phys.kind[pfn] === PageKind.Shmem;
  add_mm_counter_fast(k, mm, shmem ? MM_SHMEMPAGES : MM_FILEPAGES, 1);
  k.phys.rmapAdd(pfn, { mmId: mm.id, address: vmf.address });
  k.phys.refcount[pfn]!++;
  const memcgId = k.phys.memcg[pfn]!;
  if (memcgId) k.memcg.get(memcgId).stat.file_mapped++;
  installPte(k, vmf, pfn, protOf(vma, write, write), why);
}

/** do_swap_page(): bring an anonymous page back from the modeled swap area. */
function do_swap_page(k: KernelState, vmf: VmFault, slot: number): number {
  return k.tracer.call(
    'do_swap_page',
    { slot },
    () => {
      const { vma, mm } = vmf;
      const data = swap_readpage(k, slot);
      if (!data) return VM_FAULT_SIGBUS;
      const got = allocChargedUserPage(k, vmf, false);
      if (!got) return VM_FAULT_OOM;
      const { pfn, memcg } = got;
      page_add_new_anon_rmap(k, pfn, memcg, mm, vmf.address);
      vma.mem.set(data, vmf.address - vma.start);
      swap_free(k, slot);
      add_mm_counter_fast(k, mm, MM_SWAPENTS, -1);
      add_mm_counter_fast(k, mm, MM_ANONPAGES, 1);
      k.mm.events.pgmajfault++;
      memcg.stat.pgmajfault++;
      installPte(k, vmf, pfn, protOf(vma, vmf.write, vmf.write), 'do_swap_page');
      return VM_FAULT_MAJOR;
    },
    vmFaultName,
  );
}

/**
 * zap_pte_range(): unmap [start, end) of a VMA — used by munmap, MADV_DONTNEED, exit and the
 * OOM reaper.  Frees anon pages, drops page-cache mappings, releases swap slots; the page
 * tables themselves stay (free_pgtables is separate).
 */
export function zap_page_range(
  k: KernelState,
  mm: MmStruct,
  vma: Vma,
  start: number,
  end: number,
  opts: { anonOnly?: boolean } = {},
): number {
  let freed = 0;
  const fmt = mm.pgtable.fmt;
  mm.pgtable.forEachPte(start, end, (address, lo, hi) => {
    const v = fmt.view(lo, hi);
    if (!v.valid) {
      if (v.swapSlot !== null) {
        swap_free(k, v.swapSlot);
        mm.rss[MM_SWAPENTS]!--;
        mm.pgtable.setPte(address, 0, 0);
      }
      return;
    }
    if (v.special) {
      mm.pgtable.setPte(address, 0, 0);
      return;
    }
    const kind = k.phys.kind[v.pfn] as PageKind;
    if (opts.anonOnly && kind !== PageKind.Anon) return;
    mm.pgtable.setPte(address, 0, 0);
    // zap_pte_range() batches into add_mm_rss_vec(): the mm's counters, not the task cache
    if (kind === PageKind.Anon) mm.rss[MM_ANONPAGES]!--;
    else mm.rss[kind === PageKind.Shmem ? MM_SHMEMPAGES : MM_FILEPAGES]!--;
    page_remove_rmap(k, v.pfn, mm, address);
    freed++;
  });
  // Private memory is gone: the next touch sees zeros.  A shared mapping's bytes belong to the
  // shmem/page-cache object, which outlives this mapping.
  if (vma.mem.length && !(vma.flags & VM_SHARED)) {
    const s = Math.max(start, vma.start) - vma.start;
    const e = Math.min(end, vma.end) - vma.start;
    if (!opts.anonOnly) vma.mem.fill(0, s, e);
  }
  flush_tlb_range(mm, start, end);
  return freed;
}

/** The memcg a page is charged to, or null. */
export { mem_cgroup_uncharge_swap };

/** put_page() of a COW page that never got mapped (do_cow_fault's error path): uncharge and free. */
function free_unmapped_anon_page(k: KernelState, pfn: number, memcg: MemCgroup): void {
  k.phys.memcg[pfn] = memcg.id;
  k.phys.setKind(pfn, PageKind.Anon);
  memcg.stat.anon++;
  uncharge_folio(k, pfn);
  k.phys.freeFrame(pfn);
}

// ---------------------------------------------------------------------------------------------
// print_vma_addr()
// ---------------------------------------------------------------------------------------------

/** What print_vma_addr() names: the backing file's basename, vm_start and the VMA's size. */
export interface VmaAddr {
  /** kbasename() of the backing file's path */
  name: string;
  start: bigint;
  /** vm_end - vm_start */
  size: bigint;
}

/** A VMA as print_vma_addr() reads it. */
export interface VmaDesc {
  start: bigint;
  end: bigint;
  /** path of the backing file; null/undefined for anonymous mappings */
  file?: string | null;
}

/**
 * The lookup of print_vma_addr() over a list of VMAs: find_vma() returns the first VMA whose
 * vm_end is above ip — even when ip lies in the gap below it — and the text is printed only if
 * that VMA is file-backed.  Returns the pieces, or null when nothing is printed.
 */
export function printVmaAddrLookup(ip: bigint, vmas: Iterable<VmaDesc>): VmaAddr | null {
  let best: VmaDesc | undefined;
  for (const v of vmas) if (v.end > ip && (!best || v.start < best.start)) best = v;
  if (!best || !best.file) return null;
  const base = best.file.slice(best.file.lastIndexOf('/') + 1);
  return { name: base, start: best.start, size: best.end - best.start };
}

/**
 * print_vma_addr(prefix, ip) (mm/memory.c) for `mm` (the kernel uses current->mm): which file
 * mapping it names for ip.  The report printers print it with formatVmaAddr().
 */
export function print_vma_addr(mm: MmStruct, ip: bigint): VmaAddr | null {
  return printVmaAddrLookup(
    ip,
    mm.vmas.map((v) => ({ start: BigInt(v.start), end: BigInt(v.end), file: v.file?.path ?? null })),
  );
}

/** print_vma_addr()'s `"%s%s[%lx+%lx]"` with the prefix the callers pass (KERN_CONT " in "). */
export function formatVmaAddr(vma: VmaAddr | null | undefined, prefix = ' in '): string {
  return vma ? `${prefix}${vma.name}[${vma.start.toString(16)}+${vma.size.toString(16)}]` : '';
}
