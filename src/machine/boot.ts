/**
 * Builds the kernel state of a machine (the composition root's part of start_kernel()): physical
 * memory with the boot-time reservations, the log buffer, the sysctl table, the CRNG, the memcg
 * root, and the upcalls through which the generic kernel reaches the run loop and the arch.
 */
import { arm64Pgtable } from '../../arch/arm64/include/asm/pgtable.js';
import { x86Pgtable } from '../../arch/x86/include/asm/pgtable.js';
import { Crng } from '../drivers/char/random.js';
import { PageTable } from '../hw/mmu.js';
import { KernelState, type KernelUpcalls } from '../include/faultpath/kernel_state.js';
import type { GuestArch, KernelProfile } from '../include/faultpath/profile.js';
import { MemcgTree } from '../include/linux/memcontrol.js';
import { PAGE_SIZE, PageKind, PhysMem } from '../include/linux/mmzone.js';
import { Printk } from '../kernel/printk/printk.js';
import { Sysctl } from '../kernel/sysctl.js';
import type { Tracer } from '../trace/tracer.js';

export interface BootOptions {
  arch: GuestArch;
  profile: KernelProfile;
  memBytes: number;
  swapBytes: number;
  tracer: Tracer;
  /** kernel-owned pages at boot (image, memmap, slab); default ~6% of RAM */
  reservedPages?: number;
  /** kernel pages in use at idle after boot (slab, stacks, percpu, initramfs cache) */
  idleKernelPages?: number;
  /** the rootfs: 'tmpfs' makes file pages shmem like the oracle's initramfs */
  rootfs: 'tmpfs' | 'disk';
  /** seeds the CRNG (AT_RANDOM, getrandom) */
  seed: number;
}

export function bootKernelState(o: BootOptions, upcalls: (k: KernelState) => KernelUpcalls): KernelState {
  const pages = Math.floor(o.memBytes / PAGE_SIZE);
  const reserved = o.reservedPages ?? Math.max(256, Math.floor(pages * 0.06));
  const phys = new PhysMem(o.memBytes, reserved, o.profile.minFreeKbytesMax);
  for (let i = 0; i < (o.idleKernelPages ?? 0); i++) phys.takeFrame(PageKind.Kernel);
  const sched = { tasks: new Map(), current: null, clock: 0 };
  const pgtableFormat = o.arch === 'aarch64' ? arm64Pgtable : x86Pgtable;
  const k: KernelState = new KernelState({
    arch: o.arch,
    profile: o.profile,
    tracer: o.tracer,
    printk: new Printk(() => sched.clock),
    sysctl: new Sysctl(o.profile, o.arch, phys),
    random: new Crng(o.seed),
    phys,
    memcg: new MemcgTree(),
    mm: {
      mms: new Map(),
      nextMmId: 1,
      pgtableFormat,
      newPageTable: (pgd) => new PageTable(pgtableFormat, pgd),
      rootfs: o.rootfs,
      pageCache: { files: new Map(), seen: new Set(), nextAnonShmem: 0 },
      swap: { pages: Math.floor(o.swapBytes / PAGE_SIZE), slots: new Map(), freeSlots: [], nextSlot: 0 },
      events: { pgfault: 0, pgmajfault: 0, oom_kill: 0, pswpin: 0, pswpout: 0, pgscan: 0, pgsteal: 0 },
      committedAs: 0,
    },
    sched,
    upcalls,
  });
  o.tracer.setContext({
    now: () => sched.clock,
    advance: (ns) => (sched.clock += ns),
    pid: () => k.sched.current?.pid ?? 0,
    comm: () => k.sched.current?.comm ?? 'swapper/0',
  });
  return k;
}
