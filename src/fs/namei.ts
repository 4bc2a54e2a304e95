/**
 * The model's files: executables registered by the user (the rootfs), and the virtual files the
 * model serves from its own state: /proc/<pid>/{oom_score,oom_score_adj,oom_adj,status,stat},
 * /proc/meminfo, /proc/vmstat, /proc/sys/..., and the cgroup v2 (+ v1 memory knobs) tree under
 * /sys/fs/cgroup.  Writes validate like the kernel's handlers and return its errno.
 */
import {
  drain_stock,
  mem_cgroup_out_of_memory,
  memcg_memory_event,
  memcg_oom_recover,
  memoryStatValues,
} from '../mm/memcontrol.js';
import { get_mm_counter } from '../mm/memory.js';
import { vm_commit_limit } from '../mm/mmap.js';
import { OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MIN, proc_oom_score } from '../mm/oom_kill.js';
import type { KernelState } from '../include/faultpath/kernel_state.js';
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS } from '../include/linux/mm_types.js';
import { type ModelFile } from '../include/linux/fs.js';
import { type Task } from '../include/linux/sched.js';

import { EACCES, EBUSY, EINVAL, ESRCH } from '../include/uapi/asm-generic/errno.js';
import { MEMCG_EVENTS } from '../include/linux/memcontrol.js';
import { MemCgroup } from '../include/linux/memcontrol.js';
import { PAGE_COUNTER_MAX_KB } from '../include/linux/memcontrol.js';
import { nr_file_pages } from '../mm/filemap.js';
import { nr_swap_pages_used } from '../mm/swapfile.js';
import { printk } from '../kernel/printk/printk.js';
import { total_swap_pages } from '../mm/swapfile.js';

export interface VirtualFile {
  read(): string;
  /** returns bytes consumed or -errno */
  write?(data: string): number;
}

/** memparse(): a number with an optional K/M/G/T suffix. */
export function memparse(s: string): number | null {
  const m = /^\s*(\d+)\s*([kKmMgGtT]?)\s*$/.exec(s);
  if (!m) return null;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase()]!;
  return Number(m[1]) * mult;
}

export class Vfs {
  private readonly k: KernelState;
  private readonly files = new Map<string, ModelFile>();
  private nextFileId = 1;
  /** tasks whose oom_adj deprecation warning was printed (printed once per boot in the kernel) */
  private oomAdjWarned = false;
  /** memory.max writes need to run reclaim/OOM in task context: supplied by the system */
  onLimitLowered: (memcg: MemCgroup) => void = () => {};

  constructor(k: KernelState) {
    this.k = k;
  }

  addFile(path: string, bytes: Uint8Array): ModelFile {
    const existing = this.files.get(path);
    if (existing) return existing;
    const f: ModelFile = { id: this.nextFileId++, path, bytes, shmem: this.k.mm.rootfs === 'tmpfs' };
    this.files.set(path, f);
    return f;
  }

  getFile(path: string): ModelFile | undefined {
    return this.files.get(path);
  }

  listFiles(): string[] {
    return [...this.files.keys()].sort();
  }

  /** Resolves a virtual file; `self` is the calling task for /proc/self. */
  lookup(path: string, self: Task | null): VirtualFile | undefined {
    const k = this.k;
    const norm = path.replace(/\/+/g, '/').replace(/\/$/, '');
    let m = /^\/proc\/(self|\d+)\/(oom_score|oom_score_adj|oom_adj|status|stat|statm|cgroup|comm)$/.exec(norm);
    if (m) {
      const t = m[1] === 'self' ? self : k.sched.tasks.get(Number(m[1]));
      if (!t || t.state === 'X') return undefined;
      return this.procPidFile(t, m[2]!, self);
    }
    if (norm === '/proc/meminfo') return { read: () => this.meminfo() };
    if (norm === '/proc/vmstat')
      return {
        read: () =>
          Object.entries(k.mm.events)
            .map(([a, b]) => `${a} ${b}`)
            .join('\n') + '\n',
      };
    m = /^\/proc\/sys\/(.+)$/.exec(norm);
    if (m && k.sysctl.has(m[1]!)) {
      const name = m[1]!;
      return {
        read: () => `${k.sysctl.get(name)}\n`,
        write: (d) => {
          const v = Number(d.trim());
          if (!/^-?\d+$/.test(d.trim())) return -EINVAL;
          const r = k.sysctl.set(name, v);
          return r < 0 ? r : d.length;
        },
      };
    }
    if (norm === '/proc/sysrq-trigger')
      return { read: () => '', write: (d) => (d.trim() === 'f' ? (this.sysrq(), d.length) : d.length) };
    m = /^\/sys\/fs\/cgroup((?:\/[^/]+)*)\/([^/]+)$/.exec(norm);
    if (m) {
      const memcg = k.memcg.lookup(m[1] || '/');
      if (!memcg) return undefined;
      return this.cgroupFile(memcg, m[2]!);
    }
    return undefined;
  }

  sysrqHandler: () => void = () => {};

  private sysrq(): void {
    printk(this.k, 6, 'sysrq: Manual OOM execution');
    this.sysrqHandler();
  }

  private procPidFile(t: Task, name: string, self: Task | null): VirtualFile {
    const k = this.k;
    const privileged = !self || self.uid === 0;
    switch (name) {
      case 'oom_score':
        return { read: () => `${proc_oom_score(k, t)}\n` };
      case 'oom_score_adj':
        return {
          read: () => `${t.oomScoreAdj}\n`,
          write: (d) => {
            const s = d.trim();
            if (!/^-?\d+$/.test(s)) return -EINVAL;
            const v = Number(s);
            if (v < OOM_SCORE_ADJ_MIN || v > OOM_SCORE_ADJ_MAX) return -EINVAL;
            const r = this.setOomScoreAdj(t, v, false, privileged);
            return r < 0 ? r : d.length;
          },
        };
      case 'oom_adj':
        return {
          read: () => {
            const adj = t.oomScoreAdj === OOM_SCORE_ADJ_MAX ? 15 : Math.trunc((t.oomScoreAdj * 17) / 1000);
            return `${Math.min(adj, 15)}\n`;
          },
          write: (d) => {
            const s = d.trim();
            if (!/^-?\d+$/.test(s)) return -EINVAL;
            const v = Number(s);
            if ((v < -16 || v > 15) && v !== -17) return -EINVAL;
            const adj = v === 15 ? OOM_SCORE_ADJ_MAX : Math.trunc((v * 1000) / 17);
            if (!this.oomAdjWarned) {
              this.oomAdjWarned = true;
              const cur = self ?? t;
              printk(
                k,
                4,
                `${cur.comm} (${cur.pid}): /proc/${t.pid}/oom_adj is deprecated, please use /proc/${t.pid}/oom_score_adj instead.`,
              );
            }
            const r = this.setOomScoreAdj(t, adj, true, privileged);
            return r < 0 ? r : d.length;
          },
        };
      case 'comm':
        return { read: () => `${t.comm}\n` };
      case 'cgroup':
        return { read: () => `0::${k.memcg.get(t.memcgId).path}\n` };
      case 'statm': {
        return {
          read: () => {
            const mm = t.mm;
            if (!mm) return '0 0 0 0 0 0 0\n';
            const shared = get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_SHMEMPAGES);
            const rss = shared + get_mm_counter(mm, MM_ANONPAGES);
            return `${mm.totalVm} ${rss} ${shared} ${mm.execVm} 0 ${mm.dataVm + mm.stackVm} 0\n`;
          },
        };
      }
      case 'stat':
        return {
          read: () =>
            `${t.pid} (${t.comm}) ${t.state} ${t.parent?.pid ?? 0} ${t.tgid} 0 0 -1 0 ${t.minFlt} 0 ${t.majFlt} 0\n`,
        };
      default:
        return { read: () => this.status(t) };
    }
  }

  /** __set_oom_adj(): range already checked; privilege rule and the tracepoint. */
  setOomScoreAdj(t: Task, v: number, legacy: boolean, privileged: boolean): number {
    if (v < t.oomScoreAdjMin && !privileged) return -EACCES;
    t.oomScoreAdj = v;
    if (!legacy && privileged) t.oomScoreAdjMin = v;
    // other threads of the group share signal->oom_score_adj
    for (const o of this.k.sched.tasks.values()) if (o.tgid === t.tgid) o.oomScoreAdj = v;
    this.k.tracer.emit('tracepoint', {
      system: 'oom',
      name: 'oom_score_adj_update',
      fields: { pid: t.pid, comm: t.comm, oom_score_adj: v },
      text: `pid=${t.pid} comm=${t.comm} oom_score_adj=${v}`,
    });
    return 0;
  }

  /** /proc/<pid>/status memory lines (task_mem()). */
  status(t: Task): string {
    const k = this.k;
    const mm = t.mm;
    const lines = [
      `Name:\t${t.comm}`,
      `State:\t${{ R: 'R (running)', S: 'S (sleeping)', D: 'D (disk sleep)', Z: 'Z (zombie)', X: 'X (dead)' }[t.state]}`,
      `Tgid:\t${t.tgid}`,
      `Pid:\t${t.pid}`,
      `PPid:\t${t.parent?.pid ?? 0}`,
    ];
    if (mm) {
      const kb = (n: number) => `${String(n * 4).padStart(8, ' ')} kB`;
      const anon = get_mm_counter(mm, MM_ANONPAGES);
      const file = get_mm_counter(mm, MM_FILEPAGES);
      const shmem = get_mm_counter(mm, MM_SHMEMPAGES);
      lines.push(
        `VmPeak:\t${kb(mm.totalVm)}`,
        `VmSize:\t${kb(mm.totalVm)}`,
        `VmLck:\t${kb(mm.lockedVm)}`,
        `VmPin:\t${kb(0)}`,
        `VmHWM:\t${kb(anon + file + shmem)}`,
        `VmRSS:\t${kb(anon + file + shmem)}`,
        `RssAnon:\t${kb(anon)}`,
        `RssFile:\t${kb(file)}`,
        `RssShmem:\t${kb(shmem)}`,
        `VmData:\t${kb(mm.dataVm)}`,
        `VmStk:\t${kb(mm.stackVm)}`,
        `VmExe:\t${kb(mm.execVm)}`,
        `VmLib:\t${kb(0)}`,
        `VmPTE:\t${String(mm.pgtable.pgtablesBytes >> 10).padStart(8, ' ')} kB`,
        `VmSwap:\t${kb(get_mm_counter(mm, MM_SWAPENTS))}`,
      );
    }
    return lines.join('\n') + '\n';
  }

  meminfo(): string {
    const k = this.k;
    const p = k.phys;
    const kb = (n: number) => `${String(n * 4).padStart(8, ' ')} kB`;
    const rows: [string, number][] = [
      ['MemTotal', p.managedPages],
      ['MemFree', p.nrFree],
      ['MemAvailable', Math.max(0, p.nrFree - p.wmark.low + p.lists[3].size + p.lists[4].size)],
      ['Buffers', 0],
      ['Cached', nr_file_pages(k)],
      ['SwapCached', 0],
      ['Active', p.lists[2].size + p.lists[4].size],
      ['Inactive', p.lists[1].size + p.lists[3].size],
      ['Active(anon)', p.lists[2].size],
      ['Inactive(anon)', p.lists[1].size],
      ['Active(file)', p.lists[4].size],
      ['Inactive(file)', p.lists[3].size],
      ['Unevictable', 0],
      ['Mlocked', 0],
      ['SwapTotal', total_swap_pages(k)],
      ['SwapFree', total_swap_pages(k) - nr_swap_pages_used(k)],
      ['Dirty', 0],
      ['Writeback', 0],
      ['AnonPages', p.counts.anon],
      ['Mapped', p.counts.file + p.counts.shmem],
      ['Shmem', p.counts.shmem],
      ['KReclaimable', 0],
      ['Slab', 0],
      ['SReclaimable', 0],
      ['SUnreclaim', 0],
      ['KernelStack', 0],
      ['PageTables', p.counts.pagetable],
      ['CommitLimit', vm_commit_limit(k)],
      ['Committed_AS', k.mm.committedAs],
    ];
    return rows.map(([n, v]) => `${(n + ':').padEnd(16, ' ')}${kb(v)}`).join('\n') + '\n';
  }

  private cgroupFile(memcg: MemCgroup, name: string): VirtualFile | undefined {
    const k = this.k;
    const pagesOrMax = (p: number | null) => (p === null ? 'max' : String(p * 4096));
    const parseLimit = (d: string): number | null | 'bad' => {
      const s = d.trim();
      if (s === 'max') return null;
      const v = memparse(s);
      return v === null ? 'bad' : Math.floor(v / 4096);
    };
    const limitFile = (get: () => number | null, set: (v: number | null) => void, onSet?: () => void): VirtualFile => ({
      read: () => `${pagesOrMax(get())}\n`,
      write: (d) => {
        if (memcg.isRoot) return -EINVAL;
        const v = parseLimit(d);
        if (v === 'bad') return -EINVAL;
        set(v);
        onSet?.();
        return d.length;
      },
    });
    const events = (local: boolean): VirtualFile => ({
      read: () => {
        const src = local ? memcg.eventsLocal : memcg.events;
        return MEMCG_EVENTS.filter((e) => k.profile.hasOomGroupKill || e !== 'oom_group_kill')
          .map((e) => `${e} ${src[e]}\n`)
          .join('');
      },
    });
    switch (name) {
      case 'cgroup.procs':
        return {
          read: () =>
            [...memcg.procs]
              .sort((a, b) => a - b)
              .map((p) => `${p}\n`)
              .join(''),
          write: (d) => {
            const pid = Number(d.trim());
            const t = k.sched.tasks.get(pid);
            if (!t || t.state === 'Z' || t.state === 'X') return -ESRCH;
            // cgroup v2 "no internal processes": only a cgroup that enables controllers for its
            // children refuses processes (cgroup_migrate_vet_dst)
            if (memcg.subtreeControl.size && memcg.children.some((c) => !c.removed) && !memcg.isRoot) return -EBUSY;
            this.moveTask(t, memcg);
            return d.length;
          },
        };
      case 'cgroup.subtree_control':
        return {
          read: () => [...memcg.subtreeControl].join(' ') + '\n',
          write: (d) => {
            for (const w of d.trim().split(/\s+/)) {
              if (w === '+memory') memcg.subtreeControl.add('memory');
              else if (w === '-memory') memcg.subtreeControl.delete('memory');
              else if (w) return -EINVAL;
            }
            return d.length;
          },
        };
      case 'cgroup.controllers':
        // the controllers the parent enables for this cgroup (the root has them all)
        return { read: () => (memcg.isRoot || memcg.parent!.subtreeControl.has('memory') ? 'memory\n' : '\n') };
      case 'memory.swap.events':
        return memcg.isRoot
          ? undefined
          : {
              read: () => `high ${memcg.swapEvents.high}\nmax ${memcg.swapEvents.max}\nfail ${memcg.swapEvents.fail}\n`,
            };
      case 'memory.current':
        return memcg.isRoot ? undefined : { read: () => `${memcg.memory.usage * 4096}\n` };
      case 'memory.peak':
        return memcg.isRoot ? undefined : { read: () => `${memcg.memory.watermark * 4096}\n` };
      case 'memory.max':
        return limitFile(
          () => memcg.memory.max,
          (v) => (memcg.memory.max = v),
          () => this.limitLowered(memcg),
        );
      case 'memory.high':
        return limitFile(
          () => memcg.memory.high,
          (v) => (memcg.memory.high = v),
        );
      case 'memory.low':
        return limitFile(
          () => memcg.memory.low,
          (v) => (memcg.memory.low = v ?? Number.MAX_SAFE_INTEGER),
        );
      case 'memory.min':
        return limitFile(
          () => memcg.memory.min,
          (v) => (memcg.memory.min = v ?? Number.MAX_SAFE_INTEGER),
        );
      case 'memory.swap.max':
        return limitFile(
          () => memcg.swap.max,
          (v) => (memcg.swap.max = v),
        );
      case 'memory.swap.current':
        return memcg.isRoot ? undefined : { read: () => `${memcg.swap.usage * 4096}\n` };
      case 'memory.events':
        return memcg.isRoot ? undefined : events(false);
      case 'memory.events.local':
        return memcg.isRoot || !k.profile.hasEventsLocal ? undefined : events(true);
      case 'memory.stat':
        return {
          read: () =>
            memoryStatValues(memcg)
              .map(([a, b]) => `${a} ${b}\n`)
              .join(''),
        };
      case 'memory.oom.group':
        return memcg.isRoot
          ? undefined
          : {
              read: () => `${memcg.oomGroup ? 1 : 0}\n`,
              write: (d) => (/^[01]\s*$/.test(d) ? ((memcg.oomGroup = d.trim() === '1'), d.length) : -EINVAL),
            };
      // cgroup v1 memory controller knobs (legacy files)
      case 'memory.limit_in_bytes':
        return {
          read: () => `${memcg.memory.max === null ? 9223372036854771712n : BigInt(memcg.memory.max * 4096)}\n`,
          write: (d) => {
            if (memcg.isRoot) return -EINVAL;
            const s = d.trim();
            const v = s === '-1' ? null : memparse(s);
            if (v === undefined || (v !== null && Number.isNaN(v))) return -EINVAL;
            this.resizeMax(memcg, v === null ? null : Math.floor(v / 4096));
            return d.length;
          },
        };
      case 'memory.usage_in_bytes':
        return { read: () => `${memcg.memory.usage * 4096}\n` };
      case 'memory.max_usage_in_bytes':
        return { read: () => `${memcg.memory.watermark * 4096}\n` };
      case 'memory.failcnt':
        return { read: () => `${memcg.memory.failcnt}\n` };
      case 'memory.use_hierarchy':
        return {
          read: () => `${memcg.useHierarchy ? 1 : 0}\n`,
          write: (d) => (/^[01]\s*$/.test(d) ? ((memcg.useHierarchy = d.trim() === '1'), d.length) : -EINVAL),
        };
      case 'memory.oom_control':
        return {
          read: () =>
            `oom_kill_disable ${memcg.oomKillDisable ? 1 : 0}\nunder_oom ${memcg.underOom > 0 ? 1 : 0}\n` +
            (k.profile.version !== '3.12' ? `oom_kill ${memcg.events.oom_kill}\n` : ''),
          write: (d) => {
            if (memcg.isRoot || !/^[01]\s*$/.test(d)) return -EINVAL;
            memcg.oomKillDisable = d.trim() === '1';
            if (!memcg.oomKillDisable) memcg_oom_recover(k, memcg);
            return d.length;
          },
        };
      case 'memory.oom_notifications':
        return { read: () => `${memcg.oomNotifications}\n` };
      // Alibaba cloud-kernel priority OOM (not upstream)
      case 'memory.priority':
        return memcg.isRoot
          ? undefined
          : {
              read: () => `${memcg.priority}\n`,
              write: (d) => {
                const v = Number(d.trim());
                if (!/^\d+\s*$/.test(d) || v > 12) return -EINVAL;
                memcg.priority = v;
                return d.length;
              },
            };
      case 'memory.use_priority_oom':
        return {
          read: () => `${memcg.usePriorityOom ? 1 : 0}\n`,
          write: (d) => (/^[01]\s*$/.test(d) ? ((memcg.usePriorityOom = d.trim() === '1'), d.length) : -EINVAL),
        };
      default:
        return undefined;
    }
  }

  /** Moves a whole thread group to memcg (cgroup.procs write; charges stay, v2 semantics). */
  moveTask(t: Task, memcg: MemCgroup): void {
    for (const o of this.k.sched.tasks.values()) {
      if (o.tgid !== t.tgid) continue;
      this.k.memcg.get(o.memcgId).procs.delete(o.pid);
      o.memcgId = memcg.id;
      if (o.state !== 'Z' && o.state !== 'X') memcg.procs.add(o.pid);
    }
  }

  /**
   * memory_max_write() (cgroup v2, 6.1): set the limit, then while usage is above it drain the
   * charge stock once, reclaim (MAX_RECLAIM_RETRIES failed rounds), and finally raise MEMCG_OOM
   * and run the OOM killer in the writer's context.  It does not call memcg_oom_recover():
   * sleepers in mem_cgroup_oom_synchronize wake on the next uncharge.
   */
  private limitLowered(memcg: MemCgroup): void {
    const k = this.k;
    const max = memcg.memory.max;
    let drained = false;
    let nrReclaims = 16;
    for (let guard = 0; guard < 10_000 && max !== null && memcg.memory.usage > max; guard++) {
      if (!drained) {
        if (k.memcg.stock.memcg?.isDescendantOf(memcg)) drain_stock(k);
        drained = true;
        continue;
      }
      if (nrReclaims) {
        if (!k.upcalls.mm.shrink(memcg.memory.usage - max, { memcg, gfp: k.profile.gfp.GFP_KERNEL, maySwap: true }))
          nrReclaims--;
        continue;
      }
      memcg_memory_event(k, memcg, 'oom');
      if (!mem_cgroup_out_of_memory(k, memcg, k.profile.gfp.GFP_KERNEL, 0)) break;
      k.upcalls.sched.cond_resched();
    }
    this.onLimitLowered(memcg);
  }

  /** mem_cgroup_resize_max() (v1 memory.limit_in_bytes): an enlarged limit wakes OOM waiters. */
  private resizeMax(memcg: MemCgroup, pages: number | null): void {
    const old = memcg.memory.max;
    memcg.memory.max = pages;
    const enlarge = pages === null || (old !== null && pages > old);
    if (!enlarge) this.limitLowered(memcg);
    else memcg_oom_recover(this.k, memcg);
  }
}

export { PAGE_COUNTER_MAX_KB };
