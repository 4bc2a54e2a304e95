/**
 * Page reclaim (mm/vmscan.c), reduced to what changes observable outcomes: inactive lists are
 * scanned oldest first with a second chance for referenced pages; clean page-cache pages are
 * dropped (their PTEs unmapped, so the next access is a major fault); anonymous and shmem pages
 * go to the modeled swap area when swap exists and the memcg's swap.max allows it.  memory.min
 * and memory.low protect a memcg's pages (the low event fires when protection is ignored).
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS } from '../include/linux/mm_types.js';
import { memCgroupSwapHeadroom, mem_cgroup_try_charge_swap, memcg_memory_event } from './memcontrol.js';
import { Lru, PageKind, PAGE_SIZE } from '../include/linux/mmzone.js';
import { MemCgroup } from '../include/linux/memcontrol.js';
import type { ReclaimScope } from '../include/linux/swap.js';
import { delete_from_page_cache } from './filemap.js';
import { find_vma } from './mmap.js';
import { flush_tlb_page } from './mmu_gather.js';
import { get_swap_page } from './swapfile.js';
import { nr_swap_pages_used } from './swapfile.js';
import { total_swap_pages } from './swapfile.js';
import { uncharge_folio } from './memcontrol.js';
import { formatGfpFlags } from '../include/linux/gfp.js';

/**
 * mem_cgroup_calculate_protection() / effective_protection() (6.1, without the
 * memory_recursiveprot mount option): a memcg's effective min/low is its own setting capped by
 * its usage, scaled down when the siblings together claim more than the parent's effective
 * protection.  The reclaim root itself is never protected.
 */
function effectiveProtection(k: KernelState, scopeRoot: MemCgroup): Map<MemCgroup, { emin: number; elow: number }> {
  const out = new Map<MemCgroup, { emin: number; elow: number }>();
  const ep = (usage: number, setting: number, parentEffective: number, siblingsProtected: number) => {
    const prot = Math.min(usage, setting);
    if (siblingsProtected > parentEffective) return Math.floor((prot * parentEffective) / siblingsProtected);
    return prot;
  };
  const visit = (m: MemCgroup, parentE: { emin: number; elow: number } | null) => {
    for (const c of m.children) {
      if (c.removed) continue;
      let e: { emin: number; elow: number };
      if (!parentE) e = { emin: Math.min(c.memory.min, c.memory.usage), elow: Math.min(c.memory.low, c.memory.usage) };
      else {
        const sibMin = m.children.reduce((n, x) => n + (x.removed ? 0 : Math.min(x.memory.usage, x.memory.min)), 0);
        const sibLow = m.children.reduce((n, x) => n + (x.removed ? 0 : Math.min(x.memory.usage, x.memory.low)), 0);
        e = {
          emin: ep(c.memory.usage, c.memory.min, parentE.emin, sibMin),
          elow: ep(c.memory.usage, c.memory.low, parentE.elow, sibLow),
        };
      }
      out.set(c, e);
      visit(c, e);
    }
  };
  void k;
  visit(scopeRoot, null);
  return out;
}

function protectedBy(
  k: KernelState,
  pfn: number,
  scope: ReclaimScope,
  ignoreLow: boolean,
  eff: Map<MemCgroup, { emin: number; elow: number }>,
): boolean {
  const id = k.phys.memcg[pfn]!;
  if (!id) return false;
  const m = k.memcg.get(id);
  if (scope.memcg && !m.isDescendantOf(scope.memcg)) return true;
  // mem_cgroup_below_min / below_low on the page's memcg and its ancestors up to the root
  for (let c: MemCgroup | null = m; c && c !== scope.memcg && !c.isRoot; c = c.parent) {
    const e = eff.get(c);
    if (!e) continue;
    if (c.memory.usage <= e.emin) return true;
    if (c.memory.usage <= e.elow && !ignoreLow) return true;
  }
  return false;
}

export function shrink_node(k: KernelState, nrToReclaim: number, scope: ReclaimScope): number {
  return k.tracer.call(
    'shrink_node',
    { nr_to_reclaim: nrToReclaim, memcg: scope.memcg?.path ?? '(global)' },
    () => {
      let reclaimed = shrinkPass(k, nrToReclaim, scope, false);
      // memcg_low_reclaim: a second pass ignores memory.low when nothing else was reclaimable.
      if (reclaimed === 0) reclaimed = shrinkPass(k, nrToReclaim, scope, true);
      k.mm.events.pgsteal += reclaimed;
      k.tracer.emit('reclaim', { scope: scope.memcg?.path ?? 'global', nrToReclaim, nrReclaimed: reclaimed });
      return reclaimed;
    },
    (n) => String(n),
  );
}

function shrinkPass(k: KernelState, nrToReclaim: number, scope: ReclaimScope, ignoreLow: boolean): number {
  let reclaimed = 0;
  const eff = effectiveProtection(k, scope.memcg ?? k.memcg.root);
  if (ignoreLow) {
    // shrink_node_memcgs(): in the memcg_low_reclaim pass every memcg below its effective low
    // (and above its min) is visited and raises MEMCG_LOW, whatever it then gives back.
    for (const [m, e] of eff) {
      if (m.memory.usage <= e.emin) continue;
      if (m.memory.usage <= e.elow) memcg_memory_event(k, m, 'low');
    }
  }
  const swapOk =
    scope.maySwap &&
    nr_swap_pages_used(k) < total_swap_pages(k) &&
    (!scope.memcg || memCgroupSwapHeadroom(scope.memcg) > 0);
  const lists: Lru[] = swapOk
    ? [Lru.InactiveFile, Lru.InactiveAnon, Lru.ActiveFile, Lru.ActiveAnon]
    : [Lru.InactiveFile, Lru.ActiveFile];
  for (const list of lists) {
    for (const pfn of [...k.phys.lists[list]]) {
      if (reclaimed >= nrToReclaim) break;
      k.mm.events.pgscan++;
      if (protectedBy(k, pfn, scope, ignoreLow, eff)) continue;
      if (referenced(k, pfn) && (list === Lru.InactiveFile || list === Lru.InactiveAnon)) {
        rotate(k, pfn, list === Lru.InactiveFile ? Lru.ActiveFile : Lru.ActiveAnon);
        continue;
      }
      if (reclaimPage(k, pfn, scope)) reclaimed++;
    }
  }
  return reclaimed;
}

/** page_referenced(): test-and-clear the young bit of every mapping. */
function referenced(k: KernelState, pfn: number): boolean {
  let ref = false;
  for (const e of k.phys.rmap.get(pfn) ?? []) {
    const mm = k.mm.mms.get(e.mmId);
    if (!mm) continue;
    const pte = mm.pgtable.getPte(e.address);
    if (!pte) continue;
    const v = mm.pgtable.fmt.view(pte[0], pte[1]);
    if (v.valid && v.young && k.arch === 'x86_64') {
      // x86 clears _PAGE_ACCESSED (ptep_clear_flush_young); arm64 with HW AF: same via AF.
      mm.pgtable.setPte(e.address, pte[0] & ~0x20, pte[1]);
      flush_tlb_page(mm, e.address);
      ref = true;
    }
  }
  return ref;
}

function rotate(k: KernelState, pfn: number, to: Lru): void {
  const id = k.phys.memcg[pfn]!;
  const from = k.phys.lru[pfn] as Lru;
  k.phys.lruAdd(pfn, to);
  if (id) {
    const s = k.memcg.get(id).stat;
    const dec = {
      [Lru.InactiveAnon]: 'inactive_anon',
      [Lru.ActiveAnon]: 'active_anon',
      [Lru.InactiveFile]: 'inactive_file',
      [Lru.ActiveFile]: 'active_file',
    } as const;
    if (from !== Lru.None) s[dec[from as 1]]--;
    s[dec[to as 1]]++;
  }
}

function reclaimPage(k: KernelState, pfn: number, scope: ReclaimScope): boolean {
  const kind = k.phys.kind[pfn] as PageKind;
  if (kind === PageKind.File) {
    unmapAll(k, pfn, null);
    delete_from_page_cache(k, pfn);
    return true;
  }
  if (kind === PageKind.Anon) {
    if (!scope.maySwap || nr_swap_pages_used(k) >= total_swap_pages(k)) return false;
    const id = k.phys.memcg[pfn]!;
    const memcg = id ? k.memcg.get(id) : k.memcg.root;
    // can_reclaim_anon_pages(): no swap left for this memcg → anon pages are not scanned
    if (memCgroupSwapHeadroom(memcg) <= 0) return false;
    if (!mem_cgroup_try_charge_swap(k, memcg, 1)) return false;
    const rm = k.phys.rmap.get(pfn) ?? [];
    const first = rm[0];
    const mm0 = first ? k.mm.mms.get(first.mmId) : undefined;
    const vma0 = mm0 ? find_vma(mm0, first!.address) : undefined;
    if (!mm0 || !vma0) {
      for (let c: MemCgroup | null = memcg; c && !memcg.isRoot; c = c.parent) c.swap.usage--;
      return false;
    }
    const data = vma0.mem.subarray(first!.address - vma0.start, first!.address - vma0.start + PAGE_SIZE);
    const slot = get_swap_page(k, data, memcg.id, rm.length);
    if (slot < 0) return false;
    unmapAll(k, pfn, slot);
    uncharge_folio(k, pfn);
    if (k.phys.kind[pfn] !== PageKind.Free) k.phys.freeFrame(pfn);
    return true;
  }
  return false;
}

/** try_to_unmap(): replace every PTE mapping pfn with nothing (file) or a swap entry (anon). */
function unmapAll(k: KernelState, pfn: number, slot: number | null): void {
  for (const e of [...(k.phys.rmap.get(pfn) ?? [])]) {
    const mm = k.mm.mms.get(e.mmId);
    if (!mm) continue;
    const vma = find_vma(mm, e.address);
    if (slot === null) {
      mm.pgtable.setPte(e.address, 0, 0);
    } else {
      const [lo, hi] = mm.pgtable.fmt.mkSwapPte(slot);
      mm.pgtable.setPte(e.address, lo, hi);
      if (vma) vma.mem.fill(0, e.address - vma.start, e.address - vma.start + PAGE_SIZE);
    }
    flush_tlb_page(mm, e.address);
    // try_to_unmap_one(): dec_mm_counter / inc_mm_counter on the mm itself
    const kind = k.phys.kind[pfn] as PageKind;
    if (kind === PageKind.Anon) {
      mm.rss[MM_ANONPAGES]!--;
      mm.rss[MM_SWAPENTS]!++;
    } else {
      mm.rss[kind === PageKind.Shmem ? MM_SHMEMPAGES : MM_FILEPAGES]!--;
    }
    k.phys.rmapDel(pfn, mm.id, e.address);
    const id = k.phys.memcg[pfn]!;
    if (id && kind !== PageKind.Anon) k.memcg.get(id).stat.file_mapped--;
    k.phys.refcount[pfn]!--;
  }
}

/** try_to_free_mem_cgroup_pages(): reclaim within the memcg's subtree, between the memcg_reclaim tracepoints. */
export function try_to_free_mem_cgroup_pages(k: KernelState, memcg: MemCgroup, nrPages: number, gfp: number): number {
  return k.tracer.call(
    'try_to_free_mem_cgroup_pages',
    { memcg: memcg.path, nr_pages: nrPages },
    () => {
      const flags = formatGfpFlags(gfp, k.profile.version);
      k.tracer.emit('tracepoint', {
        system: 'vmscan',
        name: 'mm_vmscan_memcg_reclaim_begin',
        fields: { order: 0, gfp_flags: flags },
        text: `order=0 gfp_flags=${flags}`,
      });
      const n = shrink_node(k, Math.max(nrPages, 32), { memcg, gfp, maySwap: true });
      k.tracer.emit('tracepoint', {
        system: 'vmscan',
        name: 'mm_vmscan_memcg_reclaim_end',
        fields: { nr_reclaimed: n },
        text: `nr_reclaimed=${n}`,
      });
      // cond_resched() inside reclaim: a SIGKILLed OOM victim on another CPU gets to exit here.
      k.upcalls.sched.cond_resched();
      return n;
    },
    (n) => String(n),
  );
}
