/**
 * Every kernel function the model traces, with the kernel file that defines it (6.1 unless the
 * name only exists in an older version).  The tracer accepts only these names (`ModeledFunction`),
 * so a frame that is not a modeled function does not compile, and
 * test/trace/modeled-functions.test.ts checks that each is defined under its name in the file at
 * its kernel path (strip `src/`, `.ts` → `.c`).
 *
 * `{ file, definedIn, why }` marks the few kernel functions the model cannot define at their
 * kernel path (a header's static inline that calls into mm: src/include holds data only); the
 * test checks them at `definedIn`.
 */
export const MODELED_FUNCTIONS = {
  // arch/arm64: the EL0 synchronous exception path
  el0t_64_sync: 'arch/arm64/kernel/entry.S',
  el0_sync: 'arch/arm64/kernel/entry.S',
  el0t_64_sync_handler: 'arch/arm64/kernel/entry-common.c',
  el0_da: 'arch/arm64/kernel/entry-common.c',
  el0_ia: 'arch/arm64/kernel/entry-common.c',
  el0_svc: 'arch/arm64/kernel/entry-common.c',
  do_mem_abort: 'arch/arm64/mm/fault.c',
  do_translation_fault: 'arch/arm64/mm/fault.c',
  do_page_fault: ['arch/arm64/mm/fault.c', 'arch/x86/mm/fault.c'],
  __do_page_fault: ['arch/arm64/mm/fault.c', 'arch/x86/mm/fault.c'],
  do_bad_area: 'arch/arm64/mm/fault.c',
  // arch/x86: #PF, #GP and the system call entry
  asm_exc_page_fault: 'arch/x86/entry/entry_64.S',
  page_fault: 'arch/x86/entry/entry_64.S',
  entry_SYSCALL_64: 'arch/x86/entry/entry_64.S',
  exc_page_fault: 'arch/x86/mm/fault.c',
  handle_page_fault: 'arch/x86/mm/fault.c',
  do_user_addr_fault: 'arch/x86/mm/fault.c',
  do_kern_addr_fault: 'arch/x86/mm/fault.c',
  bad_area: 'arch/x86/mm/fault.c',
  bad_area_access_error: 'arch/x86/mm/fault.c',
  __bad_area_nosemaphore: 'arch/x86/mm/fault.c',
  do_sigbus: 'arch/x86/mm/fault.c',
  exc_general_protection: 'arch/x86/kernel/traps.c',
  // mm/memory.c: the generic fault path
  handle_mm_fault: 'mm/memory.c',
  __handle_mm_fault: 'mm/memory.c',
  handle_pte_fault: 'mm/memory.c',
  __pud_alloc: 'mm/memory.c',
  __pmd_alloc: 'mm/memory.c',
  __pte_alloc: 'mm/memory.c',
  do_anonymous_page: 'mm/memory.c',
  do_wp_page: 'mm/memory.c',
  wp_page_copy: 'mm/memory.c',
  do_fault: 'mm/memory.c',
  __do_fault: 'mm/memory.c',
  do_fault_around: 'mm/memory.c',
  do_read_fault: 'mm/memory.c',
  do_cow_fault: 'mm/memory.c',
  do_shared_fault: 'mm/memory.c',
  finish_fault: 'mm/memory.c',
  do_swap_page: 'mm/memory.c',
  filemap_fault: 'mm/filemap.c',
  filemap_map_pages: 'mm/filemap.c',
  shmem_fault: 'mm/shmem.c',
  exit_mmap: 'mm/mmap.c',
  // the page allocator
  alloc_zeroed_user_highpage_movable: {
    file: 'include/linux/highmem.h',
    definedIn: 'mm/mempolicy.c',
    why: 'a static inline of the header that calls vma_alloc_folio(); src/include holds data only',
  },
  vma_alloc_folio: 'mm/mempolicy.c',
  alloc_pages_vma: 'mm/mempolicy.c',
  __folio_alloc: 'mm/page_alloc.c',
  __alloc_pages: 'mm/page_alloc.c',
  __alloc_pages_slowpath: 'mm/page_alloc.c',
  __alloc_pages_direct_reclaim: 'mm/page_alloc.c',
  __alloc_pages_direct_compact: 'mm/page_alloc.c',
  __alloc_pages_may_oom: 'mm/page_alloc.c',
  // memcg: the charge chains of 6.1, 4.19 and 3.12, memory.high, the memcg OOM
  __mem_cgroup_charge: 'mm/memcontrol.c',
  charge_memcg: 'mm/memcontrol.c',
  try_charge_memcg: 'mm/memcontrol.c',
  mem_cgroup_try_charge_delay: 'mm/memcontrol.c',
  mem_cgroup_try_charge: 'mm/memcontrol.c',
  try_charge: 'mm/memcontrol.c',
  mem_cgroup_newpage_charge: 'mm/memcontrol.c',
  mem_cgroup_charge_common: 'mm/memcontrol.c',
  __mem_cgroup_try_charge: 'mm/memcontrol.c',
  mem_cgroup_handle_over_high: 'mm/memcontrol.c',
  mem_cgroup_oom: 'mm/memcontrol.c',
  mem_cgroup_out_of_memory: 'mm/memcontrol.c',
  mem_cgroup_oom_synchronize: 'mm/memcontrol.c',
  // reclaim
  try_to_free_mem_cgroup_pages: 'mm/vmscan.c',
  shrink_node: 'mm/vmscan.c',
  // the OOM killer
  out_of_memory: 'mm/oom_kill.c',
  select_bad_process: 'mm/oom_kill.c',
  oom_kill_process: 'mm/oom_kill.c',
  __oom_kill_process: 'mm/oom_kill.c',
  dump_header: 'mm/oom_kill.c',
  pagefault_out_of_memory: 'mm/oom_kill.c',
  oom_reaper: 'mm/oom_kill.c',
  moom_callback: 'drivers/tty/sysrq.c',
  // process exit
  do_exit: 'kernel/exit.c',
  exit_mm: 'kernel/exit.c',
} as const satisfies Record<string, KernelFile>;

type KernelFile = string | readonly string[] | { file: string; definedIn: string; why: string };

export type ModeledFunction = keyof typeof MODELED_FUNCTIONS;
