/**
 * KernelState-version profiles.  Every behaviour or format that differs between the modeled kernel
 * versions is a field here, so the model code reads `profile.x` instead of testing versions.
 * Sources: docs/kernel-reference.md (sections cited per field) and the kernel trees it names.
 */
import { gfpBits, type GfpBits } from '../linux/gfp.js';
import type { KernelVersion } from './version.js';

export type { KernelVersion } from './version.js';
export type GuestArch = 'aarch64' | 'x86_64';

export interface KernelProfile {
  version: KernelVersion;
  /** `uname -r` / the dump_stack "CPU:" line release and version-up-to-space, per arch */
  release: Record<GuestArch, string>;
  buildVersion: string;
  hardwareName: Record<GuestArch, string>;
  /** §4.1 FAULT_FLAG_* bit values and the arch default */
  faultFlags: {
    WRITE: number;
    ALLOW_RETRY: number;
    KILLABLE: number;
    TRIED: number;
    USER: number;
    INSTRUCTION: number;
    INTERRUPTIBLE: number;
    DEFAULT: number;
  };
  /** §6.1: memcg charge batch and reclaim retries before OOM */
  memcgChargeBatch: number;
  memcgReclaimRetries: number;
  /** §6.2: where a memcg OOM in a user fault is handled */
  memcgOom: 'deferred' | 'in-charge';
  /** §7.2: pagefault_out_of_memory falls back to a global out_of_memory(gfp 0) */
  pagefaultOomGlobal: boolean;
  /** §6.5: memory.events propagate to ancestors (6.1) or stay local (4.19) */
  memcgEventsHierarchical: boolean;
  hasOomGroupKill: boolean;
  hasEventsLocal: boolean;
  /** §7.5 oom_badness differences */
  badness: { clampToOne: boolean; rootBonus: boolean; pgtablesFromBytes: boolean; tieKeepsEarlierLeader: boolean };
  /** §7.7: child-sacrifice heuristic and "Kill process … or sacrifice child" line */
  sacrificeChild: boolean;
  /** §7.9 OOM reaper delay in simulated ns (6.1: 2*HZ), or null when the version has no reaper */
  oomReaperDelayNs: number | null;
  /** fault_around_bytes (mm/memory.c): the read-fault window filemap_map_pages() fills; 4096 = no fault-around (before 3.15) */
  faultAroundBytes: number;
  /** §1.10 default of debug.exception-trace on arm64 (x86 is always 1) */
  arm64ExceptionTraceDefault: number;
  /** §4.8: SPLIT_RSS_COUNTING threshold (TASK_RSS_EVENTS_THRESH) */
  rssEventsThresh: number;
  /** §4.3: 4.19 arm64 page tables are not memcg-accounted */
  pgtableAccounted: Record<GuestArch, boolean>;
  /** pages of a pgd: x86 with CONFIG_PAGE_TABLE_ISOLATION allocates order 1 */
  pgdPages: Record<GuestArch, number>;
  /**
   * The user-page allocation of the anonymous fault: 6.1 goes alloc_zeroed_user_highpage_movable ->
   * vma_alloc_folio -> __folio_alloc (adding __GFP_COMP); 4.19 and 3.12 call alloc_pages_vma.
   * `gfpZero`: whether the zeroed allocation asks for __GFP_ZERO (6.1 everywhere; before, only x86
   * defines __HAVE_ARCH_ALLOC_ZEROED_USER_HIGHPAGE with __GFP_ZERO, arm64 clears the page itself).
   */
  userPageAlloc: { chain: 'folio' | 'alloc_pages_vma'; gfpZero: Record<GuestArch, boolean> };
  /** SLAB_ACCOUNT objects are charged to the memcg (3.12: only once a kmem limit is set) */
  kmemAccounting: boolean;
  /** §4.2 (3.12): __handle_mm_fault allocates the pte table before handle_pte_fault */
  pteAllocInHandleMmFault: boolean;
  /** §9: vm_enough_memory heuristic mode 0 */
  overcommitGuessIsTotal: boolean;
  /** §5.4: min_free_kbytes upper clamp */
  minFreeKbytesMax: number;
  /** arm64 do_page_fault: exec of user memory also requires VM_EXEC on read faults (6.1 w/o EPAN) */
  arm64ReadNeedsExecToo: boolean;
  /** 6.1 el0t_64_sync_handler vs 4.19 el0_sync naming */
  arm64Entry: { vector: string; handler: string | null };
  /** x86 #PF entry path names, outermost first (the user-address handler is x86UserFault) */
  x86Entry: string[];
  x86UserFault: string;
  /** the memcg charge call chain (outermost first) the OOM report's stack shows */
  memcgChargeChain: string[];
  /** GFP bit values of the version (kernel-reference §10), from the one GFP table src/include/linux/gfp.ts */
  gfp: GfpBits;
}

export const PROFILES: Record<KernelVersion, KernelProfile> = {
  '6.1': {
    version: '6.1',
    release: { aarch64: '6.1.0-56-arm64 #1  Debian 6.1.192-2', x86_64: '6.1.0-56-amd64 #1  Debian 6.1.192-2' },
    buildVersion: '#1 SMP Debian 6.1.192-2 (2026-11-16)',
    hardwareName: {
      aarch64: 'linux,dummy-virt (DT)',
      x86_64: 'QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014',
    },
    faultFlags: {
      WRITE: 0x1,
      ALLOW_RETRY: 0x4,
      KILLABLE: 0x10,
      TRIED: 0x20,
      USER: 0x40,
      INSTRUCTION: 0x100,
      INTERRUPTIBLE: 0x200,
      DEFAULT: 0x214,
    },
    memcgChargeBatch: 64,
    memcgReclaimRetries: 16,
    memcgOom: 'in-charge',
    pagefaultOomGlobal: false,
    memcgEventsHierarchical: true,
    hasOomGroupKill: true,
    hasEventsLocal: true,
    badness: { clampToOne: false, rootBonus: false, pgtablesFromBytes: true, tieKeepsEarlierLeader: false },
    sacrificeChild: false,
    oomReaperDelayNs: 2_000_000_000,
    faultAroundBytes: 65536,
    arm64ExceptionTraceDefault: 0,
    rssEventsThresh: 64,
    pgtableAccounted: { aarch64: true, x86_64: true },
    pgdPages: { aarch64: 1, x86_64: 2 },
    userPageAlloc: { chain: 'folio', gfpZero: { aarch64: true, x86_64: true } },
    kmemAccounting: true,
    pteAllocInHandleMmFault: false,
    overcommitGuessIsTotal: true,
    minFreeKbytesMax: 262144,
    arm64ReadNeedsExecToo: true,
    arm64Entry: { vector: 'el0t_64_sync', handler: 'el0t_64_sync_handler' },
    x86Entry: ['asm_exc_page_fault', 'exc_page_fault', 'handle_page_fault'],
    x86UserFault: 'do_user_addr_fault',
    memcgChargeChain: ['__mem_cgroup_charge', 'charge_memcg', 'try_charge_memcg'],
    gfp: gfpBits('6.1'),
  },
  '4.19': {
    version: '4.19',
    release: { aarch64: '4.19.0-27-arm64 #1 Debian 4.19.316-1', x86_64: '4.19.0-27-amd64 #1 Debian 4.19.316-1' },
    buildVersion: '#1 SMP Debian 4.19.316-1 (2024-06-25)',
    hardwareName: {
      aarch64: 'linux,dummy-virt (DT)',
      x86_64: 'QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014',
    },
    faultFlags: {
      WRITE: 0x1,
      ALLOW_RETRY: 0x4,
      KILLABLE: 0x10,
      TRIED: 0x20,
      USER: 0x40,
      INSTRUCTION: 0x100,
      INTERRUPTIBLE: 0,
      DEFAULT: 0x14,
    },
    memcgChargeBatch: 32,
    memcgReclaimRetries: 5,
    memcgOom: 'in-charge',
    pagefaultOomGlobal: true,
    memcgEventsHierarchical: false,
    hasOomGroupKill: false,
    hasEventsLocal: false,
    badness: { clampToOne: true, rootBonus: false, pgtablesFromBytes: true, tieKeepsEarlierLeader: true },
    sacrificeChild: true,
    oomReaperDelayNs: 0,
    faultAroundBytes: 65536,
    arm64ExceptionTraceDefault: 0,
    rssEventsThresh: 64,
    pgtableAccounted: { aarch64: false, x86_64: true },
    pgdPages: { aarch64: 1, x86_64: 2 },
    userPageAlloc: { chain: 'alloc_pages_vma', gfpZero: { aarch64: false, x86_64: true } },
    kmemAccounting: true,
    pteAllocInHandleMmFault: false,
    overcommitGuessIsTotal: false,
    minFreeKbytesMax: 65536,
    arm64ReadNeedsExecToo: false,
    arm64Entry: { vector: 'el0_sync', handler: null },
    x86Entry: ['page_fault', 'do_page_fault'],
    x86UserFault: '__do_page_fault',
    memcgChargeChain: ['mem_cgroup_try_charge_delay', 'mem_cgroup_try_charge', 'try_charge'],
    gfp: gfpBits('4.19'),
  },
  '3.12': {
    version: '3.12',
    release: { aarch64: '3.12.0 #1', x86_64: '3.12.0 #1' },
    buildVersion: '#1 SMP',
    hardwareName: {
      aarch64: 'linux,dummy-virt (DT)',
      x86_64: 'QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014',
    },
    faultFlags: {
      WRITE: 0x01,
      ALLOW_RETRY: 0x08,
      KILLABLE: 0x20,
      TRIED: 0x40,
      USER: 0x80,
      INSTRUCTION: 0,
      INTERRUPTIBLE: 0,
      DEFAULT: 0x28,
    },
    memcgChargeBatch: 32,
    memcgReclaimRetries: 5,
    memcgOom: 'deferred',
    pagefaultOomGlobal: true,
    memcgEventsHierarchical: false,
    hasOomGroupKill: false,
    hasEventsLocal: false,
    badness: { clampToOne: true, rootBonus: true, pgtablesFromBytes: false, tieKeepsEarlierLeader: false },
    sacrificeChild: true,
    oomReaperDelayNs: null,
    faultAroundBytes: 4096,
    arm64ExceptionTraceDefault: 1,
    rssEventsThresh: 64,
    pgtableAccounted: { aarch64: false, x86_64: false },
    pgdPages: { aarch64: 1, x86_64: 1 },
    userPageAlloc: { chain: 'alloc_pages_vma', gfpZero: { aarch64: false, x86_64: true } },
    kmemAccounting: false,
    pteAllocInHandleMmFault: true,
    overcommitGuessIsTotal: false,
    minFreeKbytesMax: 65536,
    arm64ReadNeedsExecToo: false,
    arm64Entry: { vector: 'el0_sync', handler: null },
    x86Entry: ['page_fault', 'do_page_fault'],
    x86UserFault: '__do_page_fault',
    memcgChargeChain: ['mem_cgroup_newpage_charge', 'mem_cgroup_charge_common', '__mem_cgroup_try_charge'],
    gfp: gfpBits('3.12'),
  },
};

export function getProfile(v: string): KernelProfile {
  const p = PROFILES[v as KernelVersion];
  if (!p) throw new Error(`unknown kernel profile '${v}' (choose one of: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}
