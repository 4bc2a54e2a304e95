/**
 * The sections of one `faultpath explain oom` explanation, in print order: the kind of OOM and
 * totalpages it implies, 1. header and gfp mask, 2. memcg or global, 3. call trace, 4. memcg
 * usage / show_mem(), 5. task table, 6. constraint summary, 7. the kill.  Each writes its text
 * into the Ctx and returns what the report object keeps.  Sections 8 and 9 are in oom-victim.ts.
 */
import { PROFILES } from '../include/faultpath/profile.js';
import { GFP_PROFILES, formatGfpFlags } from '../include/linux/gfp.js';
import {
  PAGE_KB,
  UNLIMITED_KB,
  baseName,
  fmtKb,
  hex,
  kbToPages,
  pad,
  padEnd,
  say,
  type Ctx,
  type MemInfo,
  type MemcgInfo,
  type OomKind,
  type Totalpages,
} from './oom-context.js';
import { CONSTRAINT_MEANING, FRAME_MEANING, GFP_MEANING } from './oom-meanings.js';
import type { OomFormat, OomKilledLine, OomReport } from './oom-report.js';

/** Report formats the explanation decodes only as far as it can (3.12: no flag names, fewer markers). */
const BEST_EFFORT: Record<OomFormat, boolean> = { '6.1': false, '4.19': false, '3.12': true };

/** Memcg or global: which lines of the report say so (and the memcg lines seen, for the checks). */
export function classifyKind(
  p: OomReport,
  v: OomFormat,
): { kind: OomKind; kindEvidence: string[]; memcgEvidence: string[] } {
  const memcgEvidence: string[] = [];
  if (p.counters.memory) memcgEvidence.push(`"memory: usage … limit … failcnt" (${PROFILES[v].oomReport.memcgInfo})`);
  if (p.statsFor.length) memcgEvidence.push(`"Memory cgroup stats for ${p.statsFor[0]}:"`);
  if (p.taskIn419) memcgEvidence.push('"Task in … killed as a result of limit of …" (4.19 mem_cgroup_print_oom_info)');
  if (p.limitReached419) memcgEvidence.push('"Memory limit reached of cgroup …"');
  const globalEvidence: string[] = [];
  if (p.memInfoSeen) globalEvidence.push('"Mem-Info:" (show_mem(), printed only when oc->memcg is NULL)');
  if (p.summary?.global_oom) globalEvidence.push('",global_oom" in the oom-kill: summary');
  const constraint = p.summary?.constraint ?? null;
  const summaryMemcg = constraint === 'CONSTRAINT_MEMCG' || p.summary?.oom_memcg !== undefined;
  const kind: OomKind =
    memcgEvidence.length ||
    (summaryMemcg && !globalEvidence.length) ||
    (p.selection?.message ?? p.killed[0]?.message ?? '').startsWith('Memory cgroup')
      ? 'memcg'
      : 'global';
  const kindEvidence = kind === 'memcg' ? [...memcgEvidence] : [...globalEvidence];
  if (constraint) kindEvidence.push(`constraint=${constraint}`);
  const killMsg = p.killed[0]?.message ?? p.selection?.message ?? null;
  if (killMsg) kindEvidence.push(`kill message "${killMsg}"`);
  return { kind, kindEvidence, memcgEvidence };
}

/** mem_cgroup_get_max(): the memcg limit (+ swap), from the memcg counter lines. */
function memcgTotalpages(p: OomReport, v: OomFormat): Totalpages {
  const mem = p.counters.memory;
  if (!mem)
    return {
      value: null,
      exact: false,
      how: 'memcg OOM but no "memory: usage … limit …" line: totalpages (mem_cgroup_get_max()) unknown',
    };
  const limitPages = kbToPages(mem.limitKb);
  let value = limitPages;
  let exact = true;
  let how = `mem_cgroup_get_max(): memory limit ${mem.limitKb}kB = ${limitPages} pages`;
  const sw = p.counters.swap;
  const msw = p.counters['memory+swap'];
  const viaSwapMax = PROFILES[v].memcgGetMaxSwap === 'swap.max';
  if (viaSwapMax && sw) {
    if (sw.limitKb >= UNLIMITED_KB) {
      exact = false;
      how +=
        ' + min(swap.max = max, total_swap_pages): total_swap_pages is not printed in a memcg report, assumed 0 (no swap device)';
    } else if (sw.limitKb > 0) {
      value += kbToPages(sw.limitKb);
      exact = false;
      how += ` + swap limit ${sw.limitKb}kB = ${kbToPages(sw.limitKb)} pages (the kernel caps this at total_swap_pages, which a memcg report does not print)`;
    } else {
      how += ' + swap limit 0kB';
    }
  } else if (msw) {
    if (msw.limitKb >= UNLIMITED_KB) {
      exact = false;
      how += ' (+ swap up to total_swap_pages, not printed in a memcg report: assumed 0, no swap device)';
    } else if (msw.limitKb > mem.limitKb) {
      value = viaSwapMax ? limitPages + kbToPages(msw.limitKb - mem.limitKb) : kbToPages(msw.limitKb);
      exact = false;
      how += ` + swap allowed by memory+swap limit ${msw.limitKb}kB → ${value} pages (capped by total_swap_pages in the kernel; assumes enough swap)`;
    }
  }
  if (value === 0) {
    value = 1;
    how += '; "?: 1" makes a zero limit 1';
  }
  how += ' (constrained_alloc(): CONSTRAINT_MEMCG; swap only counts when the memcg swappiness is not 0)';
  return { value, exact, how };
}

/** totalram_pages + total_swap_pages, estimated from show_mem()'s lines. */
function globalTotalpages(p: OomReport): Totalpages {
  const constraint = p.summary?.constraint ?? null;
  if (p.pagesRam !== null && p.pagesReserved !== null) {
    const swapPages = p.totalSwapKb !== null ? kbToPages(p.totalSwapKb) : 0;
    const value = p.pagesRam - p.pagesReserved + swapPages;
    let how = `estimate of totalram_pages + total_swap_pages = "${p.pagesRam} pages RAM" − "${p.pagesReserved} pages reserved" + Total swap ${p.totalSwapKb ?? 0}kB/4 = ${value}. It is an estimate: totalram_pages counts managed pages, and __show_mem() prints "reserved" as present − managed summed over all zones`;
    if (p.zones.length) {
      const managed = p.zones.reduce((a, z) => a + kbToPages(z.managedKb), 0);
      how += `; the printed zones' managed: sum to ${managed} pages${managed === p.pagesRam - p.pagesReserved ? ' (agrees)' : " (show_free_areas() may omit zones above the allocation's highest zone)"}`;
    }
    if (p.totalSwapKb === null) how += '; no "Total swap" line: swap assumed 0';
    if (constraint === 'CONSTRAINT_CPUSET' || constraint === 'CONSTRAINT_MEMORY_POLICY')
      how += `; ${constraint}: the kernel used only the pages of the allowed nodes (+ swap), which the report does not give — the figure above is too large`;
    return { value, exact: false, how };
  }
  return {
    value: null,
    exact: false,
    how: 'global OOM without "pages RAM"/"pages reserved" lines: totalpages unknown',
  };
}

/** constrained_alloc()'s totalpages, as far as the report tells it. */
export function estimateTotalpages(p: OomReport, v: OomFormat, kind: OomKind): Totalpages {
  return kind === 'memcg' ? memcgTotalpages(p, v) : globalTotalpages(p);
}

/** 1. The header line (and the 4.19 cpuset line). */
export function sayHeader(cx: Ctx, index: number): void {
  const { p, v, kind } = cx;
  const title = `OOM report ${index} — Linux ${v} format${BEST_EFFORT[v] ? ' (best effort)' : ''}, ${kind === 'memcg' ? 'memory-cgroup OOM' : 'global (system-wide) OOM'}`;
  say(cx, title);
  say(cx, '='.repeat(title.length));
  say(cx, `Format: ${p.formatEvidence.join('; ')}.`);
  say(cx, '');
  say(cx, '1. Header — dump_header() (mm/oom_kill.c)');
  say(cx, `   > ${p.header.line}`);
  const invokerPid = p.cpu?.pid ?? null;
  say(
    cx,
    `   Invoking task: ${p.header.comm}${invokerPid !== null ? ` (PID ${invokerPid}, from the "CPU: … PID: … Comm:" line of dump_stack())` : ''} — "current", whose allocation or charge failed. It is not necessarily the victim.`,
  );
  say(
    cx,
    `   oom_score_adj=${p.header.oomScoreAdj} is the invoking task's own current->signal->oom_score_adj (−1000…1000), printed for context.`,
  );
  if (p.header.order === -1)
    say(cx, '   order=-1: SysRq-f (moom_callback()); no allocation failed, the OOM killer was forced.');
  else
    say(
      cx,
      `   order=${p.header.order}: the failed request was 2^${p.header.order} = ${2 ** Math.max(0, p.header.order)} contiguous page(s) (${PAGE_KB * 2 ** Math.max(0, p.header.order)} kB). Orders above PAGE_ALLOC_COSTLY_ORDER (3) never reach the OOM killer (__alloc_pages_may_oom(), mem_cgroup_oom()).`,
    );
  if (p.header.nodemask !== null)
    say(
      cx,
      `   nodemask=${p.header.nodemask}: 4.19 prints oc->nodemask, which is (null) unless constrained_alloc() found CONSTRAINT_MEMORY_POLICY.`,
    );
  if (p.cpusetLine)
    say(
      cx,
      `   > ${p.cpusetLine}\n     cpuset_print_current_mems_allowed(): the invoking task's cpuset and allowed memory nodes.`,
    );
}

/** 1. (cont.) The gfp mask, flag by flag; returns the set flags by name. */
export function sayGfp(cx: Ctx): string[] {
  const { p, v, kind } = cx;
  const prof = GFP_PROFILES[v];
  const gfpFlags: string[] = [];
  say(
    cx,
    `   gfp_mask=${hex(p.header.gfpMask)}${p.header.gfpText !== null ? `(${p.header.gfpText})` : ''} decoded with the ${v} bit values:`,
  );
  if (p.header.gfpMask === 0) {
    say(
      cx,
      '     0: no allocation context. pagefault_out_of_memory() (4.19/3.12) and SysRq-f call out_of_memory() with gfp_mask 0; out_of_memory()\'s "!__GFP_FS → no kill" test only applies to a non-zero mask, so a kill is allowed.',
    );
  } else {
    let rest = p.header.gfpMask;
    const bits = Object.entries(prof.bits)
      .filter(([, b]) => b !== 0)
      .sort((a, b) => a[1] - b[1]);
    for (const [name, bit] of bits) {
      if ((p.header.gfpMask & bit) >>> 0 !== bit) continue;
      gfpFlags.push(name);
      rest = (rest & ~bit) >>> 0;
      say(cx, `     ${padEnd(hex(bit), 9)} ${padEnd(name, 22)} ${GFP_MEANING[name] ?? ''}`);
    }
    if (rest) say(cx, `     ${padEnd(hex(rest), 9)} (unknown bits in ${v})`);
    const rendered = formatGfpFlags(p.header.gfpMask, v);
    if (p.header.gfpText !== null) {
      if (rendered === p.header.gfpText)
        say(
          cx,
          `     %pGg renders the composite names first (format_flags() over gfpflag_names[]): ${rendered} — matches the printed text.`,
        );
      else
        cx.notes.push(
          `gfp_mask ${hex(p.header.gfpMask)} renders as "${rendered}" with the ${v} name table, the report printed "${p.header.gfpText}" (config-dependent flags such as KASAN/LOCKDEP bits, or another kernel version)`,
        );
    } else {
      say(cx, `     (3.12 prints no flag names; the tracepoint names would be ${rendered})`);
    }
    // the profile's __GFP_DIRECT_RECLAIM bit (__GFP_WAIT before 4.4)
    const canReclaim = (p.header.gfpMask & PROFILES[v].gfp.DIRECT_RECLAIM) !== 0;
    const fs = gfpFlags.includes('__GFP_FS');
    say(
      cx,
      `     For reclaim/OOM: direct reclaim ${canReclaim ? 'allowed' : 'NOT allowed'}; __GFP_FS ${fs ? 'set (a global OOM may kill)' : 'clear (out_of_memory() would not kill for a global OOM)'}${gfpFlags.includes('__GFP_NORETRY') || gfpFlags.includes('__GFP_RETRY_MAYFAIL') ? '; NORETRY/RETRY_MAYFAIL normally keep the OOM killer out' : ''}.`,
    );
    // 3.12's memcg OOM does not go through out_of_memory() with the charge's gfp
    if (kind === 'memcg' && PROFILES[v].memcgOomViaOutOfMemory)
      say(
        cx,
        "     For a memcg OOM this is the gfp of the failed charge (GFP_KERNEL when a user page is charged), not the page allocation's mask.",
      );
  }
  say(cx, '');

  return gfpFlags;
}

/** 2. Memory cgroup OOM or global OOM. */
export function sayKind(cx: Ctx, kindEvidence: string[]): void {
  const { kind } = cx;
  say(cx, '2. Memory cgroup OOM or global OOM?');
  if (kind === 'memcg') {
    say(cx, `   Memory-cgroup OOM: ${kindEvidence.join('; ')}.`);
    say(
      cx,
      '   dump_header() prints the memcg counters and stats of the OOM memcg instead of show_mem()\'s "Mem-Info:"; only tasks of that memcg\'s subtree are candidates (mem_cgroup_scan_tasks()); totalpages = the memcg limit (mem_cgroup_get_max()).',
    );
  } else {
    say(cx, `   Global OOM: ${kindEvidence.length ? kindEvidence.join('; ') : 'no memcg lines in the report'}.`);
    say(
      cx,
      '   oc->memcg is NULL: the whole machine ran out (after reclaim), dump_header() calls show_mem() ("Mem-Info:"), every process is a candidate (for_each_process()), totalpages = totalram_pages + total_swap_pages (constrained_alloc()).',
    );
  }
  say(cx, '');
}

/** The paths a call trace shows (fault, syscall, memcg charge, page allocator, SysRq). */
function classifyPath(frames: string[], gfpMask: number, order: number): string[] {
  const names = new Set(frames.map(baseName));
  const has = (...f: string[]) => f.filter((x) => names.has(x));
  const out: string[] = [];
  if (order === -1 || has('moom_callback', 'sysrq_handle_moom').length)
    out.push('SysRq-f manual OOM (moom_callback(), order=-1): no allocation failed');
  const x86pf = has('asm_exc_page_fault', 'exc_page_fault', 'do_user_addr_fault', 'page_fault', '__do_page_fault');
  const armpf = has('el0_da', 'el0_ia', 'do_mem_abort', 'do_translation_fault');
  if (armpf.length) out.push(`user page fault (arm64: ${armpf.join(' / ')} → do_page_fault → handle_mm_fault)`);
  else if (x86pf.length) out.push(`user page fault (x86: ${x86pf.join(' / ')} → handle_mm_fault)`);
  else if (has('handle_mm_fault').length)
    out.push('page fault (handle_mm_fault; the entry frames are not in the trace)');
  const sys = has('do_syscall_64', 'entry_SYSCALL_64_after_hwframe', 'el0_svc', 'invoke_syscall');
  if (sys.length) out.push(`system call (${sys.join(' / ')}): a kernel allocation on behalf of a syscall`);
  if (has('pagefault_out_of_memory').length)
    out.push(
      gfpMask === 0
        ? 'pagefault_out_of_memory(): VM_FAULT_OOM reached the arch handler and no memcg OOM was pending → global out_of_memory() with gfp_mask 0 (4.19; removed in 5.16/6.1)'
        : 'pagefault_out_of_memory(): deferred OOM at the end of the fault',
    );
  if (has('mem_cgroup_oom_synchronize').length)
    out.push('mem_cgroup_oom_synchronize(): memcg OOM deferred to the end of the fault');
  const charge = has('try_charge_memcg', 'try_charge', 'mem_cgroup_out_of_memory');
  if (charge.length)
    out.push(
      `memcg charge failed (${charge.join(' → ')}): the memory cgroup hit its limit and reclaim could not make room`,
    );
  const alloc = has('__alloc_pages_slowpath', '__alloc_pages_may_oom', '__alloc_pages', '__alloc_pages_nodemask');
  if (alloc.length)
    out.push(
      `page allocator (${alloc.join(' → ')}): free memory below the min watermark, reclaim retries exhausted → __alloc_pages_may_oom() → out_of_memory()`,
    );
  const what = has(
    'alloc_zeroed_user_highpage_movable',
    'vma_alloc_folio',
    'alloc_pages_vma',
    'do_anonymous_page',
    'wp_page_copy',
    'do_cow_fault',
    '__pte_alloc',
    'pte_alloc_one',
  );
  if (what.length) out.push(`allocating: ${what.join(', ')}`);
  return out;
}

/** 3. The call trace; returns its path classification. */
export function sayCallTrace(cx: Ctx): string[] {
  const { p } = cx;
  say(cx, '3. Call trace — which path invoked the OOM killer (innermost frame first)');
  if (!p.frames.length) say(cx, '   (no call trace found)');
  for (const f of p.frames) {
    const unreliable = f.startsWith('? ');
    const b = baseName(f);
    const suffix = /\.cold\b/.test(f) ? ' (.cold: compiler-outlined unlikely part)' : '';
    say(
      cx,
      `   ${padEnd(f, 42)} ${unreliable ? 'unreliable x86 unwinder entry ("? "), not a real caller' : (FRAME_MEANING[b] ?? '')}${unreliable ? '' : suffix}`,
    );
  }
  const path = classifyPath(p.frames, p.header.gfpMask, p.header.order);
  if (path.length) {
    say(cx, '   Path:');
    for (const x of path) say(cx, `   - ${x}`);
  }
  const fr = new Set(p.frames.map(baseName));
  if (fr.has('out_of_memory') && !fr.has('oom_kill_process'))
    say(
      cx,
      '   out_of_memory() printed the header itself (no oom_kill_process() frame): dump_header(oc, NULL) before a panic or "no killable processes".',
    );
  say(cx, '');

  return path;
}

/** 4. The memcg counters and stats of a memcg OOM. */
export function sayMemcg(cx: Ctx): MemcgInfo | null {
  const { p, v, kind } = cx;
  let memcgInfo: MemcgInfo | null = null;
  if (kind === 'memcg' || p.memcgLines.length) {
    say(cx, '4. Memory cgroup usage — mem_cgroup_print_oom_meminfo() (6.1) / mem_cgroup_print_oom_info() (4.19)');
    if (p.taskIn419)
      say(
        cx,
        `   > Task in ${p.taskIn419.task} killed as a result of limit of ${p.taskIn419.limit}\n     the victim's memcg and the memcg whose limit was hit (the OOM domain).`,
      );
    const c = p.counters;
    // 6.1 mem_cgroup_print_oom_meminfo(): memory.stat in bytes, memsw only on cgroup v1
    const printsMeminfo = PROFILES[v].oomReport.memcgInfo === 'mem_cgroup_print_oom_meminfo';
    const line = (k: 'memory' | 'swap' | 'memory+swap' | 'kmem', what: string) => {
      const x = c[k];
      if (!x) return;
      say(cx, `   > ${k}: usage ${x.usageKb}kB, limit ${x.limitKb}kB, failcnt ${x.failcnt}`);
      say(
        cx,
        `     ${what}: usage ${fmtKb(x.usageKb)}, limit ${fmtKb(x.limitKb)}; failcnt ${x.failcnt} = how many charges found the counter at its limit.`,
      );
    };
    line(
      'memory',
      'page_counter "memory" (memory.current / memory.max): user pages plus kernel memory (page tables, slab, stacks) and up to 64 pages of per-CPU charge stock per CPU',
    );
    line('swap', 'cgroup v2 swap counter (memory.swap.current / memory.swap.max)');
    line(
      'memory+swap',
      `memsw counter (cgroup v1 memory.memsw.*${printsMeminfo ? '' : '; 4.19 prints it on cgroup v2 too'})`,
    );
    line('kmem', 'kernel-memory counter (cgroup v1 memory.kmem.*)');
    if (c.memory && c.memory.usageKb > c.memory.limitKb)
      cx.inc.push(
        `memcg usage ${c.memory.usageKb}kB exceeds its limit ${c.memory.limitKb}kB (only forced charges — __GFP_NOFAIL, dying tasks — or a limit lowered below usage can do that)`,
      );
    if (p.statsFor.length) {
      say(
        cx,
        `   > Memory cgroup stats for ${p.statsFor[0]}:${p.statsFor.length > 1 ? ` (and ${p.statsFor.length - 1} descendant memcg(s))` : ''}`,
      );
      const s = p.stats;
      const pg = (b: number | undefined) => (b === undefined ? '?' : `${b} bytes = ${Math.floor(b / 4096)} pages`);
      if (printsMeminfo) {
        say(
          cx,
          `     memory.stat of the OOM memcg, values in BYTES: anon ${pg(s.anon)}, file ${pg(s.file)}, kernel ${pg(s.kernel)}, pagetables ${pg(s.pagetables)}, shmem ${pg(s.shmem)}.`,
        );
        if (s.anon !== undefined && s.kernel !== undefined && c.memory) {
          const sum = s.anon + (s.file ?? 0) + s.kernel;
          say(
            cx,
            `     anon + file + kernel = ${sum} bytes = ${Math.floor(sum / 1024)}kB vs usage ${c.memory.usageKb}kB (the difference is per-CPU stock, sock, and stat flush lag).`,
          );
        }
        say(
          cx,
          '     (6.1 prints memory.stat with one printk of ~1 KiB, so the list is often cut short after the workingset_* entries.)',
        );
      } else {
        say(
          cx,
          `     4.19/3.12 format: "name:valueKB" (KiB), e.g. rss ${s.rss !== undefined ? pg(s.rss) : '?'}, cache ${s.cache !== undefined ? pg(s.cache) : '?'}.`,
        );
      }
    }
    memcgInfo = {
      statsFor: p.statsFor[0] ?? p.taskIn419?.limit ?? p.limitReached419 ?? null,
      memory: c.memory ?? null,
      swap: c.swap ?? null,
      memsw: c['memory+swap'] ?? null,
      kmem: c.kmem ?? null,
      stats: { ...p.stats },
    };
    say(cx, '');
  }
  return memcgInfo;
}

/** 4. (or 4b.) show_mem() of a global OOM. */
export function sayMemInfo(cx: Ctx): MemInfo | null {
  const { p, kind } = cx;
  let memInfo: MemInfo | null = null;
  if (p.memInfoSeen) {
    say(cx, `${kind === 'memcg' ? '4b' : '4'}. System memory — show_mem() ("Mem-Info:")`);
    if (p.freeLine) say(cx, `   > ${p.freeLine}\n     free pages on the whole machine (pages).`);
    for (const z of p.zones) {
      say(
        cx,
        `   Node ${z.node} ${z.name}: free ${z.freeKb}kB, watermarks min ${z.minKb}kB / low ${z.lowKb}kB / high ${z.highKb}kB, managed ${z.managedKb}kB — ${z.freeKb < z.minKb ? 'below min: only ALLOC_HIGH/ALLOC_OOM/no-watermark allocations could succeed' : z.freeKb < z.lowKb ? 'below low (kswapd is woken)' : 'above low (not the limiting zone, or lowmem_reserve protects it)'}`,
      );
    }
    if (p.pagesRam !== null)
      say(
        cx,
        `   "${p.pagesRam} pages RAM" (present pages), "${p.pagesReserved ?? '?'} pages reserved" (present − managed), Total swap ${p.totalSwapKb ?? '?'}kB, Free swap ${p.freeSwapKb ?? '?'}kB.`,
      );
    memInfo = {
      pagesRam: p.pagesRam,
      pagesReserved: p.pagesReserved,
      totalSwapKb: p.totalSwapKb,
      freeSwapKb: p.freeSwapKb,
    };
    say(cx, '');
  }
  return memInfo;
}

/** 5. dump_tasks(). */
export function sayTasks(cx: Ctx): void {
  const { p } = cx;
  say(cx, '5. Tasks state — dump_tasks() (one row per process of the scanned set)');
  if (!p.tasksHeaderSeen && !p.tasks.length) {
    say(cx, '   (no task table: vm.oom_dump_tasks=0, or the log is truncated)');
  } else {
    if (p.tasksColumn === 'nr_ptes') say(cx, '   Units: total_vm, rss, nr_ptes and swapents are in PAGES (4 KiB).');
    else
      say(
        cx,
        '   Units: total_vm, rss and swapents are in PAGES (4 KiB each); pgtables_bytes is in BYTES. rss = anon + file + shmem pages (get_mm_rss()).',
      );
    say(
      cx,
      `   ${padEnd('pid', 8)} ${padEnd('name', 16)} ${pad('total_vm', 18)} ${pad('rss', 18)} ${pad(p.tasksColumn === 'nr_ptes' ? 'nr_ptes' : 'page tables', 24)} ${pad('swapents', 8)} ${pad('adj', 6)}`,
    );
    for (const t of p.tasks) {
      const pt =
        p.tasksColumn === 'nr_ptes' ? `${t.nrPtes} pages` : `${t.pgtablesBytes} B = ${t.pgtablesBytes / 1024}kB`;
      say(
        cx,
        `   ${padEnd(t.pid, 8)} ${padEnd(t.name, 16)} ${pad(`${t.totalVm}p=${t.totalVm * PAGE_KB}kB`, 18)} ${pad(`${t.rss}p=${t.rss * PAGE_KB}kB`, 18)} ${pad(pt, 24)} ${pad(t.swapents, 8)} ${pad(t.oomScoreAdj, 6)}`,
      );
    }
    if (p.tasksHeaderSeen && !p.tasks.length) say(cx, '   (the table is empty)');
  }
  say(cx, '');
}

/** 6. dump_oom_summary() (6.1), or what the older versions print instead. */
export function saySummary(cx: Ctx): void {
  const { p, v, kind } = cx;
  if (p.summary) {
    say(cx, '6. Constraint summary — dump_oom_summary() (6.1)');
    say(cx, `   > ${p.summaryLine}`);
    const s = p.summary;
    say(
      cx,
      `   constraint=${s.constraint} (constrained_alloc()): ${CONSTRAINT_MEANING[s.constraint ?? ''] ?? 'unknown constraint'}.`,
    );
    say(
      cx,
      `   nodemask=${s.nodemask ?? '?'} (oc->nodemask, (null) unless MEMORY_POLICY), cpuset=${s.cpuset ?? '?'} mems_allowed=${s.mems_allowed ?? '?'} (of the invoking task).`,
    );
    if (s.oom_memcg !== undefined)
      say(
        cx,
        `   oom_memcg=${s.oom_memcg}: the memcg whose limit was hit; task_memcg=${s.task_memcg ?? '?'}: the victim's memcg (mem_cgroup_print_oom_context()).`,
      );
    else if (s.global_oom)
      say(cx, `   global_oom: no OOM memcg; task_memcg=${s.task_memcg ?? '?'} is just the victim's cgroup.`);
    say(cx, `   task=${s.task ?? '?'},pid=${s.pid ?? '?'},uid=${s.uid ?? '?'}: the chosen victim.`);
    say(cx, '');
  } else if (PROFILES[v].oomReport.summary) {
    if (p.killed.length) cx.notes.push('6.1 report without the "oom-kill:constraint=" summary line (truncated log?)');
  } else {
    say(cx, `6. Constraint summary — not printed by ${v} (dump_oom_summary() came with 5.0)`);
    say(
      cx,
      kind === 'memcg'
        ? '   constrained_alloc() returned CONSTRAINT_MEMCG (oc->memcg is set).'
        : `   Global OOM: CONSTRAINT_NONE unless a cpuset or mempolicy restricted the allocation${p.header.nodemask && p.header.nodemask !== '(null)' ? ` — the header's nodemask=${p.header.nodemask} indicates CONSTRAINT_MEMORY_POLICY` : ' (nodemask=(null) in the header rules out MEMORY_POLICY)'}.`,
    );
    say(cx, '');
  }
}

/** 7. The kill lines; returns the victim (the first "Killed process"). */
export function sayKill(cx: Ctx): OomKilledLine | null {
  const { p, v } = cx;
  say(cx, '7. The kill');
  const victim = p.killed[0] ?? null;
  let killedSeen = 0;
  for (const e of p.killEvents) {
    say(cx, `   > ${e.line}`);
    if (e.type === 'selection') {
      say(
        cx,
        `     oom_kill_process() (${v}): the selected process; score = chosen_points × 1000 / totalpages (normalised 0…1000). Before killing, a child with a different mm and the highest oom_badness() (> 0) would be sacrificed instead.`,
      );
    } else if (e.type === 'killed') {
      const k = p.killed[killedSeen++]!;
      if (killedSeen === 1) {
        const rssKb = k.anonRssKb + k.fileRssKb + (k.shmemRssKb ?? 0);
        say(
          cx,
          `     __oom_kill_process(): SIGKILL sent. All sizes here are in kB: total-vm ${k.totalVmKb}kB = ${kbToPages(k.totalVmKb)} pages; rss anon ${k.anonRssKb} + file ${k.fileRssKb} + shmem ${k.shmemRssKb ?? 0} = ${rssKb}kB = ${kbToPages(rssKb)} pages${k.pgtablesKb !== null ? `; pgtables ${k.pgtablesKb}kB (mm_pgtables_bytes() >> 10)` : ''}.`,
        );
        if (k.message?.includes('oom_kill_allocating_task'))
          say(
            cx,
            '     "(oom_kill_allocating_task)": vm.oom_kill_allocating_task=1, so out_of_memory() killed the invoking task itself without select_bad_process().',
          );
      } else if (p.oomGroup) {
        say(cx, '     memory.oom.group member (mem_cgroup_scan_tasks(oom_group, oom_kill_memcg_member)).');
      }
    } else if (e.type === 'group') {
      say(
        cx,
        "     memory.oom.group=1 (mem_cgroup_get_oom_group()): after the victim, every task of that memcg except oom_score_adj −1000 is killed too, and the victim's line is printed again.",
      );
    } else if (e.type === 'reaped') {
      say(cx, "     the OOM reaper unmapped the victim's anonymous memory (6.1: after the 2 s OOM_REAPER_DELAY).");
    } else if (e.type === 'panic') {
      say(
        cx,
        '     check_panic_on_oom(): vm.panic_on_oom is set (1: CONSTRAINT_NONE only; 2: always); dump_header(oc, NULL) ran and nobody was killed.',
      );
    } else if (e.type === 'nokill') {
      say(cx, '     select_bad_process() found no eligible task (all oom_score_adj −1000, kernel threads, or init).');
    } else {
      say(cx, '     find_lock_task_mm() found no thread with an mm: the victim was already exiting.');
    }
  }
  if (p.laterKills.length) {
    say(
      cx,
      `   (${p.laterKills.length} later kill line(s) without their own report follow — dump_header() is ratelimited to 10 reports per 5 s (oom_rs) — not checked here)`,
    );
    cx.notes.push(
      `${p.laterKills.length} later kill line(s) without a report (ratelimited dump_header()), first: ${p.laterKills[0]}`,
    );
  }
  if (p.secondTable)
    cx.notes.push(
      'a second task table follows without its "invoked oom-killer" header line; parsing of this report stopped there',
    );
  if (!p.killed.length && !p.selection && !p.panic && !p.noKillable && !p.alreadyExiting) {
    say(cx, '   (no kill line found: the log may be truncated)');
    cx.notes.push('no "Killed process" line after this report (truncated log?)');
  }
  say(cx, '');
  return victim;
}
