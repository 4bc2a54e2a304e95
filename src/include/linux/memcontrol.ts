/**
 * struct mem_cgroup, struct page_counter and the cgroup tree (include/linux/memcontrol.h,
 * include/linux/page_counter.h): data only; the behaviour is in src/mm/memcontrol.ts.
 */
import { PAGE_SIZE } from './mmzone.js';
export const PAGE_COUNTER_MAX = Math.floor(Number.MAX_SAFE_INTEGER / PAGE_SIZE); // LONG_MAX/PAGE_SIZE, see below
/** LONG_MAX / PAGE_SIZE pages: an unlimited counter prints 9007199254740988kB (docs/kernel-reference.md §6.8). */
export const PAGE_COUNTER_MAX_KB = 9007199254740988n;

export type MemcgEvent = 'low' | 'high' | 'max' | 'oom' | 'oom_kill' | 'oom_group_kill';
export const MEMCG_EVENTS: MemcgEvent[] = ['low', 'high', 'max', 'oom', 'oom_kill', 'oom_group_kill'];

export interface PageCounter {
  usage: number;
  /** null = max (unlimited) */
  max: number | null;
  failcnt: number;
  watermark: number;
  low: number;
  min: number;
  high: number | null;
}

function newCounter(): PageCounter {
  return { usage: 0, max: null, failcnt: 0, watermark: 0, low: 0, min: 0, high: null };
}

/** memcg statistics in pages (memory.stat prints bytes) */
export interface MemcgStat {
  anon: number;
  file: number;
  kernel: number;
  pagetables: number;
  shmem: number;
  file_mapped: number;
  inactive_anon: number;
  active_anon: number;
  inactive_file: number;
  active_file: number;
  pgfault: number;
  pgmajfault: number;
  swapcached: number;
  /** bytes of accounted slab objects */
  slab_unreclaimable: number;
}

export class MemCgroup {
  readonly id: number;
  readonly name: string;
  readonly parent: MemCgroup | null;
  readonly children: MemCgroup[] = [];
  readonly memory = newCounter();
  readonly swap = newCounter();
  readonly events: Record<MemcgEvent, number> = { low: 0, high: 0, max: 0, oom: 0, oom_kill: 0, oom_group_kill: 0 };
  readonly eventsLocal: Record<MemcgEvent, number> = {
    low: 0,
    high: 0,
    max: 0,
    oom: 0,
    oom_kill: 0,
    oom_group_kill: 0,
  };
  /** memory.swap.events */
  readonly swapEvents = { high: 0, max: 0, fail: 0 };
  readonly stat: MemcgStat = emptyMemcgStat();
  oomGroup = false;
  oomKillDisable = false;
  underOom = 0;
  oomLock = false;
  useHierarchy = true;
  /** Alibaba cloud-kernel priority OOM (not upstream): memory.priority 0..12, use_priority_oom */
  priority = 0;
  usePriorityOom = false;
  numOomSkip = 0;
  /** v1 oom_control notifications delivered (an eventfd counter a test can read) */
  oomNotifications = 0;
  subtreeControl = new Set<string>();
  readonly procs = new Set<number>();
  removed = false;

  constructor(id: number, name: string, parent: MemCgroup | null) {
    this.id = id;
    this.name = name;
    this.parent = parent;
  }

  get isRoot(): boolean {
    return this.parent === null;
  }

  /** cgroup path as the kernel prints it ("/" for the root). */
  get path(): string {
    if (!this.parent) return '/';
    const p = this.parent.path;
    return p === '/' ? `/${this.name}` : `${p}/${this.name}`;
  }

  isDescendantOf(other: MemCgroup): boolean {
    for (let c: MemCgroup | null = this; c; c = c.parent) if (c === other) return true;
    return false;
  }

  /** pre-order walk of the subtree (css_for_each_descendant_pre) */
  *subtree(): Generator<MemCgroup> {
    yield this;
    for (const c of this.children) yield* c.subtree();
  }
}

/** The per-CPU charge stock (memcg_stock_pcp) of our single CPU. */
interface Stock {
  memcg: MemCgroup | null;
  nrPages: number;
}

export class MemcgTree {
  readonly root: MemCgroup;
  private readonly byId = new Map<number, MemCgroup>();
  private nextId = 1;
  readonly stock: Stock = { memcg: null, nrPages: 0 };

  constructor() {
    this.root = new MemCgroup(this.nextId++, '', null);
    this.byId.set(this.root.id, this.root);
  }

  get(id: number): MemCgroup {
    const m = this.byId.get(id);
    if (!m) throw new Error(`no memcg with id ${id}`);
    return m;
  }

  lookup(path: string): MemCgroup | undefined {
    const parts = path.split('/').filter(Boolean);
    let m: MemCgroup | undefined = this.root;
    for (const p of parts) {
      m = m?.children.find((c) => c.name === p && !c.removed);
      if (!m) return undefined;
    }
    return m;
  }

  /**
   * mem_cgroup_css_alloc(): a new memcg under parent with the next id (mem_cgroup_alloc's
   * idr_alloc); linking it into the hierarchy is cgroup_mkdir()'s part (kernel/cgroup/cgroup.ts).
   */
  css_alloc(name: string, parent: MemCgroup): MemCgroup {
    const c = new MemCgroup(this.nextId++, name, parent);
    c.useHierarchy = true;
    this.byId.set(c.id, c);
    return c;
  }

  all(): MemCgroup[] {
    return [...this.root.subtree()];
  }
}

/** A memcg_vmstats record with every counter at zero. */
export function emptyMemcgStat(): MemcgStat {
  return {
    anon: 0,
    file: 0,
    kernel: 0,
    pagetables: 0,
    shmem: 0,
    file_mapped: 0,
    inactive_anon: 0,
    active_anon: 0,
    inactive_file: 0,
    active_file: 0,
    pgfault: 0,
    pgmajfault: 0,
    swapcached: 0,
    slab_unreclaimable: 0,
  };
}
