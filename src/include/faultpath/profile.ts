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
  /** docs/kernel-reference.md §4.1 FAULT_FLAG_* bit values and the arch default */
  faultFlags: {
    WRITE: number;
    ALLOW_RETRY: number;
    KILLABLE: number;
    TRIED: number;
    USER: number;
    INSTRUCTION: number;
    INTERRUPTIBLE: number;
    /** get_user_pages() on another mm (4.6+); 0 where the version has no such flag (3.12) */
    REMOTE: number;
    DEFAULT: number;
  };
  /** docs/kernel-reference.md §6.1: memcg charge batch and reclaim retries before OOM */
  memcgChargeBatch: number;
  memcgReclaimRetries: number;
  /**
   * docs/kernel-reference.md §6.1–6.2: the try_charge loop of the version, named by its kernel function (src/mm/memcontrol.ts
   * holds one variant per name).  'try_charge_memcg' (6.1): mem_cgroup_oom() kills inside the
   * charge and returns bool; 'try_charge' (4.19): mem_cgroup_oom() kills inside the charge and
   * returns enum oom_status, oom_kill_disable defers (OOM_ASYNC); '__mem_cgroup_try_charge' (3.12):
   * mem_cgroup_oom() only records current->memcg_oom, the kill is deferred to the end of the fault.
   */
  memcgTryCharge: 'try_charge_memcg' | 'try_charge' | '__mem_cgroup_try_charge';
  /**
   * The memcg charge of a new user page, named by the function do_anonymous_page() calls; each
   * calls the next of its chain (outermost first, as the OOM report's stack shows it):
   * __mem_cgroup_charge → charge_memcg (6.1), mem_cgroup_try_charge_delay → mem_cgroup_try_charge
   * (4.19), mem_cgroup_newpage_charge → mem_cgroup_charge_common (3.12), then try_charge.
   */
  memcgChargeEntry: '__mem_cgroup_charge' | 'mem_cgroup_try_charge_delay' | 'mem_cgroup_newpage_charge';
  /** the memcg limit counter: res_counter (bytes; up to 3.18) or page_counter (pages; 3.19+) */
  memcgCounter: 'res_counter' | 'page_counter';
  /** mem_cgroup_out_of_memory() goes through out_of_memory() (4.6+); 3.12 runs its own select-and-kill */
  memcgOomViaOutOfMemory: boolean;
  /** 6.1 mem_cgroup_out_of_memory(): under oom_lock, re-check the margin and a dying current first */
  memcgOomRechecksMargin: boolean;
  /**
   * mem_cgroup_get_max() (mem_cgroup_get_limit() in 3.12), the memcg OOM's totalpages: the limit plus
   * 'swap.max' (6.1: cgroup v2 memcg->swap, or memsw.max − max when memsw is accounted) or capped by
   * 'memsw.max' (4.19: min(max + swap, memsw.max); 3.12 the memsw res_counter limit)
   */
  memcgGetMaxSwap: 'swap.max' | 'memsw.max';
  /** memory.oom_control (cgroup v1) has the "oom_kill" counter line (4.13+) */
  memcgOomControlOomKill: boolean;
  /** docs/kernel-reference.md §7.2: pagefault_out_of_memory falls back to a global out_of_memory(gfp 0) */
  pagefaultOomGlobal: boolean;
  /** docs/kernel-reference.md §6.5: memory.events propagate to ancestors (6.1) or stay local (4.19) */
  memcgEventsHierarchical: boolean;
  hasOomGroupKill: boolean;
  hasEventsLocal: boolean;
  /** docs/kernel-reference.md §7.5 oom_badness / oom_evaluate_task differences */
  badness: {
    clampToOne: boolean;
    rootBonus: boolean;
    pgtablesFromBytes: boolean;
    /** oom_badness excludes MMF_OOM_SKIP mms and tasks in vfork (4.19, 6.1) */
    skipsOomSkipAndVfork: boolean;
    /**
     * oom_evaluate_task()'s comparison with the chosen victim (src/mm/oom_kill.ts has one rule
     * per name): 'later' (6.1: skip if points < chosen_points, so an equal score goes to the task
     * scanned later), 'leader' (4.19: skip if !points || points < chosen_points; an equal score
     * keeps a chosen thread-group leader), 'later-nonzero' (3.12: zero skipped, an equal score
     * goes to the later task).
     */
    tie: 'later' | 'leader' | 'later-nonzero';
    /** docs/kernel-reference.md §7.6 /proc/<pid>/oom_score is (1000 + points*1000/totalpages)*2/3 (6.1), else points*1000/totalpages */
    oomScoreCentered: boolean;
  };
  /** docs/kernel-reference.md §7.1–7.4 out_of_memory() differences */
  oom: {
    /** check_panic_on_oom() does not panic for sysrq-f (4.19, 6.1) */
    panicSkipsSysrq: boolean;
    /** out_of_memory(): memory freed by OOM notifiers does not stop a sysrq-f kill (6.1) */
    sysrqIgnoresNotifiers: boolean;
    /**
     * No eligible victim: dump_header, "Out of memory and no killable processes...", and a panic
     * only for a global non-sysrq OOM (4.19, 6.1).  3.12: a memcg OOM returns silently, a global one panics.
     */
    noVictimReport: boolean;
  };
  /** docs/kernel-reference.md §7.7–7.8: the formats of the OOM report */
  oomReport: {
    /** dump_header's first line has "nodemask=%*pbl" (4.19) */
    headerNodemask: boolean;
    /**
     * dump_oom_summary(): one "oom-kill:constraint=…" line after the task list (6.1); without it,
     * cpuset_print_current_mems_allowed() prints "cpuset=… mems_allowed=…" after the first line.
     */
    summary: boolean;
    /** the memcg part of dump_header (src/mm/memcontrol.ts) */
    memcgInfo: 'mem_cgroup_print_oom_meminfo' | 'mem_cgroup_print_oom_info';
    /** mem_cgroup_print_oom_info()'s per-memcg statistics (memcg1_stat_names; swap needs memsw accounting) */
    memcg1Stats: readonly string[];
    /** dump_tasks() columns: pgtables_bytes and 7-wide pids (4.19, 6.1) or nr_ptes and 5-wide pids (3.12) */
    dumpTasks: 'pgtables_bytes' | 'nr_ptes';
    /**
     * __oom_kill_process()'s "Killed process" line: 'uid_pgtables' (6.1: "<message>: Killed process
     * … shmem-rss:…, UID:… pgtables:…kB oom_score_adj:…"), 'shmem_rss' (4.19), 'file_rss' (3.12: no
     * shmem-rss; file-rss includes shmem)
     */
    killed: 'uid_pgtables' | 'shmem_rss' | 'file_rss';
    /** __oom_kill_process() reports a victim without an mm ("… is already exiting. Skip killing the task") */
    victimExiting: boolean;
    /** dump_stack() is a wrapper of dump_stack_lvl() (5.13+), which shows in the trace */
    dumpStackLvl: boolean;
    /** x86 stack dumps bracket the frames in <TASK> … </TASK> */
    x86TaskMarkers: boolean;
    /** x86 stack dumps end with the user-mode pt_regs (4.x+) */
    x86UserRegs: boolean;
    /** the Debian x86 build shows split cold paths and clones (oom_kill_process.cold, …constprop.0) */
    x86ColdClones: boolean;
  };
  /** docs/kernel-reference.md §7.7: child-sacrifice heuristic and "Kill process … or sacrifice child" line */
  sacrificeChild: boolean;
  /** docs/kernel-reference.md §7.9 OOM reaper delay in simulated ns (6.1: 2*HZ), or null when the version has no reaper */
  oomReaperDelayNs: number | null;
  /** fault_around_bytes (mm/memory.c): the read-fault window filemap_map_pages() fills; 4096 = no fault-around (before 3.15) */
  faultAroundBytes: number;
  /** docs/kernel-reference.md §1.10 default of debug.exception-trace on arm64 (x86 is always 1) */
  arm64ExceptionTraceDefault: number;
  /** docs/kernel-reference.md §4.8: SPLIT_RSS_COUNTING threshold (TASK_RSS_EVENTS_THRESH) */
  rssEventsThresh: number;
  /** docs/kernel-reference.md §4.3: 4.19 arm64 page tables are not memcg-accounted */
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
  /** docs/kernel-reference.md §4.2 (3.12): __handle_mm_fault allocates the pte table before handle_pte_fault */
  pteAllocInHandleMmFault: boolean;
  /** docs/kernel-reference.md §9: vm_enough_memory heuristic mode 0 */
  overcommitGuessIsTotal: boolean;
  /** __vm_enough_memory() warns (ratelimited) "…no enough memory for the allocation" on failure (6.1) */
  vmEnoughMemoryWarns: boolean;
  /** docs/kernel-reference.md §5.4: min_free_kbytes upper clamp */
  minFreeKbytesMax: number;
  /** upper bound of vm.watermark_scale_factor (kernel/sysctl.c: 3000 in 6.1, 1000 before) */
  watermarkScaleFactorMax: number;
  /** arm64 do_page_fault: exec of user memory also requires VM_EXEC on read faults (6.1 w/o EPAN) */
  arm64ReadNeedsExecToo: boolean;
  /** 6.1 el0t_64_sync_handler vs 4.19 el0_sync naming (handler null: el0_sync dispatches itself) */
  arm64Entry: { vector: 'el0t_64_sync' | 'el0_sync'; handler: 'el0t_64_sync_handler' | null };
  /** the #PF gate's entry stub: 6.1 asm_exc_page_fault (→ exc_page_fault → handle_page_fault), before page_fault (→ do_page_fault) */
  x86PfEntry: 'asm_exc_page_fault' | 'page_fault';
  /** x86 __do_page_fault(): a user access far below the stack pointer is a bad area (removed in 4.20) */
  x86StackBelowSpCheck: boolean;
  /** GFP bit values of the version (docs/kernel-reference.md §10), from the one GFP table src/include/linux/gfp.ts */
  gfp: GfpBits;
  /** The formats of the fault and register reports the arch code prints (and the explain tool describes) */
  report: KernelReportFormats;
}

/** Log formats of lib/dump_stack.c and the arm64/x86 fault printers, per kernel version. */
export interface KernelReportFormats {
  /** lib/dump_stack.c dump_stack_print_info() */
  dumpStack: {
    /** "Kdump: loaded " when kexec_crash_loaded() (4.19, 6.1) */
    kdumpLoaded: boolean;
    /** BUILD_ID_FMT after the version (6.1, CONFIG_STACKTRACE_BUILD_ID) */
    buildId: boolean;
  };
  arm64: {
    /**
     * Who prints the unhandled-user-fault report: arm64_show_signal() (6.1), arm64_force_sig_info()
     * (4.19) — both "unhandled exception: <class>, ESR …" + __show_regs() — or 3.12
     * __do_user_fault()'s own "unhandled <name> (<sig>) at …, esr …" + show_pte() + show_regs().
     */
    userFaultReport: 'arm64_show_signal' | 'arm64_force_sig_info' | '__do_user_fault';
    /**
     * set_thread_esr() (6.1) / __do_user_fault() (4.19) sanitise thread.fault_code for a fault on a
     * kernel (non-TTBR0) address; 'none' (3.12) reports the ESR as received.  'sanitized_name' (4.19):
     * the printed fault name is looked up from the sanitised ESR; 'original_name' (6.1) from the original.
     */
    esrSanitize: 'original_name' | 'sanitized_name' | 'none';
    /** digits of the ESR printed in the report and by mem_abort_decode(): "0x%016lx" (6.1, u64 esr) or "0x%08x" */
    esrDigits: 16 | 8;
    /**
     * arch/arm64/mm/fault.c show_pte(), by its header format: 'pgdp=%016llx' (6.1: physical pgd, the
     * folded p4d printed, pud/pmd_table() checks), 'pgdp = %p' (4.19: four levels), 'pgd = %p' (3.12:
     * three levels, "[%08lx] *pgd=…")
     */
    showPte: 'pgdp=%016llx' | 'pgdp = %p' | 'pgd = %p';
    /**
     * mem_abort_decode(): 'ec_fsc' (6.1: "EC = 0x%02x: <class>" and an "FSC = 0x%02x: <name>" line),
     * 'exception_class' (4.19: "Exception class = <class>"), null (3.12 has none)
     */
    memAbortDecode: 'ec_fsc' | 'exception_class' | null;
    /**
     * arch/arm64/kernel/process.c __show_regs(): 'pc_lr_sp' (4.19, 6.1: "pstate:", "pc :", "lr :", "sp :")
     * or 'pc_is_at' (3.12: show_regs_print_info()'s task line, "PC is at", "LR is at", "pc : [<…>] lr : [<…>] pstate:")
     */
    showRegs: 'pc_lr_sp' | 'pc_is_at';
    /** print_pstate() also prints TCO, DIT, SSBS and BTYPE (6.1); before, only up to PAN/UAO */
    pstateBtype: boolean;
    /** __show_regs() prints "pmr_save:" when pseudo-NMI is in use (6.1) */
    pmrSave: boolean;
    /** __show_regs()'s register loop: three per line (6.1) or two with a trailing space */
    gprsPerLine: 3 | 2;
  };
  x86: {
    /** show_signal_msg() appends " likely on CPU %d (core %d, socket %d)" (6.1) */
    segfaultCpu: boolean;
    /**
     * show_opcodes()'s failure text: "Unable to access opcode bytes at 0x%lx." (6.1; nothing for
     * -EPERM), "Bad RIP value." (4.19, also for a range above TASK_SIZE_MAX), or null (3.12: no Code: line)
     */
    showOpcodes: 'unable_to_access' | 'bad_rip' | null;
  };
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
      REMOTE: 0x80,
      DEFAULT: 0x214,
    },
    memcgChargeBatch: 64,
    memcgReclaimRetries: 16,
    memcgTryCharge: 'try_charge_memcg',
    memcgChargeEntry: '__mem_cgroup_charge',
    memcgCounter: 'page_counter',
    memcgOomViaOutOfMemory: true,
    memcgOomRechecksMargin: true,
    memcgGetMaxSwap: 'swap.max',
    memcgOomControlOomKill: true,
    pagefaultOomGlobal: false,
    memcgEventsHierarchical: true,
    hasOomGroupKill: true,
    hasEventsLocal: true,
    badness: {
      clampToOne: false,
      rootBonus: false,
      pgtablesFromBytes: true,
      skipsOomSkipAndVfork: true,
      tie: 'later',
      oomScoreCentered: true,
    },
    oom: { panicSkipsSysrq: true, sysrqIgnoresNotifiers: true, noVictimReport: true },
    oomReport: {
      headerNodemask: false,
      summary: true,
      memcgInfo: 'mem_cgroup_print_oom_meminfo',
      memcg1Stats: ['cache', 'rss', 'rss_huge', 'shmem', 'mapped_file', 'dirty', 'writeback'],
      dumpTasks: 'pgtables_bytes',
      killed: 'uid_pgtables',
      victimExiting: true,
      dumpStackLvl: true,
      x86TaskMarkers: true,
      x86UserRegs: true,
      x86ColdClones: true,
    },
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
    vmEnoughMemoryWarns: true,
    minFreeKbytesMax: 262144,
    watermarkScaleFactorMax: 3000,
    arm64ReadNeedsExecToo: true,
    arm64Entry: { vector: 'el0t_64_sync', handler: 'el0t_64_sync_handler' },
    x86PfEntry: 'asm_exc_page_fault',
    x86StackBelowSpCheck: false,
    gfp: gfpBits('6.1'),
    report: {
      dumpStack: { kdumpLoaded: true, buildId: true },
      arm64: {
        userFaultReport: 'arm64_show_signal',
        esrSanitize: 'original_name',
        esrDigits: 16,
        showPte: 'pgdp=%016llx',
        memAbortDecode: 'ec_fsc',
        showRegs: 'pc_lr_sp',
        pstateBtype: true,
        pmrSave: true,
        gprsPerLine: 3,
      },
      x86: { segfaultCpu: true, showOpcodes: 'unable_to_access' },
    },
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
      REMOTE: 0x80,
      DEFAULT: 0x14,
    },
    memcgChargeBatch: 32,
    memcgReclaimRetries: 5,
    memcgTryCharge: 'try_charge',
    memcgChargeEntry: 'mem_cgroup_try_charge_delay',
    memcgCounter: 'page_counter',
    memcgOomViaOutOfMemory: true,
    memcgOomRechecksMargin: false,
    memcgGetMaxSwap: 'memsw.max',
    memcgOomControlOomKill: true,
    pagefaultOomGlobal: true,
    memcgEventsHierarchical: false,
    hasOomGroupKill: false,
    hasEventsLocal: false,
    badness: {
      clampToOne: true,
      rootBonus: false,
      pgtablesFromBytes: true,
      skipsOomSkipAndVfork: true,
      tie: 'leader',
      oomScoreCentered: false,
    },
    oom: { panicSkipsSysrq: true, sysrqIgnoresNotifiers: false, noVictimReport: true },
    oomReport: {
      headerNodemask: true,
      summary: false,
      memcgInfo: 'mem_cgroup_print_oom_info',
      memcg1Stats: ['cache', 'rss', 'rss_huge', 'shmem', 'mapped_file', 'dirty', 'writeback'],
      dumpTasks: 'pgtables_bytes',
      killed: 'shmem_rss',
      victimExiting: false,
      dumpStackLvl: false,
      x86TaskMarkers: false,
      x86UserRegs: true,
      x86ColdClones: false,
    },
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
    vmEnoughMemoryWarns: false,
    minFreeKbytesMax: 65536,
    watermarkScaleFactorMax: 1000,
    arm64ReadNeedsExecToo: false,
    arm64Entry: { vector: 'el0_sync', handler: null },
    x86PfEntry: 'page_fault',
    x86StackBelowSpCheck: true,
    gfp: gfpBits('4.19'),
    report: {
      dumpStack: { kdumpLoaded: true, buildId: false },
      arm64: {
        userFaultReport: 'arm64_force_sig_info',
        esrSanitize: 'sanitized_name',
        esrDigits: 8,
        showPte: 'pgdp = %p',
        memAbortDecode: 'exception_class',
        showRegs: 'pc_lr_sp',
        pstateBtype: false,
        pmrSave: false,
        gprsPerLine: 2,
      },
      x86: { segfaultCpu: false, showOpcodes: 'bad_rip' },
    },
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
      REMOTE: 0,
      DEFAULT: 0x28,
    },
    memcgChargeBatch: 32,
    memcgReclaimRetries: 5,
    memcgTryCharge: '__mem_cgroup_try_charge',
    memcgChargeEntry: 'mem_cgroup_newpage_charge',
    memcgCounter: 'res_counter',
    memcgOomViaOutOfMemory: false,
    memcgOomRechecksMargin: false,
    memcgGetMaxSwap: 'memsw.max',
    memcgOomControlOomKill: false,
    pagefaultOomGlobal: true,
    memcgEventsHierarchical: false,
    hasOomGroupKill: false,
    hasEventsLocal: false,
    badness: {
      clampToOne: true,
      rootBonus: true,
      pgtablesFromBytes: false,
      skipsOomSkipAndVfork: false,
      tie: 'later-nonzero',
      oomScoreCentered: false,
    },
    oom: { panicSkipsSysrq: false, sysrqIgnoresNotifiers: false, noVictimReport: false },
    oomReport: {
      headerNodemask: false,
      summary: false,
      memcgInfo: 'mem_cgroup_print_oom_info',
      memcg1Stats: ['cache', 'rss', 'rss_huge', 'mapped_file', 'writeback'],
      dumpTasks: 'nr_ptes',
      killed: 'file_rss',
      victimExiting: false,
      dumpStackLvl: false,
      x86TaskMarkers: false,
      x86UserRegs: false,
      x86ColdClones: false,
    },
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
    vmEnoughMemoryWarns: false,
    minFreeKbytesMax: 65536,
    watermarkScaleFactorMax: 1000,
    arm64ReadNeedsExecToo: false,
    arm64Entry: { vector: 'el0_sync', handler: null },
    x86PfEntry: 'page_fault',
    x86StackBelowSpCheck: true,
    gfp: gfpBits('3.12'),
    report: {
      dumpStack: { kdumpLoaded: false, buildId: false },
      arm64: {
        userFaultReport: '__do_user_fault',
        esrSanitize: 'none',
        esrDigits: 8,
        showPte: 'pgd = %p',
        memAbortDecode: null,
        showRegs: 'pc_is_at',
        pstateBtype: false,
        pmrSave: false,
        gprsPerLine: 2,
      },
      x86: { segfaultCpu: false, showOpcodes: null },
    },
  },
};

export function getProfile(v: string): KernelProfile {
  const p = PROFILES[v as KernelVersion];
  if (!p) throw new Error(`unknown kernel profile '${v}' (choose one of: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}
