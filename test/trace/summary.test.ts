import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/trace/events.js';
import { summarize, summaryData } from '../../src/trace/summary.js';
import { mixedTrace } from './fixtures.js';
import { expectGolden } from './golden.js';

/** n copies of the trace's episodes, shifted in time, to get summary-sized counts. */
function repeated(n: number): TraceEvent[] {
  const base = mixedTrace();
  const span = base[base.length - 1]!.ts - base[0]!.ts + 1000;
  const out: TraceEvent[] = [];
  for (let i = 0; i < n; i++) for (const e of base) out.push({ ...e, ts: e.ts + i * span });
  return out;
}

describe('summary', () => {
  it('prints outcomes and the merged call-path tree — golden', () => {
    const text = summarize(mixedTrace());
    expectGolden('mixed.summary.txt', text);
    expect(text).toBe(
      [
        '3 fault episodes: prog-123 ×2, other-124 ×1',
        'outcomes:',
        '  2  ok',
        '  1  VM_FAULT_OOM, oom-kill prog-123, SIGKILL',
        'call paths (episodes through each path; "= …" is the return value of the path\'s last function):',
        '  3  el0t_64_sync → el0t_64_sync_handler → el0_da → do_mem_abort → do_translation_fault → do_page_fault  = 0',
        '  3  ├─ handle_mm_fault → __handle_mm_fault → handle_pte_fault → do_anonymous_page  = 0 ×2, VM_FAULT_OOM ×1',
        '  3  │  ├─ __alloc_pages  = 0xfffffc00012a7040',
        '  3  │  ├─ __mem_cgroup_charge → try_charge_memcg  = 0 ×2, -ENOMEM ×1',
        '  1  │  │  ├─ mem_cgroup_out_of_memory → out_of_memory → oom_kill_process → __oom_kill_process',
        '  1  │  │  └─ try_to_free_mem_cgroup_pages  = 0',
        '  2  │  ├─ set_pte_at',
        '  1  │  └─ folio_put',
        '  3  ├─ lock_mm_and_find_vma  = 0xffff000002d1e3c0',
        '  3  ├─ mmap_read_unlock',
        '  1  └─ pagefault_out_of_memory',
        '',
      ].join('\n'),
    );
  });

  it('aligns counts and orders by count then name over many episodes', () => {
    const text = summarize(repeated(1400));
    expect(text.split('\n').slice(0, 4)).toEqual([
      '4200 fault episodes: prog-123 ×2800, other-124 ×1400',
      'outcomes:',
      '  2800  ok',
      '  1400  VM_FAULT_OOM, oom-kill prog-123, SIGKILL',
    ]);
    expect(text).toContain('\n  4200  el0t_64_sync → ');
    expect(text).toContain('\n  1400  │  │  ├─ mem_cgroup_out_of_memory → ');
  });

  it('counts calls separately from episodes when a path repeats inside one episode', () => {
    const evs = mixedTrace();
    // duplicate the reclaim call inside the OOM episode (a retry loop)
    const i = evs.findIndex((e) => e.kind === 'enter' && e.fn === 'try_to_free_mem_cgroup_pages');
    const j = evs.findIndex((e, k) => k > i && e.kind === 'exit' && e.fn === 'try_to_free_mem_cgroup_pages');
    evs.splice(j + 1, 0, ...evs.slice(i, j + 1));
    expect(summarize(evs)).toContain('  1  │  │  └─ try_to_free_mem_cgroup_pages  = 0  (2 calls)\n');
  });

  it('reports no episodes for a trace without exceptions', () => {
    expect(summarize([])).toBe('0 fault episodes\n');
    expect(summaryData([]).roots).toEqual([]);
  });

  it('is deterministic', () => {
    expect(summarize(mixedTrace())).toBe(summarize(mixedTrace()));
  });
});
