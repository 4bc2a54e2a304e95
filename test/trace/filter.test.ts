import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/trace/events.js';
import { applyFilters, findFaultEpisodes, globToRegExp, isFatalSignal, vmFaultError } from '../../src/trace/filter.js';
import { mixedTrace, Sim } from './fixtures.js';

const fns = (evs: readonly TraceEvent[]): string[] => evs.flatMap((e) => (e.kind === 'enter' ? [e.fn] : []));

describe('globs (ftrace filter syntax)', () => {
  it('matches *, ? and [...] anchored', () => {
    expect(globToRegExp('do_*').test('do_page_fault')).toBe(true);
    expect(globToRegExp('do_*').test('__do_fault')).toBe(false);
    expect(globToRegExp('*_fault').test('do_translation_fault')).toBe(true);
    expect(globToRegExp('el0?da').test('el0_da')).toBe(true);
    expect(globToRegExp('mem_cgroup_[ou]*').test('mem_cgroup_out_of_memory')).toBe(true);
    expect(globToRegExp('[!m]*').test('mem_cgroup_oom')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});

describe('applyFilters', () => {
  const events = mixedTrace();

  it('with no filters returns every event', () => {
    expect(applyFilters(events, {})).toEqual(events);
  });

  it('functions: keeps matching functions and all their callees, like set_graph_function', () => {
    const kept = applyFilters(events, { functions: ['do_mem_abort'] });
    const names = new Set(fns(kept));
    expect(names.has('do_mem_abort')).toBe(true);
    expect(names.has('handle_mm_fault')).toBe(true);
    expect(names.has('oom_kill_process')).toBe(true);
    expect(names.has('el0t_64_sync')).toBe(false);
    expect(names.has('oom_reap_task_mm')).toBe(false);
    // events inside the graph stay, events outside go
    expect(kept.some((e) => e.kind === 'tracepoint' && e.name === 'mark_victim')).toBe(true);
    expect(kept.some((e) => e.kind === 'exception' || e.kind === 'syscall' || e.kind === 'sched_switch')).toBe(false);
    // balanced: every kept entry has its return
    expect(kept.filter((e) => e.kind === 'enter').length).toBe(kept.filter((e) => e.kind === 'exit').length);
  });

  it('functions: accepts globs', () => {
    const kept = applyFilters(events, { functions: ['oom_*'] });
    expect(fns(kept)).toEqual(['oom_kill_process', '__oom_kill_process', 'oom_reap_task_mm', 'unmap_page_range']);
  });

  it('notrace: drops matching functions and their callees but keeps the events inside', () => {
    const kept = applyFilters(events, { notrace: ['mem_cgroup_out_of_memory'] });
    const names = new Set(fns(kept));
    expect(names.has('mem_cgroup_out_of_memory')).toBe(false);
    expect(names.has('oom_kill_process')).toBe(false);
    expect(names.has('try_charge_memcg')).toBe(true);
    expect(kept.some((e) => e.kind === 'oom')).toBe(true);
  });

  it('maxDepth: keeps frames shallower than the limit, counted from the selected graph', () => {
    expect(new Set(fns(applyFilters(events, { maxDepth: 2 })))).toEqual(
      new Set(['el0t_64_sync', 'el0t_64_sync_handler', 'oom_reap_task_mm', 'unmap_page_range']),
    );
    expect(new Set(fns(applyFilters(events, { functions: ['handle_mm_fault'], maxDepth: 1 })))).toEqual(
      new Set(['handle_mm_fault']),
    );
    expect(applyFilters(events, { maxDepth: 0 })).toEqual(events); // 0 = unlimited, as in tracefs
  });

  it('tasks: by pid or comm glob', () => {
    expect(new Set(applyFilters(events, { tasks: [124] }).map((e) => e.pid))).toEqual(new Set([124]));
    expect(new Set(applyFilters(events, { tasks: ['oom_*'] }).map((e) => e.pid))).toEqual(new Set([45]));
    expect(new Set(applyFilters(events, { tasks: ['prog', 45] }).map((e) => e.pid))).toEqual(new Set([123, 45]));
  });

  it('kinds: keeps only the given event kinds', () => {
    const kept = applyFilters(events, { kinds: ['tracepoint', 'oom'] });
    expect(kept.map((e) => e.kind)).toEqual(['oom', 'tracepoint', 'tracepoint', 'tracepoint']);
  });

  it('onlyFatal: keeps only the fault episode that ended in the OOM kill', () => {
    const kept = applyFilters(events, { onlyFatal: true });
    expect(new Set(kept.map((e) => e.pid))).toEqual(new Set([123]));
    expect(kept[0]!.kind).toBe('exception');
    expect(kept[0]!.kind === 'exception' && kept[0]!.address).toBe('0x0000aaaad0002008');
    const last = kept[kept.length - 1]!;
    expect(last.kind === 'exit' && last.fn).toBe('el0t_64_sync');
    expect(kept.some((e) => e.kind === 'oom')).toBe(true);
    expect(kept.filter((e) => e.kind === 'exception')).toHaveLength(1);
  });

  it('combines filters', () => {
    const kept = applyFilters(events, { onlyFatal: true, functions: ['do_*'], maxDepth: 1, kinds: ['enter', 'exit'] });
    expect(kept.map((e) => `${e.kind}:${e.kind === 'enter' || e.kind === 'exit' ? e.fn : ''}`)).toEqual([
      'enter:do_mem_abort',
      'exit:do_mem_abort',
    ]);
  });
});

describe('fault episodes', () => {
  it('splits the mixed trace into three per-task episodes', () => {
    const eps = findFaultEpisodes(mixedTrace());
    expect(eps.map((e) => [e.pid, e.fatal, e.vmFaultError, e.fatalSignals])).toEqual([
      [123, false, null, []],
      [124, false, null, []],
      [123, true, 'VM_FAULT_OOM', ['SIGKILL']],
    ]);
  });

  it('starts at the outermost open frame when the exception is reported from inside the entry code', () => {
    const sim = new Sim(0);
    sim.run(5, 'p');
    sim.fn('el0t_64_sync', 100, () => {
      sim.tracer.emit('exception', {
        arch: 'aarch64',
        vector: 'el0_da',
        address: '0x1',
        pc: '0x2',
        esr: '0x92000047',
        decoded: 'x',
      });
      sim.leaf('do_mem_abort', 10);
    });
    sim.tracer.emit('syscall', { nr: 93, name: 'exit', args: ['0'], ret: '?' });
    const evs = sim.events();
    const [ep] = findFaultEpisodes(evs);
    expect(ep!.indices).toEqual([0, 1, 2, 3, 4]);
  });

  it('extends an episode over a directly following return-to-user frame', () => {
    const sim = new Sim(0);
    sim.run(5, 'p');
    sim.tracer.emit('exception', {
      arch: 'aarch64',
      vector: 'el0_da',
      address: '0x1',
      pc: '0x2',
      esr: '0x92000047',
      decoded: 'x',
    });
    sim.leaf('el0t_64_sync', 100);
    sim.fn('ret_to_user', 50, () => {
      sim.tracer.emit('signal', { sig: 11, name: 'SIGSEGV', code: 'SEGV_MAPERR', target: 5, address: '0x1' });
    });
    sim.leaf('next_thing', 5);
    const eps = findFaultEpisodes(sim.events());
    expect(eps).toHaveLength(1);
    expect(eps[0]!.indices).toEqual([0, 1, 2, 3, 4, 5]);
    expect(eps[0]!.fatal).toBe(true);
  });

  it('knows fatal signals and VM_FAULT error bits', () => {
    expect([9, 11, 7, 6, 15].every(isFatalSignal)).toBe(true);
    expect([17, 18, 19, 28].some(isFatalSignal)).toBe(false);
    expect(vmFaultError('VM_FAULT_OOM')).toBe('VM_FAULT_OOM');
    expect(vmFaultError('VM_FAULT_MAJOR|VM_FAULT_RETRY')).toBeNull();
    expect(vmFaultError('VM_FAULT_HWPOISON_LARGE')).toBe('VM_FAULT_HWPOISON_LARGE');
    expect(vmFaultError('0')).toBeNull();
  });
});
