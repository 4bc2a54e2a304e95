/**
 * __alloc_pages() → get_page_from_freelist / __alloc_pages_slowpath → __alloc_pages_may_oom
 * (mm/page_alloc.c, docs/kernel-reference.md §5).  Order-0 only: the model never needs higher orders.
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import { formatGfpFlags } from '../include/linux/gfp.js';
import { PageKind } from '../include/linux/mmzone.js';
import { nr_swap_pages_used } from './swapfile.js';
import { total_swap_pages } from './swapfile.js';

export interface AllocContext {
  kind: PageKind;
  /** a user-page allocation (its call chain appears in OOM reports) */
  userChain?: boolean;
}

const MAX_RECLAIM_RETRIES = 16;

export function __alloc_pages(k: KernelState, gfp: number, order: number, ctx: AllocContext): number {
  return k.tracer.call(
    '__alloc_pages',
    { gfp_mask: `0x${gfp.toString(16)}`, order },
    () => {
      // Fast path: get_page_from_freelist(ALLOC_WMARK_LOW).
      if (k.phys.watermarkOk(k.phys.wmark.low)) return take(k, ctx, gfp, order);
      return __alloc_pages_slowpath(k, gfp, order, ctx);
    },
    (pfn) => (pfn < 0 ? 'NULL' : 'page'),
  );
}

function take(k: KernelState, ctx: AllocContext, gfp: number, order: number): number {
  const pfn = k.phys.takeFrame(ctx.kind);
  k.tracer.emit('alloc', { pfn, order, gfp: `0x${gfp.toString(16)}`, ok: pfn >= 0 });
  return pfn;
}

function __alloc_pages_slowpath(k: KernelState, gfp: number, order: number, ctx: AllocContext): number {
  return k.tracer.call(
    '__alloc_pages_slowpath',
    { gfp_mask: `0x${gfp.toString(16)}`, order },
    () => {
      const G = k.profile.gfp;
      const cur = k.sched.current;
      const high = (gfp & G.HIGH) !== 0;
      // wake_all_kswapds(): kswapd is modeled as direct reclaim up to the high watermark.
      if (k.phys.watermarkOk(k.phys.wmark.min, { high })) return take(k, ctx, gfp, order);
      let noProgressLoops = 0;
      for (let loop = 0; loop < 1000; loop++) {
        const oomVictim = cur?.oomVictim ?? false;
        // __gfp_pfmemalloc_flags(): OOM victims get ALLOC_OOM access to part of the reserves.
        if (k.phys.watermarkOk(k.phys.wmark.min, { high, oom: oomVictim })) return take(k, ctx, gfp, order);
        if (!(gfp & G.DIRECT_RECLAIM)) return -1;
        const reclaimed = __alloc_pages_direct_reclaim(k, gfp, order);
        if (k.phys.watermarkOk(k.phys.wmark.min, { high, oom: oomVictim })) return take(k, ctx, gfp, order);
        __alloc_pages_direct_compact(k, order);
        if (gfp & G.NORETRY) return -1;
        if (should_reclaim_retry(k, reclaimed > 0, noProgressLoops)) {
          noProgressLoops = reclaimed > 0 ? 0 : noProgressLoops + 1;
          continue;
        }
        const { pfn, progress } = __alloc_pages_may_oom(k, gfp, order, ctx);
        if (pfn >= 0) return pfn;
        if (cur?.oomVictim) {
          // OOM victims may dip into reserves once more; otherwise give up (nopage).
          if (k.phys.watermarkOk(k.phys.wmark.min, { oom: true })) return take(k, ctx, gfp, order);
          return -1;
        }
        if (progress) {
          noProgressLoops = 0;
          continue;
        }
        if (gfp & G.NOFAIL) continue;
        return -1;
      }
      return -1;
    },
    (pfn) => (pfn < 0 ? 'NULL' : 'page'),
  );
}

/**
 * should_reclaim_retry(): retry while fewer than MAX_RECLAIM_RETRIES rounds made no progress
 * and the zone could pass the min watermark if all reclaimable pages were freed.
 */
function should_reclaim_retry(k: KernelState, progress: boolean, noProgressLoops: number): boolean {
  const loops = progress ? 0 : noProgressLoops + 1;
  if (loops > MAX_RECLAIM_RETRIES) return false;
  const reclaimable =
    k.phys.lists[3].size +
    k.phys.lists[4].size +
    (nr_swap_pages_used(k) < total_swap_pages(k) ? k.phys.lists[1].size + k.phys.lists[2].size : 0);
  const ok = k.phys.nrFree + reclaimable > k.phys.wmark.min;
  k.tracer.emit('tracepoint', {
    system: 'oom',
    name: 'reclaim_retry_zone',
    fields: {
      node: 0,
      zone: k.arch === 'aarch64' ? 'DMA' : 'DMA32',
      order: 0,
      reclaimable,
      available: k.phys.nrFree + reclaimable,
      min_wmark: k.phys.wmark.min,
      no_progress_loops: loops,
      wmark_check: ok ? 1 : 0,
    },
    text: `node=0 zone=${(k.arch === 'aarch64' ? 'DMA' : 'DMA32').padEnd(8, ' ')} order=0 reclaimable=${reclaimable} available=${k.phys.nrFree + reclaimable} min_wmark=${k.phys.wmark.min} no_progress_loops=${loops} wmark_check=${ok ? 1 : 0}`,
  });
  return ok && progress;
}

/** __alloc_pages_may_oom() (docs/kernel-reference.md §5.3). */
function __alloc_pages_may_oom(
  k: KernelState,
  gfp: number,
  order: number,
  ctx: AllocContext,
): { pfn: number; progress: boolean } {
  return k.tracer.call(
    '__alloc_pages_may_oom',
    { order },
    () => {
      const G = k.profile.gfp;
      if (k.oom.lock) return { pfn: -1, progress: true };
      k.oom.lock = true;
      try {
        // Last chance with the high watermark, in case somebody freed memory meanwhile.
        if (k.phys.watermarkOk(k.phys.wmark.high)) return { pfn: take(k, ctx, gfp, order), progress: true };
        if (order > 3) return { pfn: -1, progress: false };
        if (gfp & (G.RETRY_MAYFAIL | G.THISNODE)) return { pfn: -1, progress: false };
        const killed = k.upcalls.mm.out_of_memory({ memcg: null, gfp, order, nodemask: null });
        return { pfn: -1, progress: killed || (gfp & G.NOFAIL) !== 0 };
      } finally {
        k.oom.lock = false;
      }
    },
    (r) => (r.pfn >= 0 ? 'page' : r.progress ? 'NULL (progress)' : 'NULL'),
  );
}

/** __folio_alloc() (6.1): an order-`order` folio through __alloc_pages(). */
export function __folio_alloc(k: KernelState, gfp: number, order: number, ctx: AllocContext): number {
  return k.tracer.call('__folio_alloc', undefined, () => __alloc_pages(k, gfp, order, ctx));
}

/** __alloc_pages_direct_reclaim(): try_to_free_pages() between the direct_reclaim tracepoints. */
function __alloc_pages_direct_reclaim(k: KernelState, gfp: number, order: number): number {
  return k.tracer.call(
    '__alloc_pages_direct_reclaim',
    undefined,
    () => {
      const flags = formatGfpFlags(gfp, k.profile.version);
      k.tracer.emit('tracepoint', {
        system: 'vmscan',
        name: 'mm_vmscan_direct_reclaim_begin',
        fields: { order, gfp_flags: flags },
        text: `order=${order} gfp_flags=${flags}`,
      });
      const n = k.upcalls.mm.shrink_node(32, { memcg: null, gfp, maySwap: true });
      k.tracer.emit('tracepoint', {
        system: 'vmscan',
        name: 'mm_vmscan_direct_reclaim_end',
        fields: { nr_reclaimed: n },
        text: `nr_reclaimed=${n}`,
      });
      k.upcalls.sched.cond_resched();
      return n;
    },
    (n) => String(n),
  );
}

/** __alloc_pages_direct_compact(): order-0 requests skip compaction (COMPACT_SKIPPED). */
function __alloc_pages_direct_compact(k: KernelState, order: number): void {
  k.tracer.call('__alloc_pages_direct_compact', { order }, () => 'COMPACT_SKIPPED (order-0: compaction is a no-op)');
}
