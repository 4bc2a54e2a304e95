/**
 * mm/mmap.c and friends: the address-space layout (mmap_base, top-down get_unmapped_area),
 * do_mmap/munmap/brk/mprotect/madvise, expand_stack with the stack guard gap, and commit
 * accounting (__vm_enough_memory, docs/kernel-reference.md §9).  Each VMA's bytes live in a host
 * Buffer mapped into the engine once (DESIGN.md §1); engine limits are checked before Unicorn
 * is touched, so an mmap that would exceed them fails with -ENOMEM like any other mmap.
 */
import { CpuError, MAX_REGIONS } from '../hw/cpu.js';
import { type KernelState } from '../include/faultpath/kernel_state.js';
import {
  VM_ACCOUNT,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_MAYEXEC,
  VM_NORESERVE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
} from '../include/linux/mm.js';
import { type ModelFile } from '../include/linux/fs.js';
import { type MmStruct, type Vma } from '../include/linux/mm_types.js';
import { STK_LIM } from '../include/asm-generic/resource.js';
import { task_rlimit } from '../include/linux/sched/signal.js';
import { RLIMIT_STACK } from '../include/uapi/asm-generic/resource.js';
import { EBADF, EEXIST, EINVAL, ENODEV, ENOMEM } from '../include/uapi/asm-generic/errno.js';
import { errno, sarg, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { fdget } from '../fs/file.js';
import { zap_page_range } from './memory.js';
import { PAGE_SIZE } from '../include/linux/mmzone.js';
import { SLAB_VM_AREA_STRUCT } from './slab.js';
import { flush_tlb_range } from './mmu_gather.js';
import { memcg_slab_post_alloc_hook } from './slab.js';
import { nr_swap_pages_used } from './swapfile.js';
import { printk } from '../kernel/printk/printk.js';
import { pte_free } from './pgtable-generic.js';
import { shmem_zero_setup } from './shmem.js';
import { total_swap_pages } from './swapfile.js';
import { memcg_slab_free_hook } from './slab.js';

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000;
export const MAP_FIXED_NOREPLACE = 0x100000;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_NORMAL = 0;
export const MADV_WILLNEED = 3;

/** STACK_TOP for a 64-bit task: arm64 TASK_SIZE_64 (48-bit VA), x86 TASK_SIZE_MAX. */
export const STACK_TOP = { aarch64: 2 ** 48, x86_64: 2 ** 47 - PAGE_SIZE } as const;
export const TASK_SIZE = STACK_TOP;
/** stack_guard_gap (256 pages); the stack rlimit default is _STK_LIM (src/include/asm-generic/resource.ts). */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** mmap_base(): gap = rlimit + guard gap, at least 128 MiB (no randomization). */
export function mmapBase(arch: 'aarch64' | 'x86_64'): number {
  let gap = STK_LIM + STACK_GUARD_GAP;
  if (gap < 128 * 1024 * 1024) gap = 128 * 1024 * 1024;
  return STACK_TOP[arch] - gap;
}

export const pageAlign = (n: number) => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
export const pageDown = (n: number) => Math.floor(n / PAGE_SIZE) * PAGE_SIZE;

function protToVmFlags(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

/** vm_commit_limit() in pages. */
export function vm_commit_limit(k: KernelState): number {
  const kb = k.sysctl.get('vm.overcommit_kbytes');
  const base = kb ? Math.floor(kb / 4) : Math.floor((k.phys.managedPages * k.sysctl.get('vm.overcommit_ratio')) / 100);
  return base + total_swap_pages(k);
}

/** __vm_enough_memory() (docs/kernel-reference.md §9); cap_sys_admin is true for the model's uid 0 tasks. */
export function vm_enough_memory(k: KernelState, mm: MmStruct | null, pages: number, capSysAdmin: boolean): boolean {
  k.mm.committedAs += pages;
  const mode = k.sysctl.get('vm.overcommit_memory');
  if (mode === 1) return true;
  if (mode === 0) {
    if (k.profile.overcommitGuessIsTotal) {
      if (pages <= k.phys.managedPages + total_swap_pages(k)) return true;
    } else {
      let free = k.phys.nrFree + k.phys.counts.file + (total_swap_pages(k) - nr_swap_pages_used(k));
      const totalreserve = k.phys.wmark.high;
      if (free > totalreserve) {
        free -= totalreserve;
        if (!capSysAdmin) free -= Math.floor(k.sysctl.get('vm.admin_reserve_kbytes') / 4);
        if (free > pages) return true;
      }
    }
  } else {
    let allowed = vm_commit_limit(k);
    if (!capSysAdmin) allowed -= Math.floor(k.sysctl.get('vm.admin_reserve_kbytes') / 4);
    if (mm) allowed -= Math.min(Math.floor(mm.totalVm / 32), Math.floor(k.sysctl.get('vm.user_reserve_kbytes') / 4));
    if (k.mm.committedAs < allowed) return true;
  }
  k.mm.committedAs -= pages;
  if (k.profile.vmEnoughMemoryWarns && k.printk.ratelimit('vm_enough_memory', 5_000_000_000, 10)) {
    const t = k.sched.current;
    printk(
      k,
      4,
      `__vm_enough_memory: pid: ${t?.pid ?? 0}, comm: ${t?.comm ?? ''}, no enough memory for the allocation`,
    );
  }
  return false;
}

/** Is [start, end) free of VMAs and engine regions? */
function rangeFree(mm: MmStruct, start: number, end: number): boolean {
  for (const v of mm.vmas) if (start < v.end && v.start < end) return false;
  for (const r of regionsOf(mm)) if (start < r.end && r.begin < end) return false;
  return true;
}

function regionsOf(mm: MmStruct): { begin: number; end: number }[] {
  return mm.cpu.mem.regionList();
}

/** arch_get_unmapped_area_topdown(): highest gap below mmap_base that fits. */
export function get_unmapped_area(mm: MmStruct, len: number): number {
  let top = mm.mmapBase;
  const occupied = [...mm.vmas.map((v) => ({ begin: v.start, end: v.end })), ...regionsOf(mm)].sort(
    (a, b) => b.begin - a.begin,
  );
  for (const o of occupied) {
    if (o.begin >= top) {
      top = Math.min(top, o.begin);
      continue;
    }
    if (o.end <= top - len) return top - len;
    top = Math.min(top, o.begin);
  }
  return top - len >= PAGE_SIZE * 16 ? top - len : -ENOMEM;
}

/** Links a VMA whose vm_area_struct the caller has already charged (vm_area_alloc). */
function insertVma(mm: MmStruct, v: Vma): void {
  mm.vmas.push(v);
  mm.vmas.sort((a, b) => a.start - b.start);
  const pages = (v.end - v.start) / PAGE_SIZE;
  mm.totalVm += pages;
  if (v.flags & VM_GROWSDOWN) mm.stackVm += pages;
  else if ((v.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE) mm.dataVm += pages;
  else if ((v.flags & (VM_EXEC | VM_WRITE)) === VM_EXEC) mm.execVm += pages;
}

function vm_stat_account(mm: MmStruct, v: Vma, pages: number): void {
  mm.totalVm += pages;
  if (v.flags & VM_GROWSDOWN) mm.stackVm += pages;
  else if ((v.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE) mm.dataVm += pages;
  else if ((v.flags & (VM_EXEC | VM_WRITE)) === VM_EXEC) mm.execVm += pages;
}

/** Maps a fresh engine region (host memory the model owns) for [start, end). */
/** Largest single engine region (host Buffer) the model will allocate. */
export const MAX_REGION_BYTES = 2 ** 31;

function mapRegion(k: KernelState, mm: MmStruct, start: number, end: number, exec: boolean): Buffer | null {
  if (mm.cpu.mem.regionCount() >= MAX_REGIONS[mm.arch] - 2) return null;
  // The model backs every byte of a VMA with host memory: a mapping beyond what Node can
  // allocate in one Buffer fails like any mmap the machine cannot hold (-ENOMEM).
  if (end - start > MAX_REGION_BYTES) return null;
  const mem = Buffer.alloc(end - start);
  try {
    mm.cpu.mem.map(start, mem);
  } catch (e) {
    if (e instanceof CpuError) return null;
    throw e;
  }
  if (exec) mm.cpu.mem.addCodeRange(start, end);
  return mem;
}

export interface MmapRequest {
  addr: number;
  len: number;
  prot: number;
  flags: number;
  file?: ModelFile;
  pgoff?: number;
  name?: string;
  vmFlagsExtra?: number;
  special?: boolean;
}

function vmaFree(mm: MmStruct, start: number, end: number): boolean {
  return !mm.vmas.some((v) => start < v.end && v.start < end);
}

/**
 * Host memory for a new VMA: a fresh engine region, or — where a partial munmap left a hole in
 * a region that other VMAs still use — that hole, cleared.  null when the engine cannot hold it.
 */
function vmaMemory(
  k: KernelState,
  mm: MmStruct,
  start: number,
  end: number,
  exec: boolean,
): { mem: Buffer; regionBase: number } | null {
  const r = mm.cpu.mem.regionAt(start);
  if (r) {
    if (end > r.end) return null;
    const mem = r.mem.subarray(start - r.begin, end - r.begin);
    mem.fill(0);
    if (exec) mm.cpu.mem.addCodeRange(r.begin, r.end);
    return { mem, regionBase: r.begin };
  }
  for (const o of regionsOf(mm)) if (start < o.end && o.begin < end) return null;
  const mem = mapRegion(k, mm, start, end, exec);
  return mem ? { mem, regionBase: start } : null;
}

/** The tasks whose mm this is may use the admin reserve when they are root (cap_sys_admin). */
function capSysAdmin(k: KernelState): boolean {
  return (k.sched.current?.uid ?? 0) === 0;
}

/** do_mmap() + mmap_region(): returns the address or -errno. */
export function do_mmap(k: KernelState, mm: MmStruct, req: MmapRequest): number {
  if (req.len <= 0) return -EINVAL;
  const len = pageAlign(req.len);
  if (len > STACK_TOP[mm.arch]) return -ENOMEM;
  if (req.addr % PAGE_SIZE) return -EINVAL;
  const shared = (req.flags & MAP_SHARED) !== 0;
  if (!shared && !(req.flags & MAP_PRIVATE)) return -EINVAL;
  let addr: number;
  const fixed = (req.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  if (fixed) {
    addr = req.addr;
    if (addr + len > TASK_SIZE[mm.arch] || addr < PAGE_SIZE * 16) return -ENOMEM;
    if (!vmaFree(mm, addr, addr + len)) {
      if (req.flags & MAP_FIXED_NOREPLACE) return -EEXIST;
      const r = do_munmap(k, mm, addr, len);
      if (r < 0) return r;
    }
  } else {
    addr =
      req.addr && req.addr + len <= mm.mmapBase && rangeFree(mm, req.addr, req.addr + len)
        ? req.addr
        : get_unmapped_area(mm, len);
    if (addr < 0) return addr;
  }
  let flags = protToVmFlags(req.prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | (req.vmFlagsExtra ?? 0);
  if (shared) flags |= VM_SHARED;
  // Commit accounting for private writable mappings (accountable_mapping).
  const overcommit = k.sysctl.get('vm.overcommit_memory');
  if (req.flags & MAP_NORESERVE && overcommit !== 2) flags |= VM_NORESERVE;
  const pages = len / PAGE_SIZE;
  const unaccount = () => {
    if (flags & VM_ACCOUNT) {
      k.mm.committedAs -= pages;
      mm.committed -= pages;
    }
  };
  if (!req.special && (flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) {
    if (!vm_enough_memory(k, mm, pages, capSysAdmin(k))) return -ENOMEM;
    flags |= VM_ACCOUNT;
    mm.committed += pages;
  }
  // vm_area_alloc(): the vm_area_struct is an accounted slab object.
  if (!memcg_slab_post_alloc_hook(k, mm, SLAB_VM_AREA_STRUCT)) {
    unaccount();
    return -ENOMEM;
  }
  const where = vmaMemory(k, mm, addr, addr + len, (flags & VM_EXEC) !== 0);
  if (!where) {
    unaccount();
    memcg_slab_free_hook(k, mm, SLAB_VM_AREA_STRUCT);
    return -ENOMEM;
  }
  // shmem_zero_setup(): shared anonymous memory is a tmpfs object of its own.
  const file = req.file ?? (shared && !req.special ? shmem_zero_setup(k, len) : undefined);
  const vma: Vma = {
    start: addr,
    end: addr + len,
    flags,
    pgoff: req.file ? (req.pgoff ?? 0) : 0,
    file,
    name: req.name,
    special: req.special,
    mem: where.mem,
    regionBase: where.regionBase,
    anonVma: false,
  };
  insertVma(mm, vma);
  if (req.flags & MAP_POPULATE) populate(k, mm, vma);
  return addr;
}

/** MAP_POPULATE / mm_populate(): fault every page in now (writes for writable private maps). */
function populate(k: KernelState, mm: MmStruct, vma: Vma): void {
  for (let a = vma.start; a < vma.end; a += PAGE_SIZE) {
    const ok = k.upcalls.mm.faultin_page(mm, vma, a, (vma.flags & VM_WRITE) !== 0);
    if (!ok) break;
    // Throttled over memory.high: __mm_populate() is best effort; the model stops here (the
    // penalty is slept on return to user, the remaining pages fault in on first use).
    if (k.sched.current && k.sched.current.highDelayNs > 0) break;
  }
}

/** Splits v at `at` (both halves share the host Buffer and engine region). */
function split_vma(k: KernelState, mm: MmStruct, v: Vma, at: number): Vma | null {
  // vm_area_dup(): the new half is a vm_area_struct of its own (may fail: -ENOMEM)
  if (!memcg_slab_post_alloc_hook(k, mm, SLAB_VM_AREA_STRUCT)) return null;
  const tail: Vma = {
    ...v,
    start: at,
    pgoff: v.file ? v.pgoff + (at - v.start) / PAGE_SIZE : v.pgoff,
    mem: v.mem.subarray(at - v.start),
  };
  v.end = at;
  v.mem = v.mem.subarray(0, at - v.start);
  mm.vmas.push(tail);
  mm.vmas.sort((a, b) => a.start - b.start);
  return tail;
}

/** do_munmap(): zap, free page tables left unused, drop VMAs, release engine regions. */
export function do_munmap(k: KernelState, mm: MmStruct, start: number, len: number): number {
  if (start % PAGE_SIZE || len <= 0 || start + len > TASK_SIZE[mm.arch]) return -EINVAL;
  const end = start + pageAlign(len);
  for (const v of [...mm.vmas]) {
    if (v.end <= start || v.start >= end) continue;
    if (v.start < start && !split_vma(k, mm, v, start)) return -ENOMEM;
  }
  for (const v of [...mm.vmas]) {
    if (v.end <= start || v.start >= end) continue;
    if (v.end > end && !split_vma(k, mm, v, end)) return -ENOMEM;
  }
  const victims = mm.vmas.filter((v) => v.start >= start && v.end <= end);
  for (const v of victims) removeVma(k, mm, v);
  // free_pgtables(): tables wholly between the neighbouring VMAs.
  const prev = [...mm.vmas].reverse().find((v) => v.end <= start);
  const next = mm.vmas.find((v) => v.start >= end);
  const floor = prev ? prev.end : 0;
  const ceiling = next ? next.start : TASK_SIZE[mm.arch];
  for (const { pfn, level } of mm.pgtable.freeEmptyTables(floor, ceiling)) pte_free(k, pfn, level);
  return 0;
}

/** Removes one VMA: zap its pages, unaccount, and unmap the engine region if nothing uses it. */
export function removeVma(k: KernelState, mm: MmStruct, v: Vma): void {
  zap_page_range(k, mm, v, v.start, v.end);
  mm.vmas.splice(mm.vmas.indexOf(v), 1);
  memcg_slab_free_hook(k, mm, SLAB_VM_AREA_STRUCT);
  const pages = (v.end - v.start) / PAGE_SIZE;
  vm_stat_account(mm, v, -pages);
  if (v.flags & VM_ACCOUNT) {
    k.mm.committedAs -= pages;
    mm.committed -= pages;
  }
  if (v.flags & VM_EXEC) mm.cpu.mem.invalidateCode(v.start, v.end);
  if (!mm.vmas.some((o) => o.regionBase === v.regionBase) && mm.cpu.mem.regionAt(v.regionBase))
    mm.cpu.mem.unmap(v.regionBase);
}

/** brk(): grow/shrink the heap VMA; returns the new (or unchanged old) break. */
export function doBrk(k: KernelState, mm: MmStruct, newBrk: number): number {
  const old = mm.brk;
  if (newBrk < mm.startBrk) return old;
  const oldEnd = pageAlign(old);
  const newEnd = pageAlign(newBrk);
  if (newEnd === oldEnd) {
    mm.brk = newBrk;
    return newBrk;
  }
  if (newEnd < oldEnd) {
    do_munmap(k, mm, newEnd, oldEnd - newEnd);
    mm.brk = newBrk;
    return newBrk;
  }
  // brk(): the new break must stay a page below vm_start_gap() of the next mapping (the stack
  // guard gap only applies when that mapping grows down).
  const next = mm.vmas.find((v) => v.end > oldEnd);
  if (next) {
    const gap = next.flags & VM_GROWSDOWN ? next.start - STACK_GUARD_GAP : next.start;
    if (newEnd + PAGE_SIZE > gap) return old;
  }
  const addr = do_mmap(k, mm, {
    addr: oldEnd,
    len: newEnd - oldEnd,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
    name: '[heap]',
  });
  if (addr < 0) return old;
  mm.brk = newBrk;
  return newBrk;
}

/** mprotect(): per-VMA flag change (split at the edges), PTEs downgraded, TLB flushed. */
export function do_mprotect_pkey(k: KernelState, mm: MmStruct, start: number, len: number, prot: number): number {
  if (start % PAGE_SIZE) return -EINVAL;
  const end = start + pageAlign(len);
  for (let a = start; a < end; ) {
    const v = mm.vmas.find((x) => x.start <= a && a < x.end);
    if (!v) return -ENOMEM;
    a = v.end;
  }
  for (const v of [...mm.vmas]) if (v.start < start && v.end > start && !split_vma(k, mm, v, start)) return -ENOMEM;
  for (const v of [...mm.vmas]) if (v.start < end && v.end > end && !split_vma(k, mm, v, end)) return -ENOMEM;
  for (const v of mm.vmas) {
    if (v.start < start || v.end > end) continue;
    const newFlags = (v.flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | protToVmFlags(prot);
    if (
      (newFlags & (VM_WRITE | VM_SHARED | VM_ACCOUNT | VM_NORESERVE)) === VM_WRITE &&
      !(v.flags & VM_ACCOUNT) &&
      !v.file
    ) {
      const pages = (v.end - v.start) / PAGE_SIZE;
      if (!vm_enough_memory(k, mm, pages, capSysAdmin(k))) return -ENOMEM;
      v.flags |= VM_ACCOUNT;
      mm.committed += pages;
    }
    vm_stat_account(mm, v, -(v.end - v.start) / PAGE_SIZE);
    v.flags = newFlags | (v.flags & VM_ACCOUNT);
    vm_stat_account(mm, v, (v.end - v.start) / PAGE_SIZE);
    // change_protection(): present PTEs lose write (COW) / exec as the new flags say.
    const fmt = mm.pgtable.fmt;
    mm.pgtable.forEachPte(v.start, v.end, (a, lo, hi) => {
      const pv = fmt.view(lo, hi);
      if (!pv.valid) return;
      const [nlo, nhi] = fmt.mkPte(pv.pfn, {
        write:
          pv.write && (newFlags & VM_WRITE) !== 0 && (v.flags & VM_SHARED) !== 0
            ? true
            : pv.write && (newFlags & VM_WRITE) !== 0,
        exec: (newFlags & VM_EXEC) !== 0,
        dirty: pv.dirty,
        special: pv.special,
      });
      mm.pgtable.setPte(a, nlo, nhi);
    });
    flush_tlb_range(mm, v.start, v.end);
    mm.cpu.mem.invalidateCode(v.start, v.end);
    if (newFlags & VM_EXEC)
      mm.cpu.mem.addCodeRange(v.regionBase, v.regionBase + (mm.cpu.mem.regionAt(v.regionBase)!.end - v.regionBase));
  }
  return 0;
}

/** madvise(): MADV_DONTNEED zaps (next touch faults a fresh zero page); others are hints. */
export function do_madvise(k: KernelState, mm: MmStruct, start: number, len: number, advice: number): number {
  if (start % PAGE_SIZE) return -EINVAL;
  const end = start + pageAlign(len);
  if (advice === MADV_DONTNEED || advice === MADV_FREE) {
    let covered = false;
    for (const v of mm.vmas) {
      if (v.end <= start || v.start >= end) continue;
      covered = true;
      zap_page_range(k, mm, v, Math.max(start, v.start), Math.min(end, v.end));
    }
    return covered ? 0 : -ENOMEM;
  }
  // madvise_behavior_valid() (6.1); the other valid advice values are hints the model accepts
  if (
    [
      MADV_NORMAL,
      1,
      2,
      MADV_WILLNEED,
      9,
      10,
      11,
      12,
      13,
      14,
      15,
      16,
      17,
      18,
      19,
      20,
      21,
      22,
      23,
      25,
      100,
      101,
    ].includes(advice)
  )
    return 0;
  return -EINVAL;
}

/**
 * expand_stack() (6.1 semantics): grow a VM_GROWSDOWN VMA down to `address` if the stack
 * rlimit and the guard gap to the previous VMA allow it.  The stack's engine region is
 * reserved up to _STK_LIM at exec, so growth never maps new engine memory.
 */
export function expand_stack(k: KernelState, mm: MmStruct, vma: Vma, address: number): boolean {
  const newStart = pageDown(address);
  if (!(vma.flags & VM_GROWSDOWN) || newStart >= vma.start) return false;
  // acct_stack_growth(): the size may not pass rlimit(RLIMIT_STACK); the engine region only
  // holds the default, so a raised limit still stops there.
  const cur = k.sched.current ? task_rlimit(k.sched.current, RLIMIT_STACK, 0)[0] : BigInt(STK_LIM);
  const rlim = cur < BigInt(STK_LIM) ? Number(cur) : STK_LIM;
  if (vma.end - newStart > rlim) return false;
  const prev = [...mm.vmas].reverse().find((v) => v.end <= vma.start && v !== vma);
  if (prev && newStart - prev.end < STACK_GUARD_GAP && !(prev.flags & VM_GROWSDOWN)) return false;
  const region = mm.cpu.mem.regionAt(vma.regionBase);
  if (!region || newStart < region.begin) return false;
  const pages = (vma.start - newStart) / PAGE_SIZE;
  if (!vm_enough_memory(k, mm, pages, capSysAdmin(k))) return false;
  mm.committed += pages;
  vma.mem = region.mem.subarray(newStart - region.begin, vma.end - region.begin);
  vma.start = newStart;
  vm_stat_account(mm, vma, pages);
  return true;
}

/** Reserves the stack's engine region (_STK_LIM below STACK_TOP) and creates its VMA. */
export function setupStackVma(k: KernelState, mm: MmStruct, vmaStart: number): Vma | null {
  const top = STACK_TOP[mm.arch];
  const base = top - STK_LIM;
  const mem = mapRegion(k, mm, base, top, false);
  if (!mem) return null;
  const flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_GROWSDOWN | VM_ACCOUNT;
  const pages = (top - vmaStart) / PAGE_SIZE;
  k.mm.committedAs += pages;
  mm.committed += pages;
  const vma: Vma = {
    start: vmaStart,
    end: top,
    flags,
    pgoff: 0,
    name: '[stack]',
    mem: mem.subarray(vmaStart - base),
    regionBase: base,
    anonVma: false,
  };
  if (!memcg_slab_post_alloc_hook(k, mm, SLAB_VM_AREA_STRUCT)) return null;
  insertVma(mm, vma);
  return vma;
}

/** Everything an exiting mm maps goes back: pages, swap, tables, engine regions (exit_mmap); mmput() then drops the mm. */
export function exit_mmap(k: KernelState, mm: MmStruct): void {
  for (const v of [...mm.vmas]) removeVma(k, mm, v);
  for (const { pfn, level } of mm.pgtable.allTables().reverse()) if (level > 0) pte_free(k, pfn, level);
  k.mm.committedAs -= Math.max(0, mm.committed);
  mm.committed = 0;
}

/** find_vma(): the first VMA with vm_end > address (which may start above it). */
export function find_vma(mm: MmStruct, address: number): Vma | undefined {
  for (const v of mm.vmas) if (v.end > address) return v;
  return undefined;
}

// ---------------------------------------------------------------- system calls

/**
 * ksys_mmap_pgoff(): the checks do_mmap() makes before anything is mapped (len 0 → EINVAL; a
 * PAGE_ALIGN that overflows TASK_SIZE → ENOMEM; MAP_FIXED needs an aligned address), then a file
 * mapping through the fd (-EBADF; -ENODEV when it is not a regular file) or an anonymous one (fd -1
 * counts as MAP_ANONYMOUS).  A non-fixed anonymous hint is only a hint: rounded down to a page.
 * The arch's sys_mmap turns the byte offset into `pgoff`.
 */
export function ksys_mmap_pgoff(
  c: SyscallContext,
  addr: bigint,
  len: bigint,
  prot: number,
  flags: number,
  fd: number,
  pgoff: number,
): SyscallRet {
  const mm = c.t.mm!;
  const n = Number(BigInt.asIntN(64, len));
  if (len === 0n) return errno(EINVAL);
  if (len > 2n ** 48n) return errno(ENOMEM);
  if (flags & MAP_FIXED && addr % 4096n) return errno(EINVAL);
  if (!(flags & MAP_ANONYMOUS) && fd !== -1) {
    const f = fdget(c.k, c.t, fd);
    if (!f) return errno(EBADF);
    const file = c.vfs.d_lookup(f.path);
    if (!file) return errno(ENODEV);
    return BigInt(do_mmap(c.k, mm, { addr: Number(addr), len: n, prot, flags, file, pgoff }));
  }
  if (n <= 0) return errno(EINVAL);
  return BigInt(do_mmap(c.k, mm, { addr: Number(addr & ~0xfffn), len: n, prot, flags: flags | MAP_ANONYMOUS }));
}

/** brk(brk): 0 queries the break; the result is the new break, or the old one on failure. */
export function sys_brk(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const mm = c.t.mm!;
  return BigInt(doBrk(c.k, mm, a[0] === 0n ? mm.brk : Number(a[0])));
}

/** munmap(addr, len) */
export function sys_munmap(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return BigInt(do_munmap(c.k, c.t.mm!, Number(a[0]), sarg(a, 1)));
}
