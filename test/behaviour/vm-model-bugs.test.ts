/**
 * Model bugs found while building the debug_vm checker and the mm tests.  Every test here
 * asserts what Linux does and is marked `it.fails` because the model currently does something
 * else; the comment above each names the model code, the input, expected vs actual, and the
 * kernel source that decides.  When a bug is fixed its test starts passing and vitest reports
 * the `it.fails` as failing: then drop the `.fails`.
 */
import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/include/linux/sched.js';
import { get_mm_counter } from '../../src/mm/memory.js';
import { MM_ANONPAGES } from '../../src/include/linux/mm_types.js';
import { badnessFromStatus, oomScore61 } from '../helpers/oom.js';
import {
  a64,
  cgRead,
  cgroup,
  cgWrite,
  dmesg,
  kb,
  kv,
  machine,
  onMarker,
  overcommitBoundary,
  proc,
  TOUCH_SLEEP_A64,
} from '../helpers/vm.js';
import { filename_lookup } from '../../src/fs/namei.js';

const FORK = `
  mov x19, #16
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #1
  touch_w x23, x19
  marker 1
  mov x0, #17
  mov x1, #0
  mov x2, #0
  mov x3, #0
  mov x4, #0
  mov x8, #SYS_clone
  svc #0
  cbnz x0, 5f
  marker 2
  exit_group 0
5:
  mov x0, #-1
  mov x1, #0
  mov x2, #0
  mov x3, #0
  mov x8, #SYS_wait4
  svc #0
  marker 3
  exit_group 0
`;

/** Runs FORK in /g; at marker 2 (the child, right after fork) calls fn(child, parent). */
async function atForkChild(
  fn: (child: Task, parent: Task, m: ReturnType<typeof machine>['m'], parentPagetables: number) => void,
) {
  const { m } = machine({ arch: 'aarch64', memBytes: 64 << 20 }, { ignore: ['memcg.stat.slab'] });
  m.addProgram('/prog/fork', await a64(FORK));
  cgroup(m, 'g');
  let parentPagetables = 0;
  let ran = false;
  onMarker(m, (t, id) => {
    if (id === 1) parentPagetables = kv(cgRead(m, 'g', 'memory.stat')).pagetables!;
    if (id === 2) {
      ran = true;
      fn(t, t.parent!, m, parentPagetables);
    }
  });
  m.spawn({ path: '/prog/fork', cgroup: 'g' });
  expect(m.run().kind).toBe('exited');
  expect(ran).toBe(true);
}

describe('model bugs: fork (src/kernel/fork.ts ProcessTable.dupMm)', () => {
  /*
   * FIXED in the model (this is now a regression test). Was: a private anonymous page that is swapped out when the process forks is lost for the
   * parent once the child exits.  dupMm() copies the swap PTE into the child
   * (`mm.pgtable.setPte(address, lo, hi); mm.rss[2]++`) without taking a reference on the swap
   * slot, and the model keeps no per-slot count: the child's exit (zap_page_range →
   * KernelState.swapFree) deletes the slot, so the parent's later access finds no data
   * (do_swap_page: swapRead() → undefined → VM_FAULT_SIGBUS).  Input: memcg /g memory.max=1M,
   * swap 16M, a program writes 512 pages (byte = page index), forks, the child exits at once,
   * the parent reads every page back.  Expected (Linux): exit status 0, all data intact.
   * Actual: the parent dies of SIGBUS (wait status 135), memory.swap.current drops to 0 while the
   * parent still has 288 swap entries.  KernelState: mm/memory.c copy_nonpresent_pte() calls
   * swap_duplicate(entry) (swap_map count + 1) for a swap PTE; zap_pte_range() →
   * free_swap_and_cache() only drops one reference.
   */
  it('a swapped-out page survives fork + child exit (swap_duplicate)', async () => {
    const { m } = machine(
      { arch: 'aarch64', memBytes: 64 << 20, swapBytes: 16 << 20 },
      { ignore: ['memcg.stat.slab', 'swap', 'memcg.swap'] },
    );
    m.addProgram(
      '/prog/fs',
      await a64(`
  mov x19, #512
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov x10, x23
  mov x11, #0
1: strb w11, [x10]
  add x10, x10, #4096
  add x11, x11, #1
  cmp x11, x19
  b.ne 1b
  mov x0, #17
  mov x1, #0
  mov x2, #0
  mov x3, #0
  mov x4, #0
  mov x8, #SYS_clone
  svc #0
  cbnz x0, 5f
  exit_group 0
5:
  mov x0, #-1
  mov x1, #0
  mov x2, #0
  mov x3, #0
  mov x8, #SYS_wait4
  svc #0
  mov x10, x23
  mov x11, #0
2: ldrb w12, [x10]
  and x13, x11, #0xff
  cmp x12, x13
  b.ne 9f
  add x10, x10, #4096
  add x11, x11, #1
  cmp x11, x19
  b.ne 2b
  exit_group 0
9: exit_group 3
`),
    );
    cgroup(m, 'g');
    cgWrite(m, 'g', 'memory.max', '1M');
    const t = m.spawn({ path: '/prog/fs', cgroup: 'g' });
    expect(m.run().kind).toBe('exited');
    expect(t.exitStatus).toBe(0);
  });

  /*
   * FIXED in the model (this is now a regression test). Was: the page tables dupMm() builds for the child are charged to the root memcg, not to the
   * forking task's memcg.  dupMm() calls k.allocPgtablePage(mm, level) while the new mm's
   * ownerPid is still 0 (clone() sets `child.mm.ownerPid = child.pid` only after dupMm returns),
   * so KernelState.allocPgtablePage → mmMemcg(k, 0) → root (phys.memcg = root id, root.stat.kernel++).
   * Input: a process in /g with 16 touched pages forks.  Expected: /g memory.stat pagetables grows
   * by the child's pmd+pte tables (6.1 GFP_PGTABLE_USER = GFP_KERNEL|__GFP_ZERO|__GFP_ACCOUNT,
   * charged to current's memcg via __memcg_kmem_charge_page; include/asm-generic/pgalloc.h,
   * mm/memory.c copy_p4d_range → __pud_alloc/__pmd_alloc/__pte_alloc).  Actual: unchanged (0).
   */
  it("the child's page tables built by fork are charged to the forking task's memcg", async () => {
    await atForkChild((child, _parent, m, before) => {
      const after = kv(cgRead(m, 'g', 'memory.stat')).pagetables!;
      const childTables = child.mm!.pgtable.nr[2]! + child.mm!.pgtable.nr[3]!;
      expect(childTables).toBeGreaterThan(0);
      expect(after - before).toBe(childTables * 4096);
    });
  });

  /*
   * BUG: dupMm() does not charge the child's vm_area_struct copies (dup_mmap → vm_area_dup, a
   * SLAB_ACCOUNT cache): the child mm starts with only the mm_struct (1152 bytes) in
   * mm.slab.bytes, so memcg kernel/slab usage after fork is too low, and the child's
   * removeVma() later "uncharges" vm_area_structs that were never charged (the per-mm total only
   * comes back to 0 because freeMmKernelPages uncharges whatever is left).  Input: fork of a
   * process with N VMAs.  Expected: child slab bytes == parent slab bytes (same mm_struct + N
   * vm_area_structs; kernel/fork.c dup_mmap()).  Actual: 1152 vs 1152 + 152*k.
   */
  it("fork charges the child's copied vm_area_structs (slab) like the parent's", async () => {
    await atForkChild((child, parent) => {
      expect(child.mm!.slab.bytes).toBe(parent.mm!.slab.bytes);
    });
  });

  /*
   * FIXED in the model (this is now a regression test). Was: dupMm() copies the PTEs of every VMA, including private file mappings that never got an
   * anon_vma (the program text).  Linux copies page tables at fork only when
   * vma_needs_copy() says so: VM_HUGETLB/VM_PFNMAP/VM_MIXEDMAP, uffd-wp, or src_vma->anon_vma
   * (mm/memory.c copy_page_range; the same test was inline in 4.19 and 3.12).  Otherwise "a page
   * fault will fill them": the child's first instruction fetch after fork takes a minor fault on
   * its text page.  Input: FORK; the child calls getpid right after clone.  Expected: child
   * minflt 1 at that point (text refault).  Actual: 0 (the text PTE was copied).  The copied
   * PTEs also make the child's pgtables_bytes / RssFile|RssShmem differ from Linux right after
   * fork.
   */
  it('fork does not copy the text PTEs (no anon_vma): the child refaults its text page', async () => {
    await atForkChild((child) => {
      expect(child.minFlt).toBe(1);
    });
  });
});

describe('model bugs: memcg accounting of kernel objects', () => {
  /*
   * FIXED during this work (regression test, not a bug any more): KernelState.slabCharge() used to
   * return early when the per-mm page count did not change, *before* updating
   * memcg.stat.slab_unreclaimable, so memory.stat slab_unreclaimable/slab only moved when a page
   * boundary was crossed (1152 while 1760 were accounted for a hog, a 152..912 byte residue after
   * exit; checker id [memcg.stat.slab]).  The statistic now follows every accounted object
   * (6.1 mod_objcg_state(NR_SLAB_UNRECLAIMABLE_B, ±size)).
   */
  it('memory.stat slab_unreclaimable follows every accounted object and is 0 after exit', async () => {
    const { m } = machine({ arch: 'aarch64', memBytes: 64 << 20 });
    m.addProgram(
      '/prog/v',
      await a64(`
  mov x20, #4096
  mmap_anon x20
  mmap_anon x20
  mmap_anon x20
  marker 1
  exit_group 0
`),
    );
    cgroup(m, 'g');
    let running = -1;
    let accounted = -2;
    onMarker(m, (t) => {
      running = kv(cgRead(m, 'g', 'memory.stat')).slab_unreclaimable!;
      accounted = t.mm!.slab.bytes;
    });
    m.spawn({ path: '/prog/v', cgroup: 'g' });
    expect(m.run().kind).toBe('exited');
    expect(kv(cgRead(m, 'g', 'memory.stat')).slab_unreclaimable).toBe(0);
    expect(running).toBe(accounted);
  });

  /*
   * BUG: a failed memcg charge for a kernel object is ignored.  KernelState.slabCharge() and
   * KernelState.newMm() call try_charge() and drop its result: the object is "allocated" and
   * memcg.stat.kernel is incremented although memory.current was not, and the later uncharge
   * drives memory.current negative.  Input: an oom_score_adj -1000 task in /g; at a marker the
   * test sets memory.max = memory.current (after the stock is drained); the task then mmaps 24
   * one-page anonymous regions (each a vm_area_struct; the 20th crosses a slab page).  Expected:
   * the charge fails (memcg OOM with no killable task → -ENOMEM, mm/memcontrol.c
   * try_charge_memcg → nomem), so vm_area_alloc fails and mmap returns -ENOMEM; memory.current is
   * 0 after exit.  Actual: all 24 mmaps succeed and memory.current reads -4096 after exit
   * (checker ids [memcg.usage], [memcg.negative]).
   */
  it('a vm_area_struct whose memcg charge fails makes mmap fail; memory.current never goes negative', async () => {
    const { m } = machine({ arch: 'aarch64', memBytes: 64 << 20 }, { ignore: ['memcg'] });
    m.addProgram(
      '/prog/v',
      await a64(`
  marker 1
  mov x19, #24
  mov x21, #0
1: mov x20, #4096
  mmap_anon x20
  cmn x0, #4095
  b.hs 2f
  add x21, x21, #1
  subs x19, x19, #1
  b.ne 1b
2:
  marker 2
  exit_group 0
`),
    );
    cgroup(m, 'g');
    let mapped = -1n;
    onMarker(m, (t, id) => {
      if (id === 1) {
        // memory_max_write() drains the per-CPU stock only while usage is over the new limit:
        // one page below forces the drain, then the limit is set to the stock-free usage.
        cgWrite(m, 'g', 'memory.max', String(Number(cgRead(m, 'g', 'memory.current').trim()) - 4096));
        cgWrite(m, 'g', 'memory.max', cgRead(m, 'g', 'memory.current').trim());
      } else mapped = t.mm!.cpu.reg('x21');
    });
    m.spawn({ path: '/prog/v', cgroup: 'g', oomScoreAdj: -1000 });
    expect(m.run().kind).toBe('exited');
    expect(dmesg(m)).toContain('Out of memory and no killable processes...');
    expect(Number(cgRead(m, 'g', 'memory.current'))).toBe(0);
    expect(mapped < 24n).toBe(true);
  });

  /*
   * FIXED in the model (this is now a regression test). Was: the root memcg's memory.stat only grows.  KernelState.commitAnonPage() records root-charged
   * pages with phys.memcg = 0 but still does root.stat.anon++ / inactive_anon++; uncharge_folio()
   * (src/mm/memory.ts) finds no memcg for phys.memcg 0 and never decrements them.  Input: three
   * runs of a root-cgroup program touching 100 pages.  Expected: /sys/fs/cgroup/memory.stat anon
   * back to 0 once they exited (6.1 charges root folios with folio->memcg_data = root and updates
   * its lruvec stats on both sides; mm/memcontrol.c commit_charge / uncharge_folio).  Actual:
   * anon = 1241088 (303 pages) with nothing running.
   */
  it('root memcg memory.stat anon returns to 0 after root-cgroup processes exit', async () => {
    const { m } = machine({ arch: 'aarch64', memBytes: 64 << 20 });
    m.addProgram(
      '/prog/r',
      await a64(`
  mov x19, #100
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #1
  touch_w x23, x19
  exit_group 0
`),
    );
    for (let i = 0; i < 3; i++) {
      m.spawn({ path: '/prog/r' });
      expect(m.run().kind).toBe('exited');
    }
    expect(kv(cgRead(m, '/', 'memory.stat')).anon).toBe(0);
  });

  /*
   * FIXED in the model (this is now a regression test). Was: the 3.12 profile charges accounted slab objects to the memcg.  KernelState.slabCharge()
   * charges mm_struct/vm_area_struct pages for every version; 3.12 has no SLAB_ACCOUNT (4.5+) and
   * kmem accounting is only active for a memcg with a kmem limit (memcg_kmem_is_active(),
   * mm/memcontrol.c 3.12), so a default 3.12 memcg never charges them.  Input: 3.12, hog in /g at
   * memory.max=8M.  Expected report: "kmem: usage 0kB, ..." (kernel-reference §11 3.12 skeleton)
   * and rss up to the full 8192KB.  Actual: "kmem: usage 4kB, ..." (one slab page).
   */
  it('3.12: no kmem charge without a kmem limit ("kmem: usage 0kB")', async () => {
    const { m } = machine(
      { arch: 'aarch64', kernel: '3.12', memBytes: 256 << 20 },
      { everyNthFault: 512, ignore: ['memcg.stat.slab'] },
    );
    m.addProgram(
      '/prog/hog',
      await a64(`
  mov x19, #16384
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #1
  touch_w x23, x19
  exit_group 0
`),
    );
    cgroup(m, 'g');
    cgWrite(m, 'g', 'memory.max', '8M');
    m.spawn({ path: '/prog/hog', cgroup: 'g' });
    expect(m.run().kind).toBe('exited');
    expect(dmesg(m).find((l) => l.startsWith('kmem: usage'))).toBe(
      'kmem: usage 0kB, limit 18014398509481983kB, failcnt 0',
    );
  });
});

describe('model bugs: /proc', () => {
  /*
   * FIXED in the model (this is now a regression test). Was: /proc/<pid>/status (and statm) read the *true* RSS (trueMmCounter: mm counter + every
   * thread's unsynced SPLIT_RSS cache, src/fs/proc/task_mmu.ts task_mem()/task_statm()), while the OOM killer,
   * dump_tasks and /proc/<pid>/oom_score read get_mm_counter() (synced counter only).  In Linux
   * 6.1 task_mem() and task_statm() use get_mm_counter() too (fs/proc/task_mmu.c), so the two
   * files always agree (and both lag by up to TASK_RSS_EVENTS_THRESH faults;
   * Documentation/filesystems/proc.rst notes VmRSS is inaccurate for this reason).  Input: a
   * program writes 40 pages (41 faults since exec, below the 66th that syncs) and sleeps; 16 MiB
   * 'bare' machine.  Expected: oom_score recomputed from status VmRSS/VmSwap/VmPTE equals
   * /proc/<pid>/oom_score, and RssAnon equals get_mm_counter(MM_ANONPAGES).  Actual: status
   * includes the 40 anon + 1 shmem pages still in the task's cache (RssAnon 164 kB vs 4 kB
   * synced), so the recomputed oom_score is higher than the file's.
   */
  it('/proc/<pid>/status RSS agrees with /proc/<pid>/oom_score (both get_mm_counter)', async () => {
    const { m } = machine({ arch: 'aarch64', memBytes: 16 << 20, machine: 'bare' });
    m.addProgram('/prog/ts', await a64(TOUCH_SLEEP_A64, 'touch_sleep.S'));
    let checked = false;
    onMarker(m, (t, id) => {
      if (id !== 1) return;
      const st = kb(proc(m, t.pid, 'status'));
      const mi = kb(filename_lookup(m.sys.vfs, '/proc/meminfo', null)!.read());
      const totalpages = mi.MemTotal! / 4 + mi.SwapTotal! / 4;
      const fromStatus = oomScore61(badnessFromStatus(st, 0, totalpages), totalpages);
      checked = true;
      expect(Number(proc(m, t.pid, 'oom_score'))).toBe(fromStatus);
      // and RssAnon is what the OOM report's dump_tasks/"Killed process" lines use for this task
      expect(st.RssAnon! / 4).toBe(get_mm_counter(t.mm!, MM_ANONPAGES));
    });
    m.spawn({ path: '/prog/ts', argv: ['/prog/ts', '40', '1'] });
    expect(m.run().kind).toBe('exited');
    expect(checked).toBe(true);
  });

  /*
   * FIXED in the model (this is now a regression test). Was: page-table zaps count RSS into the running task's SPLIT_RSS cache.  zap_page_range()
   * (src/mm/memory.ts; munmap, MADV_DONTNEED, exit) and the reclaim unmap (vmscan.ts unmapAll)
   * use add_mm_counter_fast(), which adds to current->rss_stat when current->mm is the mm.  Linux
   * applies these directly to mm->rss_stat: zap_pte_range() ends with add_mm_rss_vec(mm, rss)
   * (add_mm_counter) and try_to_unmap_one() uses dec_mm_counter()/inc_mm_counter()
   * (mm/memory.c, mm/rmap.c, 6.1 and 4.19); only the fault paths use the *_fast variants.  So
   * in Linux the OOM killer (get_mm_counter) sees freed memory at once.  Input: a task writes 300
   * pages, flushes its cache (70 zero-page reads), then MADV_DONTNEED's the 300 pages; 16 MiB
   * 'bare' machine.  Expected: /proc/<pid>/oom_score drops (720 → 668 here).  Actual: it stays 720
   * because the -300 sits in the task's cache until 66 more faults happen.
   */
  it('MADV_DONTNEED lowers /proc/<pid>/oom_score at once (zap counts go straight to the mm)', async () => {
    const { m } = machine({ arch: 'aarch64', memBytes: 16 << 20, machine: 'bare' });
    m.addProgram(
      '/prog/d',
      await a64(`
  mov x19, #300
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #5
  touch_w x23, x19
  sync_rss
  marker 1
  mov x0, x23
  lsl x1, x19, #12
  mov x2, #4
  mov x8, #SYS_madvise
  svc #0
  marker 2
  exit_group 0
`),
    );
    const score: number[] = [];
    const want: number[] = [];
    onMarker(m, (t) => {
      score.push(Number(proc(m, t.pid, 'oom_score')));
      const st = kb(proc(m, t.pid, 'status'));
      const mi = kb(filename_lookup(m.sys.vfs, '/proc/meminfo', null)!.read());
      const totalpages = mi.MemTotal! / 4 + mi.SwapTotal! / 4;
      want.push(oomScore61(badnessFromStatus(st, 0, totalpages), totalpages));
    });
    m.spawn({ path: '/prog/d' });
    expect(m.run().kind).toBe('exited');
    expect(score[0]).toBe(want[0]); // synced before the madvise
    expect(score[1]).toBeLessThan(score[0]!);
    expect(score[1]).toBe(want[1]);
  });

  /*
   * BUG (depends on what spawn() stands for): Machine.spawn() sets
   * `t.oomScoreAdjMin = Math.min(0, t.oomScoreAdj)`.  If spawn models a privileged runner writing
   * /proc/<pid>/oom_score_adj before dropping to `uid`, Linux sets oom_score_adj_min to the
   * written value (fs/proc/base.c __set_oom_adj: `if (!legacy && has_capability_noaudit(current,
   * CAP_SYS_RESOURCE)) task->signal->oom_score_adj_min = (short)oom_adj;`), also when it is
   * positive, and the uid-1000 task then cannot go below it.  Input: spawn({oomScoreAdj: 500,
   * uid: 1000}); the task writes 0 to its oom_score_adj.  Expected: -EACCES.  Actual: accepted
   * (min is 0).
   */
  it('spawn({oomScoreAdj: 500, uid: 1000}): the task cannot lower its oom_score_adj below 500', async () => {
    const { m } = machine({ arch: 'aarch64', memBytes: 64 << 20 });
    m.addProgram('/prog/ts', await a64(TOUCH_SLEEP_A64, 'touch_sleep.S'));
    const t = m.spawn({ path: '/prog/ts', argv: ['/prog/ts', '1', '1'], uid: 1000, oomScoreAdj: 500 });
    expect(filename_lookup(m.sys.vfs, `/proc/${t.pid}/oom_score_adj`, t)!.write!('0')).toBe(-13);
  });
});

describe('model bugs: mmap', () => {
  /*
   * FIXED in the model (this is now a regression test). Was: __vm_enough_memory() is always called with cap_sys_admin = true: do_mmap(),
   * do_mprotect_pkey() and expand_stack() (src/mm/mmap.ts) pass `true` whatever the task's uid, so
   * admin_reserve_kbytes is never subtracted for unprivileged tasks (mode 2; also the 4.19/3.12
   * mode-0 heuristic).  Input: overcommit_memory=2, a uid-1000 task mmaps exactly the first size
   * that the non-admin limit refuses.  Expected: -ENOMEM (mm/util.c __vm_enough_memory: `if
   * (!cap_sys_admin) allowed -= sysctl_admin_reserve_kbytes >> (PAGE_SHIFT - 10);`, cap from
   * security_vm_enough_memory_mm → cap_vm_enough_memory → CAP_SYS_ADMIN).  Actual: it succeeds.
   */
  it('overcommit_memory=2: an unprivileged task does not get the admin reserve', async () => {
    const { m } = machine({ arch: 'aarch64', memBytes: 64 << 20, sysctls: { 'vm.overcommit_memory': 2 } });
    m.addProgram(
      '/prog/oc',
      await a64(`
  marker 1
  mov x0, #0
  mov x1, x19
  mov x2, #3
  mov x3, #0x22
  mov x4, #-1
  mov x5, #0
  mov x8, #SYS_mmap
  svc #0
  mov x21, x0
  marker 2
  exit_group 0
`),
    );
    let ret = 0n;
    onMarker(m, (t, id) => {
      if (id === 1) t.mm!.cpu.setReg('x19', BigInt(overcommitBoundary(m, t, false).fail * 4096));
      else ret = BigInt.asIntN(64, t.mm!.cpu.reg('x21'));
    });
    m.spawn({ path: '/prog/oc', uid: 1000 });
    expect(m.run().kind).toBe('exited');
    expect(ret).toBe(-12n);
  });

  /*
   * FIXED in the model (this is now a regression test). Was: MAP_SHARED|MAP_ANONYMOUS memory cannot be used: the first write gets SIGBUS.  do_mmap()
   * (src/mm/mmap.ts) creates a plain anonymous VMA with VM_SHARED and do_anonymous_page()
   * (src/mm/memory.ts) returns VM_FAULT_SIGBUS for VM_SHARED.  Linux backs a shared anonymous
   * mapping with shmem (mm/mmap.c mmap_region → shmem_zero_setup), so it has vm_ops and never
   * reaches that SIGBUS (which is only for VM_SHARED VMAs without vm_ops).  Input: mmap(4096,
   * RW, MAP_SHARED|MAP_ANONYMOUS), store a byte, exit 0.  Expected: exit status 0.  Actual:
   * SIGBUS (wait status 135), "level 2 translation fault".
   */
  it('MAP_SHARED|MAP_ANONYMOUS memory is writable (shmem-backed)', async () => {
    const { m } = machine({ arch: 'aarch64', memBytes: 64 << 20 });
    m.addProgram(
      '/prog/sh',
      await a64(`
  mov x0, #0
  mov x1, #4096
  mov x2, #3
  mov x3, #0x21
  mov x4, #-1
  mov x5, #0
  mov x8, #SYS_mmap
  svc #0
  mov w2, #1
  strb w2, [x0]
  exit_group 0
`),
    );
    const t = m.spawn({ path: '/prog/sh' });
    expect(m.run().kind).toBe('exited');
    expect(t.exitStatus).toBe(0);
  });

  /*
   * BUG: MAP_SHARED file mappings do not share data.  Every mmap gets its own host buffer
   * (mmap.ts mapRegion: Buffer.alloc) which finish_fault()/fillFromFile() (src/mm/memory.ts)
   * fill from the file's original bytes; the page-cache frame is shared only in the bookkeeping
   * (same pfn, mapcount 2), not in content.  Input: /data/f (0x11 bytes); process W maps it
   * MAP_SHARED RW and stores 0x42 at offset 0, then sleeps; process R maps it MAP_SHARED one
   * second later and exits with the byte it reads.  Expected: R exits 0x42 (both PTEs map the
   * same page-cache page; mm/filemap.c filemap_fault, mm/memory.c do_shared_fault).  Actual: R
   * exits 0x11 (17), on disk and on tmpfs rootfs alike.
   */
  it.fails("two MAP_SHARED mappings of one file see each other's writes", async () => {
    const common = (body: string) => `
  mov x0, #-100
  adr x1, 20f
  mov x2, #2
  mov x3, #0
  mov x8, #SYS_openat
  svc #0
  mov x24, x0
  mov x0, #0
  mov x1, #0x1000
  mov x2, #3
  mov x3, #1
  mov x4, x24
  mov x5, #0
  mov x8, #SYS_mmap
  svc #0
  mov x25, x0
${body}
20: .asciz "/data/f"
  .balign 4
`;
    const { m } = machine({ arch: 'aarch64', memBytes: 64 << 20, rootfs: 'disk' });
    m.addProgram(
      '/prog/w',
      await a64(
        common(`
  mov w2, #0x42
  strb w2, [x25]
  mov x20, #2
  sleep_s x20
  exit_group 0
`),
      ),
    );
    m.addProgram(
      '/prog/r',
      await a64(
        common(`
  mov x20, #1
  sleep_s x20
  ldrb w0, [x25]
  mov x8, #SYS_exit_group
  svc #0
`),
      ),
    );
    m.addProgram('/data/f', new Uint8Array(4096).fill(0x11));
    m.spawn({ path: '/prog/w' });
    const r = m.spawn({ path: '/prog/r' });
    expect(m.run().kind).toBe('exited');
    expect(r.exitCode).toBe(0x42);
  });

  /*
   * FIXED in the model (this is now a regression test). Was: after munmap() of the middle of a mapping, a later mmap() without an address fails
   * with -ENOMEM.  get_unmapped_area() (src/mm/mmap.ts) merges VMAs and engine regions into one
   * "occupied" list but its single top-down pass returns the munmapped hole, which still lies
   * inside the original engine region (the region is only unmapped when no VMA uses it);
   * mapRegion() then fails (Cpu.map overlap) and do_mmap returns -ENOMEM.  Input: mmap 64 pages,
   * munmap pages 16..31, mmap 16 pages.  Expected: a valid address (mm/mmap.c
   * get_unmapped_area finds the hole or another gap).  Actual: -12.
   */
  it('mmap after munmap of a hole in a mapping succeeds', async () => {
    const { m } = machine({ arch: 'aarch64', memBytes: 64 << 20 });
    m.addProgram(
      '/prog/h',
      await a64(`
  mov x19, #64
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  add x0, x23, #0x10000
  mov x1, #0x10000
  mov x8, #SYS_munmap
  svc #0
  mov x19, #16
  lsl x22, x19, #12
  mmap_anon x22
  mov x25, x0
  marker 1
  exit_group 0
`),
    );
    let ret = 0n;
    onMarker(m, (t) => (ret = BigInt.asIntN(64, t.mm!.cpu.reg('x25'))));
    m.spawn({ path: '/prog/h' });
    expect(m.run().kind).toBe('exited');
    expect(ret > 0n).toBe(true);
  });

  /*
   * FIXED in the model (this is now a regression test). Was: mmap(MAP_FIXED) over part of an existing mapping fails with -ENOMEM *after* unmapping
   * the old pages.  do_mmap() (src/mm/mmap.ts) calls do_munmap() for the range and then re-checks
   * rangeFree(), which also requires the range to be free of engine regions; the old region
   * still covers it, so it returns -ENOMEM: the caller lost its mapping and got no new one.
   * Input: mmap 64 pages at A, then mmap(A + 64K, 64K, RW, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED).
   * Expected: returns A + 64K (mm/mmap.c mmap_region: do_mas_munmap of the overlap, then the new
   * VMA).  Actual: -12 and [A+64K, A+128K) is unmapped.
   */
  it('MAP_FIXED over part of an existing mapping replaces it', async () => {
    const { m } = machine({ arch: 'aarch64', memBytes: 64 << 20 });
    m.addProgram(
      '/prog/f',
      await a64(`
  mov x19, #64
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  add x24, x23, #0x10000
  mov x20, #0x10000
  mmap_fixed x24, x20
  mov x25, x0
  marker 1
  exit_group 0
`),
    );
    let ret = 0n;
    let want = 0n;
    onMarker(m, (t) => {
      ret = BigInt.asIntN(64, t.mm!.cpu.reg('x25'));
      want = t.mm!.cpu.reg('x24');
    });
    m.spawn({ path: '/prog/f' });
    expect(m.run().kind).toBe('exited');
    expect(ret).toBe(want);
  });
});
