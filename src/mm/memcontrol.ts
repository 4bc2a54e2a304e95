/**
 * Memory cgroups (mm/memcontrol.c): the hierarchy, page counters, the per-CPU charge stock, the
 * charge path of each modeled version (try_charge_memcg 6.1, try_charge 4.19,
 * __mem_cgroup_try_charge 3.12, selected by the profile), mem_cgroup_oom,
 * mem_cgroup_oom_synchronize, memory.events and the OOM report lines.
 */
import { ENOMEM } from '../include/uapi/asm-generic/errno.js';
import type { KernelState } from '../include/faultpath/kernel_state.js';
import type { KernelProfile } from '../include/faultpath/profile.js';
import type { Task } from '../include/linux/sched.js';
import { PAGE_SIZE } from '../include/linux/mmzone.js';
import { MemCgroup } from '../include/linux/memcontrol.js';
import type { MemcgEvent } from '../include/linux/memcontrol.js';
import type { MemcgStat } from '../include/linux/memcontrol.js';
import { MemcgTree } from '../include/linux/memcontrol.js';
import { MEMCG_EVENTS } from '../include/linux/memcontrol.js';
import { PAGE_COUNTER_MAX } from '../include/linux/memcontrol.js';
import { PAGE_COUNTER_MAX_KB } from '../include/linux/memcontrol.js';
import { Lru } from '../include/linux/mmzone.js';
import { PageKind } from '../include/linux/mmzone.js';
import { total_swap_pages } from './swapfile.js';
import { CFTYPE_NOT_ON_ROOT, type CfType } from '../include/linux/cgroup-defs.js';
import { EINVAL } from '../include/uapi/asm-generic/errno.js';
import { memparse } from '../lib/cmdline.js';
import { emptyMemcgStat } from '../include/linux/memcontrol.js';

/** memcg_memory_event(): local counter, then hierarchical per profile (docs/kernel-reference.md §6.5). */
export function memcg_memory_event(k: KernelState, memcg: MemCgroup, ev: MemcgEvent): void {
  memcg.eventsLocal[ev]++;
  if (!k.profile.memcgEventsHierarchical) {
    memcg.events[ev]++;
    return;
  }
  for (let m: MemCgroup | null = memcg; m && !m.isRoot; m = m.parent) m.events[ev]++;
}

/** page_counter_try_charge(): hierarchical; on failure returns the counter over its limit. */
function page_counter_try_charge(memcg: MemCgroup, nr: number, which: 'memory' | 'swap'): MemCgroup | null {
  const charged: MemCgroup[] = [];
  for (let c: MemCgroup | null = memcg; c; c = c.parent) {
    const ctr = c[which];
    const next = ctr.usage + nr;
    if (ctr.max !== null && next > ctr.max) {
      ctr.failcnt++;
      for (const d of charged) d[which].usage -= nr;
      return c;
    }
    ctr.usage = next;
    if (next > ctr.watermark) ctr.watermark = next;
    charged.push(c);
  }
  return null;
}

/** page_counter_charge(): unconditional (forced) charge up the hierarchy. */
function page_counter_charge(memcg: MemCgroup, nr: number, which: 'memory' | 'swap'): void {
  for (let c: MemCgroup | null = memcg; c; c = c.parent) {
    c[which].usage += nr;
    if (c[which].usage > c[which].watermark) c[which].watermark = c[which].usage;
  }
}

export function page_counter_uncharge(memcg: MemCgroup, nr: number, which: 'memory' | 'swap'): void {
  for (let c: MemCgroup | null = memcg; c; c = c.parent) c[which].usage -= nr;
}

/** mem_cgroup_margin(): pages left below memory.max on the whole path to the root. */
export function mem_cgroup_margin(memcg: MemCgroup): number {
  let margin = Infinity;
  for (let c: MemCgroup | null = memcg; c; c = c.parent) {
    if (c.memory.max !== null) margin = Math.min(margin, Math.max(0, c.memory.max - c.memory.usage));
  }
  return margin === Infinity ? PAGE_COUNTER_MAX : margin;
}

function consume_stock(tree: MemcgTree, memcg: MemCgroup, nr: number): boolean {
  if (tree.stock.memcg === memcg && tree.stock.nrPages >= nr) {
    tree.stock.nrPages -= nr;
    return true;
  }
  return false;
}

export function drain_stock(k: KernelState): void {
  const s = k.memcg.stock;
  if (s.memcg && s.nrPages) {
    page_counter_uncharge(s.memcg, s.nrPages, 'memory');
    memcg_oom_recover(k, s.memcg);
  }
  s.memcg = null;
  s.nrPages = 0;
}

function refill_stock(k: KernelState, memcg: MemCgroup, nr: number): void {
  const s = k.memcg.stock;
  if (s.memcg !== memcg) {
    drain_stock(k);
    s.memcg = memcg;
  }
  s.nrPages += nr;
  if (s.nrPages > k.profile.memcgChargeBatch) drain_stock(k);
}

/** drain_all_stock(): our single CPU's stock, if it caches a charge of memcg's subtree. */
function drain_all_stock(k: KernelState, root: MemCgroup): void {
  const s = k.memcg.stock;
  if (s.memcg && s.memcg.isDescendantOf(root)) drain_stock(k);
}

export function task_memcg(k: KernelState, t: Task): MemCgroup {
  return k.memcg.get(t.memcgId);
}

/** get_mem_cgroup_from_mm(): the memcg of the mm's owner. */
export function mmMemcg(k: KernelState, mmOwnerPid: number): MemCgroup {
  const t = k.sched.tasks.get(mmOwnerPid);
  return t ? task_memcg(k, t) : k.memcg.root;
}

function taskIsDying(t: Task): boolean {
  return t.oomVictim || t.pending.includes(9) || t.flags.has('PF_EXITING');
}

// ---------------------------------------------------------------------------------------------
// The charge path (docs/kernel-reference.md §6.1–6.2).  Each version's functions carry their kernel
// names; profile.memcgChargeEntry picks the chain a new user page is charged through and
// profile.memcgTryCharge the try_charge loop.  Where 4.19 or 3.12 used a name that 6.1 reuses
// for different code, the older function lives in the v4_19 / v3_12 namespace below.
// ---------------------------------------------------------------------------------------------

/** A try_charge loop: returns 0 or -ENOMEM. */
type TryChargeFn = (k: KernelState, memcg: MemCgroup, gfp: number, nrPages: number) => number;
/** A user-page charge entry: returns 0 or -ENOMEM. */
type ChargeFn = (k: KernelState, memcg: MemCgroup, gfp: number) => number;
/** 4.19 enum oom_status, the result of its mem_cgroup_oom(). */
type OomStatus = 'OOM_SUCCESS' | 'OOM_FAILED' | 'OOM_ASYNC' | 'OOM_SKIPPED';

/**
 * try_charge(): 6.1's inline wrapper (mm/memcontrol.c) — a root memcg is never charged — around
 * the version's try_charge loop, which profile.memcgTryCharge names.
 */
export function try_charge(k: KernelState, memcg: MemCgroup, gfp: number, nrPages: number): number {
  if (memcg.isRoot) return 0;
  return TRY_CHARGE[k.profile.memcgTryCharge](k, memcg, gfp, nrPages);
}

function chargeArgs(memcg: MemCgroup, gfp: number, nrPages: number): Record<string, string | number> {
  return { memcg: memcg.path, gfp_mask: `0x${gfp.toString(16)}`, nr_pages: nrPages };
}

function chargeRet(r: number): string {
  return r === 0 ? '0' : '-ENOMEM';
}

/** What a try_charge loop does once its reclaim retries are used up: 'retry' starts them over. */
type ChargeOomStep = (memOverLimit: MemCgroup) => 'retry' | 'nomem' | 'force';

interface ChargeLoop {
  /** 4.19/3.12: an OOM victim, a task with SIGKILL pending or an exiting task is forced through */
  dyingTaskBypass: boolean;
  /** 6.1: far over memory.high (more than a charge batch), the task reclaims inside the charge */
  reclaimFarOverHigh: boolean;
  /** the version's memcg OOM handling */
  oom: ChargeOomStep;
}

/**
 * The retry loop every version's try_charge shares: consume_stock, page_counter_try_charge of
 * a batch, then of the exact amount, reclaim, drain_all_stock, MEM_CGROUP_RECLAIM_RETRIES /
 * MAX_RECLAIM_RETRIES rounds, then the variant's OOM step; "force" charges past the limit.
 */
function tryChargeLoop(k: KernelState, memcg: MemCgroup, gfp: number, nrPages: number, loop: ChargeLoop): number {
  const p = k.profile;
  const G = p.gfp;
  const current = k.sched.current;
  let batch = Math.max(p.memcgChargeBatch, nrPages);
  let nrRetries = p.memcgReclaimRetries;
  let drained = false;
  let raisedMaxEvent = false;
  for (let guard = 0; guard < 10_000; guard++) {
    if (consume_stock(k.memcg, memcg, nrPages)) return 0;
    const memOverLimit = page_counter_try_charge(memcg, batch, 'memory');
    if (!memOverLimit) {
      if (batch > nrPages) refill_stock(k, memcg, batch - nrPages);
      k.tracer.emit('charge', {
        memcg: memcg.path,
        pages: nrPages,
        ok: true,
        usage: memcg.memory.usage,
        max: memcg.memory.max ?? 'max',
      });
      noteOverHigh(k, memcg, loop.reclaimFarOverHigh);
      return 0;
    }
    if (batch > nrPages) {
      batch = nrPages;
      continue;
    }
    if (loop.dyingTaskBypass && current && taskIsDying(current)) break;
    if (current?.flags.has('PF_MEMALLOC')) break;
    if (current?.memcgInOom) return nomem(k, memcg, gfp, nrPages);
    if (!(gfp & G.DIRECT_RECLAIM)) return nomem(k, memcg, gfp, nrPages);
    memcg_memory_event(k, memOverLimit, 'max');
    raisedMaxEvent = true;
    const reclaimed = k.upcalls.mm.try_to_free_mem_cgroup_pages(memOverLimit, nrPages, gfp);
    if (mem_cgroup_margin(memOverLimit) >= nrPages) continue;
    if (!drained) {
      drain_all_stock(k, memOverLimit);
      drained = true;
      continue;
    }
    if (gfp & G.NORETRY) return nomem(k, memcg, gfp, nrPages);
    if (reclaimed && nrPages <= 8) continue;
    if (nrRetries-- > 0) continue;
    const step = loop.oom(memOverLimit);
    if (step === 'nomem') return nomem(k, memcg, gfp, nrPages);
    if (step === 'force') break;
    nrRetries = p.memcgReclaimRetries;
  }
  // force: charge past the limit.
  if (!raisedMaxEvent) memcg_memory_event(k, memcg, 'max');
  page_counter_charge(memcg, nrPages, 'memory');
  return 0;
}

/**
 * 6.1 try_charge_memcg(): reclaim far over memory.high in the charge; at the end of the retries
 * mem_cgroup_oom() kills in the charge path and the retries start over; once an OOM has passed,
 * a dying current gives up (passed_oom && task_is_dying()).
 */
function try_charge_memcg(k: KernelState, memcg: MemCgroup, gfp: number, nrPages: number): number {
  return k.tracer.call(
    'try_charge_memcg',
    chargeArgs(memcg, gfp, nrPages),
    () => {
      const G = k.profile.gfp;
      const current = k.sched.current;
      let passedOom = false;
      return tryChargeLoop(k, memcg, gfp, nrPages, {
        dyingTaskBypass: false,
        reclaimFarOverHigh: true,
        oom: (over) => {
          if (gfp & G.RETRY_MAYFAIL) return 'nomem';
          if (passedOom && current && taskIsDying(current)) return 'nomem';
          if (!mem_cgroup_oom(k, over, gfp, 0)) return 'nomem';
          passedOom = true;
          return 'retry';
        },
      });
    },
    chargeRet,
  );
}

/**
 * 3.12 __mem_cgroup_try_charge(): dying tasks bypass the limit; at the end of the retries the OOM
 * is only recorded (mem_cgroup_oom) and the charge fails: the fault returns VM_FAULT_OOM and
 * mem_cgroup_oom_synchronize() kills at the end of the fault.
 */
function __mem_cgroup_try_charge(k: KernelState, memcg: MemCgroup, gfp: number, nrPages: number): number {
  return k.tracer.call(
    '__mem_cgroup_try_charge',
    chargeArgs(memcg, gfp, nrPages),
    () =>
      tryChargeLoop(k, memcg, gfp, nrPages, {
        dyingTaskBypass: true,
        reclaimFarOverHigh: false,
        oom: (over) => {
          memcg_memory_event(k, over, 'oom');
          v3_12.mem_cgroup_oom(k, over, gfp, 0);
          return 'nomem';
        },
      }),
    chargeRet,
  );
}

/** Linux 4.19 mm/memcontrol.c functions whose names 6.1 reuses for different code. */
const v4_19 = {
  /**
   * 4.19 try_charge(): dying tasks bypass the limit; at the end of the retries __GFP_NOFAIL and a
   * pending SIGKILL force the charge, else MEMCG_OOM and mem_cgroup_oom() in the charge path:
   * OOM_SUCCESS starts the retries over, OOM_FAILED forces, OOM_ASYNC / OOM_SKIPPED fail.
   */
  try_charge(k: KernelState, memcg: MemCgroup, gfp: number, nrPages: number): number {
    return k.tracer.call(
      'try_charge',
      chargeArgs(memcg, gfp, nrPages),
      () => {
        const G = k.profile.gfp;
        const current = k.sched.current;
        let oomed = false;
        return tryChargeLoop(k, memcg, gfp, nrPages, {
          dyingTaskBypass: true,
          reclaimFarOverHigh: false,
          oom: (over) => {
            if (gfp & G.RETRY_MAYFAIL && oomed) return 'nomem';
            if (gfp & G.NOFAIL) return 'force';
            if (current && current.pending.includes(9)) return 'force';
            memcg_memory_event(k, over, 'oom');
            const st = v4_19.mem_cgroup_oom(k, over, gfp, 0);
            if (st === 'OOM_SUCCESS') {
              oomed = true;
              return 'retry';
            }
            return st === 'OOM_FAILED' ? 'force' : 'nomem';
          },
        });
      },
      chargeRet,
    );
  },

  /**
   * 4.19 mem_cgroup_oom(): kills in the charge path (mem_cgroup_out_of_memory); with
   * oom_kill_disable a user fault records current->memcg_in_oom instead (OOM_ASYNC).
   */
  mem_cgroup_oom(k: KernelState, memcg: MemCgroup, gfp: number, order: number): OomStatus {
    return k.tracer.call(
      'mem_cgroup_oom',
      { memcg: memcg.path, order },
      (): OomStatus => {
        if (order > 3) return 'OOM_SKIPPED';
        const cur = k.sched.current;
        if (memcg.oomKillDisable) {
          if (!cur || !cur.inUserFault) return 'OOM_SKIPPED';
          cur.memcgInOom = { memcgId: memcg.id, gfp, order };
          return 'OOM_ASYNC';
        }
        return mem_cgroup_out_of_memory(k, memcg, gfp, order) ? 'OOM_SUCCESS' : 'OOM_FAILED';
      },
      (r) => r,
    );
  },
};

/** Linux 3.12 mm/memcontrol.c functions whose names 6.1 reuses for different code. */
const v3_12 = {
  /**
   * 3.12 mem_cgroup_oom(): only in a user fault (memcg_oom.may_oom), record the OOM in
   * current->memcg_oom for mem_cgroup_oom_synchronize() at the end of the fault.
   */
  mem_cgroup_oom(k: KernelState, memcg: MemCgroup, gfp: number, order: number): void {
    k.tracer.call('mem_cgroup_oom', { memcg: memcg.path, order }, () => {
      const cur = k.sched.current;
      if (!cur || !cur.inUserFault) return;
      cur.memcgInOom = { memcgId: memcg.id, gfp, order };
    });
  },
};

/** The try_charge loops, by the kernel name profile.memcgTryCharge gives. */
const TRY_CHARGE: Record<KernelProfile['memcgTryCharge'], TryChargeFn> = {
  try_charge_memcg,
  try_charge: v4_19.try_charge,
  __mem_cgroup_try_charge,
};

function nomem(k: KernelState, memcg: MemCgroup, gfp: number, nrPages: number): number {
  if (gfp & (k.profile.gfp.NOFAIL | k.profile.gfp.HIGH)) {
    page_counter_charge(memcg, nrPages, 'memory');
    return 0;
  }
  k.tracer.emit('charge', {
    memcg: memcg.path,
    pages: nrPages,
    ok: false,
    usage: memcg.memory.usage,
    max: memcg.memory.max ?? 'max',
  });
  return -ENOMEM;
}

function noteOverHigh(k: KernelState, memcg: MemCgroup, reclaimFarOverHigh: boolean): void {
  let over = 0;
  for (let m: MemCgroup | null = memcg; m && !m.isRoot; m = m.parent) {
    if (m.memory.high !== null && m.memory.usage > m.memory.high) over = Math.max(over, m.memory.usage - m.memory.high);
  }
  if (!over || !k.sched.current) return;
  k.sched.current.flags.add('TIF_NOTIFY_RESUME_HIGH');
  // try_charge_memcg(): far over memory.high (more than a charge batch) and able to block, the
  // task reclaims right here instead of only on the way back to user mode.
  if (reclaimFarOverHigh && over > k.profile.memcgChargeBatch && !k.sched.current.flags.has('IN_HIGH_RECLAIM')) {
    k.sched.current.flags.add('IN_HIGH_RECLAIM');
    try {
      // the penalty sleep (schedule_timeout_killable) is owed and taken when the task can sleep
      k.sched.current.highDelayNs += mem_cgroup_handle_over_high(k, k.sched.current);
    } finally {
      k.sched.current.flags.delete('IN_HIGH_RECLAIM');
    }
  }
}

/**
 * mem_cgroup_handle_over_high(): on return to user, reclaim each over-high memcg in the chain
 * (reclaim_high raises MEMCG_HIGH) and throttle the task in simulated time.
 */
export function mem_cgroup_handle_over_high(k: KernelState, t: Task): number {
  if (!t.flags.delete('TIF_NOTIFY_RESUME_HIGH')) return 0;
  let delayNs = 0;
  k.tracer.call('mem_cgroup_handle_over_high', undefined, () => {
    for (let m: MemCgroup | null = task_memcg(k, t); m && !m.isRoot; m = m.parent) {
      if (m.memory.high === null || m.memory.usage <= m.memory.high) continue;
      memcg_memory_event(k, m, 'high');
      const over = m.memory.usage - m.memory.high;
      k.upcalls.mm.try_to_free_mem_cgroup_pages(m, over, k.profile.gfp.GFP_KERNEL);
      const still = Math.max(0, m.memory.usage - m.memory.high);
      // calculate_high_delay(): penalty grows with the overage, capped at 2 s (MEMCG_MAX_HIGH_DELAY_JIFFIES).
      if (still > 0)
        delayNs = Math.max(
          delayNs,
          Math.min(2_000_000_000, Math.ceil((still / Math.max(1, m.memory.high)) * 1_000_000_000)),
        );
    }
  });
  return delayNs;
}

/**
 * 6.1 mem_cgroup_oom(): MEMCG_OOM, then (unless oom_kill_disable defers it to the end of a user
 * fault) mem_cgroup_out_of_memory() under the memcg OOM lock; returns whether it made progress.
 */
function mem_cgroup_oom(k: KernelState, memcg: MemCgroup, gfp: number, order: number): boolean {
  return k.tracer.call(
    'mem_cgroup_oom',
    { memcg: memcg.path, order },
    () => {
      if (order > 3) return false;
      memcg_memory_event(k, memcg, 'oom');
      const cur = k.sched.current;
      if (memcg.oomKillDisable) {
        if (cur && cur.inUserFault) cur.memcgInOom = { memcgId: memcg.id, gfp, order };
        return false;
      }
      mem_cgroup_mark_under_oom(memcg, 1);
      const locked = mem_cgroup_oom_trylock(memcg);
      if (locked) mem_cgroup_oom_notify(memcg);
      mem_cgroup_mark_under_oom(memcg, -1);
      const ret = mem_cgroup_out_of_memory(k, memcg, gfp, order);
      if (locked) mem_cgroup_oom_unlock(memcg);
      return ret;
    },
    (r) => String(r),
  );
}

function mem_cgroup_mark_under_oom(memcg: MemCgroup, d: number): void {
  for (const m of memcg.subtree()) m.underOom += d;
}

function mem_cgroup_oom_trylock(memcg: MemCgroup): boolean {
  for (const m of memcg.subtree()) if (m.oomLock) return false;
  for (const m of memcg.subtree()) m.oomLock = true;
  return true;
}

function mem_cgroup_oom_unlock(memcg: MemCgroup): void {
  for (const m of memcg.subtree()) m.oomLock = false;
}

function mem_cgroup_oom_notify(memcg: MemCgroup): void {
  for (const m of memcg.subtree()) m.oomNotifications++;
}

/**
 * mem_cgroup_out_of_memory(): 6.1 re-checks the margin under oom_lock before killing; 3.12 runs
 * its own select-and-kill loop instead of out_of_memory() (no out_of_memory frame).
 */
export function mem_cgroup_out_of_memory(k: KernelState, memcg: MemCgroup, gfp: number, order: number): boolean {
  return k.tracer.call(
    'mem_cgroup_out_of_memory',
    { memcg: memcg.path, order },
    () => {
      if (k.profile.memcgOomRechecksMargin) {
        if (mem_cgroup_margin(memcg) >= 1 << order) return true;
        const cur = k.sched.current;
        if (cur && taskIsDying(cur)) return true;
      }
      return k.upcalls.mm.out_of_memory({
        memcg,
        gfp,
        order,
        nodemask: null,
        inline: !k.profile.memcgOomViaOutOfMemory,
      });
    },
    (r) => String(r),
  );
}

/**
 * mem_cgroup_oom_synchronize(handle) — the end-of-fault half of a deferred memcg OOM.
 * Returns 'none' (no memcg OOM recorded: the OOM is global), 'done', or 'sleep' (the task must
 * wait on memcg_oom_waitq until memcg_oom_recover wakes it).
 */
export function mem_cgroup_oom_synchronize(k: KernelState, handle: boolean): 'none' | 'done' | 'sleep' {
  return k.tracer.call(
    'mem_cgroup_oom_synchronize',
    { handle },
    () => {
      const cur = k.sched.current!;
      const rec = cur.memcgInOom;
      if (!rec) return 'none' as const;
      const memcg = k.memcg.get(rec.memcgId);
      if (!handle) {
        cur.memcgInOom = null;
        return 'done' as const;
      }
      mem_cgroup_mark_under_oom(memcg, 1);
      const locked = mem_cgroup_oom_trylock(memcg);
      if (locked) mem_cgroup_oom_notify(memcg);
      let result: 'done' | 'sleep' = 'done';
      if (locked && !memcg.oomKillDisable) {
        mem_cgroup_mark_under_oom(memcg, -1);
        mem_cgroup_out_of_memory(k, memcg, rec.gfp, rec.order);
      } else {
        // schedule() on memcg_oom_waitq: the scheduler parks the task; under_oom stays marked
        // until it wakes (memcg_oom_recover) and re-enters here.
        result = 'sleep';
        k.tracer.emit('tracepoint', {
          system: 'faultpath',
          name: 'memcg_oom_wait',
          fields: { memcg: memcg.path },
          text: `memcg=${memcg.path} waiting on memcg_oom_waitq`,
        });
      }
      if (locked) {
        mem_cgroup_oom_unlock(memcg);
        memcg_oom_recover(k, memcg);
      }
      if (result === 'done') cur.memcgInOom = null;
      return result;
    },
    (r) => r,
  );
}

/** Called when a task waiting in mem_cgroup_oom_synchronize wakes up. */
export function memcgOomWaitFinished(k: KernelState, t: Task): void {
  if (t.memcgInOom) mem_cgroup_mark_under_oom(k.memcg.get(t.memcgInOom.memcgId), -1);
  t.memcgInOom = null;
}

/** memcg_oom_recover(): wake memcg_oom_waitq sleepers of related memcgs, if under_oom. */
export function memcg_oom_recover(k: KernelState, memcg: MemCgroup): void {
  if (memcg.underOom > 0)
    k.upcalls.sched.wake_up(`memcg_oom:${memcg.id}`, (waiterId) => {
      const w = k.memcg.get(waiterId);
      return w.isDescendantOf(memcg) || memcg.isDescendantOf(w);
    });
}

/** 6.1 __mem_cgroup_charge(folio, mm, gfp): the mm's memcg (get_mem_cgroup_from_mm), then charge_memcg(). */
function __mem_cgroup_charge(k: KernelState, memcg: MemCgroup, gfp: number): number {
  return k.tracer.call('__mem_cgroup_charge', { memcg: memcg.path }, () => charge_memcg(k, memcg, gfp), String);
}

/** 6.1 charge_memcg(): try_charge() for the folio's pages (commit_charge is KernelState.commitAnonPage). */
function charge_memcg(k: KernelState, memcg: MemCgroup, gfp: number): number {
  return k.tracer.call('charge_memcg', undefined, () => try_charge(k, memcg, gfp, 1), String);
}

/**
 * 4.19 mem_cgroup_try_charge_delay(): mem_cgroup_try_charge(), then mem_cgroup_throttle_swaprate()
 * (swap-rate throttling is not modeled).
 */
function mem_cgroup_try_charge_delay(k: KernelState, memcg: MemCgroup, gfp: number): number {
  return k.tracer.call(
    'mem_cgroup_try_charge_delay',
    { memcg: memcg.path },
    () => mem_cgroup_try_charge(k, memcg, gfp),
    String,
  );
}

/** 4.19 mem_cgroup_try_charge(): the mm's memcg, then try_charge() (committed later by mem_cgroup_commit_charge). */
function mem_cgroup_try_charge(k: KernelState, memcg: MemCgroup, gfp: number): number {
  return k.tracer.call('mem_cgroup_try_charge', undefined, () => try_charge(k, memcg, gfp, 1), String);
}

/** 3.12 mem_cgroup_newpage_charge(): an anonymous page, mem_cgroup_charge_common(MEM_CGROUP_CHARGE_TYPE_ANON). */
function mem_cgroup_newpage_charge(k: KernelState, memcg: MemCgroup, gfp: number): number {
  return k.tracer.call(
    'mem_cgroup_newpage_charge',
    { memcg: memcg.path },
    () => mem_cgroup_charge_common(k, memcg, gfp),
    String,
  );
}

/** 3.12 mem_cgroup_charge_common(): __mem_cgroup_try_charge(), then __mem_cgroup_commit_charge(). */
function mem_cgroup_charge_common(k: KernelState, memcg: MemCgroup, gfp: number): number {
  return k.tracer.call('mem_cgroup_charge_common', undefined, () => try_charge(k, memcg, gfp, 1), String);
}

/** The user-page charge entries, by the kernel name profile.memcgChargeEntry gives. */
const MEMCG_CHARGE: Record<KernelProfile['memcgChargeEntry'], ChargeFn> = {
  __mem_cgroup_charge,
  mem_cgroup_try_charge_delay,
  mem_cgroup_newpage_charge,
};

/**
 * The memcg charge of a new anonymous user page: the entry do_anonymous_page() calls in the
 * profile's kernel (6.1's include/linux/memcontrol.h mem_cgroup_charge() is its inline wrapper).
 */
export function memCgroupCharge(k: KernelState, memcg: MemCgroup, gfp: number): number {
  return MEMCG_CHARGE[k.profile.memcgChargeEntry](k, memcg, gfp);
}

/** Uncharge one page (uncharge_batch → memcg_oom_recover). */
export function mem_cgroup_uncharge(k: KernelState, memcg: MemCgroup, nr = 1): void {
  if (memcg.isRoot) return;
  page_counter_uncharge(memcg, nr, 'memory');
  memcg_oom_recover(k, memcg);
}

/** Swap charge (memory.swap.max, cgroup v2): returns false when over the limit. */
export function mem_cgroup_try_charge_swap(k: KernelState, memcg: MemCgroup, nr: number): boolean {
  if (memcg.isRoot) return true;
  const over = page_counter_try_charge(memcg, nr, 'swap');
  if (over) {
    // __mem_cgroup_try_charge_swap(): MEMCG_SWAP_MAX / MEMCG_SWAP_FAIL (memory.swap.events)
    for (let m: MemCgroup | null = over; m && !m.isRoot; m = m.parent) m.swapEvents.max++;
    for (let m: MemCgroup | null = memcg; m && !m.isRoot; m = m.parent) m.swapEvents.fail++;
    void k;
    return false;
  }
  return true;
}

/** mem_cgroup_get_nr_swap_pages(): swap a memcg may still use (min over the path to the root). */
export function memCgroupSwapHeadroom(memcg: MemCgroup): number {
  let room = Infinity;
  for (let m: MemCgroup | null = memcg; m && !m.isRoot; m = m.parent)
    if (m.swap.max !== null) room = Math.min(room, Math.max(0, m.swap.max - m.swap.usage));
  return room;
}

export function mem_cgroup_uncharge_swap(memcg: MemCgroup, nr: number): void {
  if (!memcg.isRoot) page_counter_uncharge(memcg, nr, 'swap');
}

/** mem_cgroup_get_max(): totalpages for a memcg OOM (docs/kernel-reference.md §6.4, cgroup v2). */
export function mem_cgroup_get_max(k: KernelState, memcg: MemCgroup): number {
  let max = memcg.memory.max ?? PAGE_COUNTER_MAX;
  const swapTotal = total_swap_pages(k);
  if (swapTotal > 0) max += Math.min(memcg.swap.max ?? PAGE_COUNTER_MAX, swapTotal);
  return max;
}

/** mem_cgroup_get_oom_group(): the highest ancestor (up to the OOM domain) with oom.group set. */
export function mem_cgroup_get_oom_group(k: KernelState, victim: Task, oomDomain: MemCgroup | null): MemCgroup | null {
  const domain = oomDomain ?? k.memcg.root;
  const vm = task_memcg(k, victim);
  if (vm.isRoot) return null;
  if (!vm.isDescendantOf(domain)) return null;
  let group: MemCgroup | null = null;
  for (let m: MemCgroup | null = vm; m; m = m.parent) {
    if (m.oomGroup) group = m;
    if (m === domain) break;
  }
  return group;
}

const STAT_ORDER = [
  'anon',
  'file',
  'kernel',
  'kernel_stack',
  'pagetables',
  'sec_pagetables',
  'percpu',
  'sock',
  'vmalloc',
  'shmem',
  'zswap',
  'zswapped',
  'file_mapped',
  'file_dirty',
  'file_writeback',
  'swapcached',
  'anon_thp',
  'file_thp',
  'shmem_thp',
  'inactive_anon',
  'active_anon',
  'inactive_file',
  'active_file',
  'unevictable',
  'slab_reclaimable',
  'slab_unreclaimable',
  'slab',
  'workingset_refault_anon',
  'workingset_refault_file',
  'workingset_activate_anon',
  'workingset_activate_file',
  'workingset_restore_anon',
  'workingset_restore_file',
  'workingset_nodereclaim',
] as const;

/** memory_stat_format(): byte values for the memory.stat keys of 6.1, hierarchical. */
export function memoryStatValues(memcg: MemCgroup): [string, number][] {
  const sum = emptyMemcgStat();
  for (const m of memcg.subtree()) for (const key of Object.keys(sum) as (keyof MemcgStat)[]) sum[key] += m.stat[key];
  const v = (n: number) => n * PAGE_SIZE;
  const val: Record<string, number> = {
    anon: v(sum.anon),
    file: v(sum.file),
    kernel: v(sum.kernel),
    pagetables: v(sum.pagetables),
    shmem: v(sum.shmem),
    file_mapped: v(sum.file_mapped),
    swapcached: v(sum.swapcached),
    inactive_anon: v(sum.inactive_anon),
    active_anon: v(sum.active_anon),
    inactive_file: v(sum.inactive_file),
    active_file: v(sum.active_file),
    slab_unreclaimable: sum.slab_unreclaimable,
    slab: sum.slab_unreclaimable,
  };
  const out: [string, number][] = STAT_ORDER.map((k) => [k, val[k] ?? 0]);
  out.push(['pgfault', sum.pgfault], ['pgmajfault', sum.pgmajfault]);
  return out;
}

/** mem_cgroup_print_oom_meminfo() (6.1, cgroup v2): the lines of the OOM report. */
export function mem_cgroup_print_oom_meminfo(memcg: MemCgroup): string[] {
  const kb = (pages: number | null) => (pages === null ? PAGE_COUNTER_MAX_KB.toString() : String(pages * 4));
  const lines = [
    `memory: usage ${kb(memcg.memory.usage)}kB, limit ${kb(memcg.memory.max)}kB, failcnt ${memcg.memory.failcnt}`,
    `swap: usage ${kb(memcg.swap.usage)}kB, limit ${kb(memcg.swap.max)}kB, failcnt ${memcg.swap.failcnt}`,
    `Memory cgroup stats for ${memcg.path}:`,
  ];
  for (const [key, value] of memoryStatValues(memcg)) {
    if (key === 'pgfault' || key === 'pgmajfault') continue;
    lines.push(`${key} ${value}`);
  }
  return lines;
}

/** RESOURCE_MAX >> 10: an unlimited res_counter (3.12) prints 18014398509481983kB. */
const RES_COUNTER_MAX_KB = 18014398509481983n;

/** A modeled counter (pages) for a name of memcg1_stat_names[]; huge pages, dirty and writeback are 0 here. */
function memcg1Stat(s: MemcgStat, name: string): number {
  if (name === 'cache') return s.file;
  if (name === 'rss') return s.anon;
  if (name === 'shmem') return s.shmem;
  if (name === 'mapped_file') return s.file_mapped;
  return 0;
}

/**
 * mem_cgroup_print_oom_info() (4.19, 3.12): "Task in … killed as a result of limit of …", the
 * memory / memory+swap / kmem counters (unlimited prints the counter type's maximum), and the
 * memcg1 statistics of each memcg of the subtree.
 */
export function mem_cgroup_print_oom_info(k: KernelState, memcg: MemCgroup, p: Task | null): string[] {
  const unlimited = (k.profile.memcgCounter === 'res_counter' ? RES_COUNTER_MAX_KB : PAGE_COUNTER_MAX_KB).toString();
  const kb = (n: number | null) => (n === null ? unlimited : String(n * 4));
  const K = (pages: number) => pages * 4;
  const lines: string[] = [];
  if (p) lines.push(`Task in ${task_memcg(k, p).path} killed as a result of limit of ${memcg.path}`);
  lines.push(
    `memory: usage ${kb(memcg.memory.usage)}kB, limit ${kb(memcg.memory.max)}kB, failcnt ${memcg.memory.failcnt}`,
  );
  lines.push(`memory+swap: usage ${kb(memcg.memory.usage + memcg.swap.usage)}kB, limit ${kb(null)}kB, failcnt 0`);
  lines.push(`kmem: usage ${kb(memcg.stat.kernel)}kB, limit ${kb(null)}kB, failcnt 0`);
  for (const m of memcg.subtree()) {
    const s = m.stat;
    const stats = k.profile.oomReport.memcg1Stats.map((name) => `${name}:${K(memcg1Stat(s, name))}KB`).join(' ');
    const lru = `inactive_anon:${K(s.inactive_anon)}KB active_anon:${K(s.active_anon)}KB inactive_file:${K(s.inactive_file)}KB active_file:${K(s.active_file)}KB unevictable:0KB`;
    lines.push(`Memory cgroup stats for ${m.path}: ${stats} ${lru}`);
  }
  return lines;
}

/** mem_cgroup_print_oom_context(): the ",oom_memcg=…,task_memcg=…" part of the summary. */
export function mem_cgroup_print_oom_context(k: KernelState, memcg: MemCgroup | null, victim: Task | null): string {
  let s = memcg ? `,oom_memcg=${memcg.path}` : ',global_oom';
  if (victim) s += `,task_memcg=${task_memcg(k, victim).path}`;
  return s;
}

/** page_memcg() (include/linux/memcontrol.h). */
export function page_memcg(k: KernelState, pfn: number): MemCgroup | null {
  const id = k.phys.memcg[pfn]!;
  return id ? k.memcg.get(id) : null;
}

/** uncharge_folio() + uncharge_batch(): a freed page leaves its memcg's counters. */
export function uncharge_folio(k: KernelState, pfn: number): void {
  const m = page_memcg(k, pfn);
  if (m) {
    const kind = k.phys.kind[pfn] as PageKind;
    if (kind === PageKind.Anon) m.stat.anon--;
    else if (kind === PageKind.File) m.stat.file--;
    else if (kind === PageKind.Shmem) {
      m.stat.file--;
      m.stat.shmem--;
    }
    const l = k.phys.lru[pfn] as Lru;
    if (l === Lru.InactiveAnon) m.stat.inactive_anon--;
    else if (l === Lru.ActiveAnon) m.stat.active_anon--;
    else if (l === Lru.InactiveFile) m.stat.inactive_file--;
    else if (l === Lru.ActiveFile) m.stat.active_file--;
    mem_cgroup_uncharge(k, m, 1);
    k.phys.memcg[pfn] = 0;
  }
}

// ==================================================================================================
// Interface files: memory_files[], swap_files[] (cgroup v2) and mem_cgroup_legacy_files[] (v1) of
// mm/memcontrol.c with their handlers.  kernel/cgroup/cgroup.ts looks files up in these arrays and
// opens them.  Handlers validate like the kernel's and return its errno.
//
// Model differences kept on purpose (the /proc and cgroup texts are compared with a real kernel):
// - memory.{min,low,high,max,swap.max} also exist on the root cgroup (reads work, writes get
//   -EINVAL); the kernel marks them CFTYPE_NOT_ON_ROOT.
// - memory.high writes only set the limit; the model reclaims on the next return to user
//   (mem_cgroup_handle_over_high), where the kernel's memory_high_write() also reclaims at once.
// - v1 memory.limit_in_bytes shrinks with the v2 memory_max_write() loop (reclaim, then OOM);
//   the kernel's mem_cgroup_resize_max() returns -EBUSY instead of invoking the OOM killer.
// ==================================================================================================

type MemcgCfType = CfType<MemCgroup, KernelState>;

/** seq_puts_memcg_tunable(): "max" for an unlimited counter, else bytes. */
function seq_puts_memcg_tunable(pages: number | null): string {
  return `${pages === null ? 'max' : String(pages * PAGE_SIZE)}\n`;
}

/** page_counter_memparse() (mm/page_counter.c): "max" → null (unlimited), else bytes → pages. */
export function page_counter_memparse(buf: string): number | null | 'bad' {
  const s = buf.trim();
  if (s === 'max') return null;
  const v = memparse(s);
  return v === null ? 'bad' : Math.floor(v / PAGE_SIZE);
}

/** The common shape of memory_{min,low,high,max}_write() and swap_max_write(). */
function memcg_tunable_write(memcg: MemCgroup, buf: string, set: (pages: number | null) => void): number {
  if (memcg.isRoot) return -EINVAL;
  const v = page_counter_memparse(buf);
  if (v === 'bad') return -EINVAL;
  set(v);
  return buf.length;
}

/** A 0/1 knob written as text (memory.oom.group, use_hierarchy, use_priority_oom). */
function memcg_bool_write(buf: string, set: (on: boolean) => void): number {
  if (!/^[01]\s*$/.test(buf)) return -EINVAL;
  set(buf.trim() === '1');
  return buf.length;
}

function memory_current_read(_k: KernelState, memcg: MemCgroup): number {
  return memcg.memory.usage * PAGE_SIZE;
}

function memory_peak_read(_k: KernelState, memcg: MemCgroup): number {
  return memcg.memory.watermark * PAGE_SIZE;
}

function memory_min_show(_k: KernelState, memcg: MemCgroup): string {
  return seq_puts_memcg_tunable(memcg.memory.min);
}

function memory_min_write(_k: KernelState, memcg: MemCgroup, buf: string): number {
  return memcg_tunable_write(memcg, buf, (v) => (memcg.memory.min = v ?? Number.MAX_SAFE_INTEGER));
}

function memory_low_show(_k: KernelState, memcg: MemCgroup): string {
  return seq_puts_memcg_tunable(memcg.memory.low);
}

function memory_low_write(_k: KernelState, memcg: MemCgroup, buf: string): number {
  return memcg_tunable_write(memcg, buf, (v) => (memcg.memory.low = v ?? Number.MAX_SAFE_INTEGER));
}

function memory_high_show(_k: KernelState, memcg: MemCgroup): string {
  return seq_puts_memcg_tunable(memcg.memory.high);
}

function memory_high_write(_k: KernelState, memcg: MemCgroup, buf: string): number {
  return memcg_tunable_write(memcg, buf, (v) => (memcg.memory.high = v));
}

function memory_max_show(_k: KernelState, memcg: MemCgroup): string {
  return seq_puts_memcg_tunable(memcg.memory.max);
}

/**
 * memory_max_write() (cgroup v2, 6.1): set the limit, then while usage is above it drain the
 * charge stock once, reclaim (MAX_RECLAIM_RETRIES failed rounds), and finally raise MEMCG_OOM
 * and run the OOM killer in the writer's context.  It does not call memcg_oom_recover():
 * sleepers in mem_cgroup_oom_synchronize wake on the next uncharge.
 */
export function memory_max_write(k: KernelState, memcg: MemCgroup, buf: string): number {
  let set = false;
  const r = memcg_tunable_write(memcg, buf, (v) => {
    memcg.memory.max = v;
    set = true;
  });
  if (set) memory_max_reclaim(k, memcg);
  return r;
}

/** The loop at the end of memory_max_write(): push usage under the new memory.max. */
function memory_max_reclaim(k: KernelState, memcg: MemCgroup): void {
  const max = memcg.memory.max;
  let drained = false;
  let nrReclaims = 16; // MAX_RECLAIM_RETRIES
  for (let guard = 0; guard < 10_000 && max !== null && memcg.memory.usage > max; guard++) {
    if (!drained) {
      drain_all_stock(k, memcg);
      drained = true;
      continue;
    }
    if (nrReclaims) {
      if (!k.upcalls.mm.shrink_node(memcg.memory.usage - max, { memcg, gfp: k.profile.gfp.GFP_KERNEL, maySwap: true }))
        nrReclaims--;
      continue;
    }
    memcg_memory_event(k, memcg, 'oom');
    if (!mem_cgroup_out_of_memory(k, memcg, k.profile.gfp.GFP_KERNEL, 0)) break;
    k.upcalls.sched.cond_resched();
  }
}

/** __memory_events_show(): one "event count" line per event the profile's kernel has. */
function __memory_events_show(k: KernelState, events: Record<MemcgEvent, number>): string {
  return MEMCG_EVENTS.filter((e) => k.profile.hasOomGroupKill || e !== 'oom_group_kill')
    .map((e) => `${e} ${events[e]}\n`)
    .join('');
}

function memory_events_show(k: KernelState, memcg: MemCgroup): string {
  return __memory_events_show(k, memcg.events);
}

function memory_events_local_show(k: KernelState, memcg: MemCgroup): string {
  return __memory_events_show(k, memcg.eventsLocal);
}

/** memory_stat_show(): memory_stat_format() as "key bytes" lines. */
export function memory_stat_show(_k: KernelState, memcg: MemCgroup): string {
  return memoryStatValues(memcg)
    .map(([a, b]) => `${a} ${b}\n`)
    .join('');
}

function memory_oom_group_show(_k: KernelState, memcg: MemCgroup): string {
  return `${memcg.oomGroup ? 1 : 0}\n`;
}

function memory_oom_group_write(_k: KernelState, memcg: MemCgroup, buf: string): number {
  return memcg_bool_write(buf, (on) => (memcg.oomGroup = on));
}

function swap_current_read(_k: KernelState, memcg: MemCgroup): number {
  return memcg.swap.usage * PAGE_SIZE;
}

function swap_max_show(_k: KernelState, memcg: MemCgroup): string {
  return seq_puts_memcg_tunable(memcg.swap.max);
}

function swap_max_write(_k: KernelState, memcg: MemCgroup, buf: string): number {
  return memcg_tunable_write(memcg, buf, (v) => (memcg.swap.max = v));
}

function swap_events_show(_k: KernelState, memcg: MemCgroup): string {
  const e = memcg.swapEvents;
  return `high ${e.high}\nmax ${e.max}\nfail ${e.fail}\n`;
}

/**
 * memory.priority / memory.use_priority_oom: the priority OOM of Alibaba's cloud kernel (not
 * upstream): priority 0..12 per memcg, used when the OOM domain enables use_priority_oom.
 */
function mem_cgroup_priority_read(_k: KernelState, memcg: MemCgroup): number {
  return memcg.priority;
}

function mem_cgroup_priority_write(_k: KernelState, memcg: MemCgroup, buf: string): number {
  const v = Number(buf.trim());
  if (!/^\d+\s*$/.test(buf) || v > 12) return -EINVAL;
  memcg.priority = v;
  return buf.length;
}

function mem_cgroup_priority_oom_read(_k: KernelState, memcg: MemCgroup): number {
  return memcg.usePriorityOom ? 1 : 0;
}

function mem_cgroup_priority_oom_write(_k: KernelState, memcg: MemCgroup, buf: string): number {
  return memcg_bool_write(buf, (on) => (memcg.usePriorityOom = on));
}

/** memory_files[] (cgroup v2), with the cloud-kernel priority knobs. */
export const memory_files: readonly MemcgCfType[] = [
  { name: 'current', flags: CFTYPE_NOT_ON_ROOT, read_u64: memory_current_read },
  { name: 'peak', flags: CFTYPE_NOT_ON_ROOT, read_u64: memory_peak_read },
  { name: 'min', seq_show: memory_min_show, write: memory_min_write },
  { name: 'low', seq_show: memory_low_show, write: memory_low_write },
  { name: 'high', seq_show: memory_high_show, write: memory_high_write },
  { name: 'max', seq_show: memory_max_show, write: memory_max_write },
  { name: 'events', flags: CFTYPE_NOT_ON_ROOT, seq_show: memory_events_show },
  {
    name: 'events.local',
    flags: CFTYPE_NOT_ON_ROOT,
    present: (k) => k.profile.hasEventsLocal,
    seq_show: memory_events_local_show,
  },
  { name: 'stat', seq_show: memory_stat_show },
  { name: 'oom.group', flags: CFTYPE_NOT_ON_ROOT, seq_show: memory_oom_group_show, write: memory_oom_group_write },
  { name: 'priority', flags: CFTYPE_NOT_ON_ROOT, read_u64: mem_cgroup_priority_read, write: mem_cgroup_priority_write },
  { name: 'use_priority_oom', read_u64: mem_cgroup_priority_oom_read, write: mem_cgroup_priority_oom_write },
];

/** swap_files[] (cgroup v2 swap accounting). */
export const swap_files: readonly MemcgCfType[] = [
  { name: 'swap.current', flags: CFTYPE_NOT_ON_ROOT, read_u64: swap_current_read },
  { name: 'swap.max', seq_show: swap_max_show, write: swap_max_write },
  { name: 'swap.events', flags: CFTYPE_NOT_ON_ROOT, seq_show: swap_events_show },
];

// ------------------------------------------------------------- cgroup v1 (legacy) memory files

/** enum res_type: which page_counter field a v1 file shows (cft->private, type _MEM). */
const RES_USAGE = 0;
const RES_LIMIT = 1;
const RES_MAX_USAGE = 2;
const RES_FAILCNT = 3;

/** PAGE_COUNTER_MAX * PAGE_SIZE: what v1 prints for an unlimited memory.limit_in_bytes. */
const PAGE_COUNTER_MAX_BYTES = 9223372036854771712n;

/** mem_cgroup_read_u64(): the page_counter field named by cft->private, in bytes. */
function mem_cgroup_read_u64(_k: KernelState, memcg: MemCgroup, cft: MemcgCfType): number | bigint {
  switch (cft.private) {
    case RES_USAGE:
      return memcg.memory.usage * PAGE_SIZE;
    case RES_LIMIT:
      return memcg.memory.max === null ? PAGE_COUNTER_MAX_BYTES : BigInt(memcg.memory.max * PAGE_SIZE);
    case RES_MAX_USAGE:
      return memcg.memory.watermark * PAGE_SIZE;
    default:
      return memcg.memory.failcnt;
  }
}

/**
 * mem_cgroup_write() for RES_LIMIT (memory.limit_in_bytes): "-1" is unlimited.  Note: text
 * memparse() rejects is taken as unlimited too (the model has always done so; the kernel says
 * -EINVAL).
 */
function mem_cgroup_write(k: KernelState, memcg: MemCgroup, buf: string): number {
  if (memcg.isRoot) return -EINVAL;
  const s = buf.trim();
  const v = s === '-1' ? null : memparse(s);
  mem_cgroup_resize_max(k, memcg, v === null ? null : Math.floor(v / PAGE_SIZE));
  return buf.length;
}

/** mem_cgroup_resize_max() (v1 memory.limit_in_bytes): an enlarged limit wakes OOM waiters. */
export function mem_cgroup_resize_max(k: KernelState, memcg: MemCgroup, pages: number | null): void {
  const old = memcg.memory.max;
  memcg.memory.max = pages;
  const enlarge = pages === null || (old !== null && pages > old);
  if (!enlarge) memory_max_reclaim(k, memcg);
  else memcg_oom_recover(k, memcg);
}

function mem_cgroup_hierarchy_read(_k: KernelState, memcg: MemCgroup): number {
  return memcg.useHierarchy ? 1 : 0;
}

function mem_cgroup_hierarchy_write(_k: KernelState, memcg: MemCgroup, buf: string): number {
  return memcg_bool_write(buf, (on) => (memcg.useHierarchy = on));
}

/** mem_cgroup_oom_control_read(): 3.12 has no oom_kill line. */
function mem_cgroup_oom_control_read(k: KernelState, memcg: MemCgroup): string {
  return (
    `oom_kill_disable ${memcg.oomKillDisable ? 1 : 0}\nunder_oom ${memcg.underOom > 0 ? 1 : 0}\n` +
    (k.profile.memcgOomControlOomKill ? `oom_kill ${memcg.events.oom_kill}\n` : '')
  );
}

/** mem_cgroup_oom_control_write(): clearing oom_kill_disable wakes the OOM waiters. */
function mem_cgroup_oom_control_write(k: KernelState, memcg: MemCgroup, buf: string): number {
  if (memcg.isRoot || !/^[01]\s*$/.test(buf)) return -EINVAL;
  memcg.oomKillDisable = buf.trim() === '1';
  if (!memcg.oomKillDisable) memcg_oom_recover(k, memcg);
  return buf.length;
}

/** Model only: how many oom_control eventfd notifications were delivered (a test reads it). */
function mem_cgroup_oom_notifications_read(_k: KernelState, memcg: MemCgroup): number {
  return memcg.oomNotifications;
}

/** mem_cgroup_legacy_files[] (cgroup v1). */
export const mem_cgroup_legacy_files: readonly MemcgCfType[] = [
  { name: 'usage_in_bytes', private: RES_USAGE, read_u64: mem_cgroup_read_u64 },
  { name: 'max_usage_in_bytes', private: RES_MAX_USAGE, read_u64: mem_cgroup_read_u64 },
  { name: 'limit_in_bytes', private: RES_LIMIT, read_u64: mem_cgroup_read_u64, write: mem_cgroup_write },
  { name: 'failcnt', private: RES_FAILCNT, read_u64: mem_cgroup_read_u64 },
  { name: 'use_hierarchy', read_u64: mem_cgroup_hierarchy_read, write: mem_cgroup_hierarchy_write },
  { name: 'oom_control', seq_show: mem_cgroup_oom_control_read, write: mem_cgroup_oom_control_write },
  { name: 'oom_notifications', read_u64: mem_cgroup_oom_notifications_read },
];
