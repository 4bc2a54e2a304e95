/**
 * What the names in an OOM report mean, for `faultpath explain oom` (src/explain/oom.ts): gfp
 * flags for reclaim and OOM, call-trace frames, and dump_oom_summary()'s constraints.  The flag
 * VALUES are not here: they come from the one GFP table, src/include/linux/gfp.ts.
 */

/**
 * gfp flag meanings for reclaim and OOM (mm/page_alloc.c __alloc_pages_slowpath(),
 * __alloc_pages_may_oom(); mm/memcontrol.c try_charge_memcg(); mm/oom_kill.c out_of_memory()).
 */
export const GFP_MEANING: Record<string, string> = {
  __GFP_DMA: 'allocate from ZONE_DMA only',
  __GFP_HIGHMEM: 'ZONE_HIGHMEM allowed (highest usable zone goes up to HIGHMEM; a no-op zone on 64-bit)',
  __GFP_DMA32: 'allocate from ZONE_DMA32 or lower',
  __GFP_MOVABLE: 'the page can be migrated: ZONE_MOVABLE allowed, MIGRATE_MOVABLE pageblocks (user pages, page cache)',
  __GFP_RECLAIMABLE: 'reclaimable slab object (MIGRATE_RECLAIMABLE)',
  __GFP_HIGH: 'high priority: may use part of the min-watermark reserve (ALLOC_HIGH)',
  __GFP_IO: 'reclaim may start physical I/O (e.g. swap out anonymous pages)',
  __GFP_FS:
    'reclaim may call into filesystems; out_of_memory() only kills for a global OOM if __GFP_FS is set (a non-zero mask without it returns "progress" without killing; 4.19 applies this to memcg OOMs too)',
  __GFP_ZERO: 'return zeroed memory',
  __GFP_ATOMIC: 'caller cannot sleep and is high priority (ALLOC_HARDER)',
  __GFP_DIRECT_RECLAIM:
    'caller may sleep and reclaim synchronously; without it __alloc_pages_slowpath() gives up before __alloc_pages_may_oom() and try_charge_memcg() returns -ENOMEM instead of calling mem_cgroup_oom()',
  __GFP_KSWAPD_RECLAIM: 'wake kswapd to reclaim in the background when the low watermark is reached',
  __GFP_WRITE: 'caller intends to dirty the page (spreads dirty page cache over zones)',
  __GFP_NOWARN: 'suppress the "page allocation failure" warning (warn_alloc)',
  __GFP_RETRY_MAYFAIL:
    'retry hard but allowed to fail: __alloc_pages_may_oom() and the memcg charge skip the OOM killer',
  __GFP_NOFAIL:
    'must not fail: the allocator loops forever (OOM killer as last resort), a memcg charge is forced over the limit',
  __GFP_NORETRY: 'fail after one light reclaim round; never invokes the OOM killer',
  __GFP_MEMALLOC: 'may use all memory reserves (ALLOC_NO_WATERMARKS)',
  __GFP_COMP: 'compound page / folio metadata for order > 0',
  __GFP_NOMEMALLOC: 'never use the emergency reserves',
  __GFP_HARDWALL: 'enforce the cpuset memory-node restriction (hardwall)',
  __GFP_THISNODE:
    'this node only, no fallback: __alloc_pages_may_oom() skips the OOM killer; constrained_alloc() gives CONSTRAINT_NONE',
  __GFP_ACCOUNT: 'charge the page to the current memcg as kernel memory (kmem accounting)',
  __GFP_ZEROTAGS: 'arm64 MTE: zero the allocation tags together with the data',
  // 3.12
  __GFP_WAIT: 'caller can sleep and reclaim (3.12 predecessor of __GFP_DIRECT_RECLAIM/__GFP_KSWAPD_RECLAIM)',
  __GFP_COLD: 'prefer a cache-cold page',
  __GFP_REPEAT: 'retry harder (predecessor of __GFP_RETRY_MAYFAIL)',
  __GFP_KMEMCG: 'charge to the memcg kmem counter',
  __GFP_NOTRACK: 'no kmemcheck tracking',
  __GFP_NO_KSWAPD: 'do not wake kswapd (THP allocations)',
  __GFP_OTHER_NODE: 'accounting hint for allocations on behalf of another node',
};

/** What frames of the call trace mean (function names as they appear in stack dumps). */
export const FRAME_MEANING: Record<string, string> = {
  dump_backtrace: 'arm64 stack printer',
  show_stack: 'stack printer',
  dump_stack_lvl: 'stack printer (dump_stack())',
  dump_stack: 'stack printer',
  dump_header: 'mm/oom_kill.c: prints this report',
  oom_kill_process: 'mm/oom_kill.c: a victim was chosen; dump_header() runs before __oom_kill_process() sends SIGKILL',
  out_of_memory: 'mm/oom_kill.c: constrained_alloc(), check_panic_on_oom(), select_bad_process()',
  mem_cgroup_out_of_memory: 'mm/memcontrol.c: out_of_memory() with oc->memcg set (memcg OOM)',
  mem_cgroup_oom: 'mm/memcontrol.c: the memcg OOM decision inside the charge',
  mem_cgroup_oom_synchronize:
    'mm/memcontrol.c: memcg OOM deferred to the end of the page fault (oom_kill_disable or 3.12)',
  try_charge_memcg: 'mm/memcontrol.c: the charge hit memory.max; reclaim retries exhausted → mem_cgroup_oom()',
  try_charge: 'mm/memcontrol.c (4.19): the charge hit the limit; reclaim retries exhausted → mem_cgroup_oom()',
  charge_memcg: 'mm/memcontrol.c: charge a new folio to the memcg',
  __mem_cgroup_charge: 'mm/memcontrol.c: mem_cgroup_charge() of a newly allocated user page',
  mem_cgroup_try_charge: 'mm/memcontrol.c (4.19): charge of a newly allocated page',
  mem_cgroup_try_charge_delay: 'mm/memcontrol.c (4.19): charge of a newly allocated page',
  __alloc_pages_slowpath:
    'mm/page_alloc.c: free pages below the watermarks, reclaim/compaction retries exhausted → __alloc_pages_may_oom() (inlined)',
  __alloc_pages_may_oom: 'mm/page_alloc.c: takes oom_lock, last-chance allocation, then out_of_memory()',
  __alloc_pages: 'mm/page_alloc.c: page allocator entry (6.1)',
  __alloc_pages_nodemask: 'mm/page_alloc.c: page allocator entry (4.19)',
  __folio_alloc: 'allocates a folio (one page for order 0)',
  vma_alloc_folio: 'NUMA-policy-aware allocation of a user page for the VMA',
  alloc_pages_vma: 'NUMA-policy-aware allocation of a user page for the VMA (4.19)',
  alloc_zeroed_user_highpage_movable: 'zeroed anonymous page for a write fault',
  do_anonymous_page: 'mm/memory.c: first touch of an anonymous page',
  do_cow_fault: 'mm/memory.c: private copy of a file page',
  wp_page_copy: 'mm/memory.c: copy-on-write',
  __do_fault: 'mm/memory.c: file-backed fault',
  __pte_alloc: 'mm/memory.c: allocation of a page-table page',
  pte_alloc_one: 'allocation of a page-table page',
  __handle_mm_fault: 'mm/memory.c: generic fault handling (handle_pte_fault/do_anonymous_page are inlined here)',
  handle_mm_fault: 'mm/memory.c: generic page-fault entry',
  do_user_addr_fault: 'arch/x86/mm/fault.c: user-address #PF handling',
  exc_page_fault: 'arch/x86/mm/fault.c: #PF exception handler',
  asm_exc_page_fault: 'x86 #PF (vector 14) entry from user mode',
  __do_page_fault: 'page-fault handler (4.19)',
  do_page_fault: 'page-fault handler',
  page_fault: 'x86 #PF entry (4.19)',
  do_translation_fault: 'arch/arm64/mm/fault.c: fault_info[] handler for translation faults',
  do_mem_abort: 'arch/arm64/mm/fault.c: dispatch on ESR.FSC via fault_info[]',
  el0_da: 'arm64 data abort from EL0 (user)',
  el0_ia: 'arm64 instruction abort from EL0 (user)',
  el0t_64_sync_handler: 'arm64 EL0 synchronous exception dispatch (6.1)',
  el0t_64_sync: 'arm64 exception vector (VBAR_EL1+0x400)',
  el0_sync: 'arm64 exception vector (4.19)',
  pagefault_out_of_memory: 'mm/oom_kill.c: VM_FAULT_OOM reached the arch fault handler',
  moom_callback: 'drivers/tty/sysrq.c: SysRq-f manual OOM kill',
  sysrq_handle_moom: 'SysRq-f',
  do_syscall_64: 'x86 system call',
  entry_SYSCALL_64_after_hwframe: 'x86 system call entry',
  el0_svc: 'arm64 system call',
  invoke_syscall: 'arm64 system call',
};

/** constrained_alloc()'s results, as dump_oom_summary() prints them. */
export const CONSTRAINT_MEANING: Record<string, string> = {
  CONSTRAINT_NONE: 'no restriction: the whole machine is out of memory',
  CONSTRAINT_CPUSET: "the allocating task's cpuset nodes are exhausted",
  CONSTRAINT_MEMORY_POLICY: 'an mbind/set_mempolicy nodemask is exhausted',
  CONSTRAINT_MEMCG: 'a memory cgroup reached its limit',
};
