import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/trace/events.js';
import {
  formatFunctionGraph,
  formatGraphDuration,
  formatGraphProc,
  functionGraphHeader,
  traceFindMark,
} from '../../src/trace/format/function-graph.js';
import { markerTrace, mixedTrace, Sim } from './fixtures.js';
import { expectGolden } from './golden.js';

const HEADER = [
  '# tracer: function_graph',
  '#',
  '# CPU  DURATION                  FUNCTION CALLS',
  '# |     |   |                     |   |   |   |',
  '',
].join('\n');

describe('function_graph columns (kernel/trace/trace_functions_graph.c)', () => {
  it('prints the default header exactly', () => {
    expect(functionGraphHeader()).toBe(HEADER);
  });

  it('prints the proc/abstime header columns in the kernel order', () => {
    expect(functionGraphHeader({ proc: true, abstime: true }).split('\n').slice(2, 4)).toEqual([
      '#     TIME        CPU  TASK/PID         DURATION                  FUNCTION CALLS',
      '#      |          |     |    |           |   |                     |   |   |   |',
    ]);
  });

  it('formats durations like trace_print_graph_duration()', () => {
    expect(formatGraphDuration(250)).toBe('0.250 us    ');
    expect(formatGraphDuration(3125)).toBe('3.125 us    ');
    expect(formatGraphDuration(48_000)).toBe('48.000 us   ');
    expect(formatGraphDuration(1_250_900)).toBe('1250.900 us ');
    // 5 usec digits leave room for two nsec digits, 6 for one, 7 for none
    expect(formatGraphDuration(15_000_123)).toBe('15000.12 us ');
    expect(formatGraphDuration(150_000_999)).toBe('150000.9 us ');
    expect(formatGraphDuration(1_500_000_000)).toBe('1500000 us  ');
    expect(formatGraphDuration(15_000_000_000)).toBe('15000000 us ');
  });

  it('picks overhead markers like trace_find_mark() (strictly greater than)', () => {
    expect(traceFindMark(10_000)).toBe(' ');
    expect(traceFindMark(10_001)).toBe('+');
    expect(traceFindMark(100_001)).toBe('!');
    expect(traceFindMark(1_000_001)).toBe('#');
    expect(traceFindMark(10_000_001)).toBe('*');
    expect(traceFindMark(100_000_001)).toBe('@');
    expect(traceFindMark(1_000_000_001)).toBe('$');
  });

  it('centres comm-pid in 14 columns and cuts comm to 7 characters', () => {
    expect(formatGraphProc('prog', 123)).toBe('   prog-123   ');
    expect(formatGraphProc('other', 124)).toBe('  other-124   ');
    expect(formatGraphProc('oom_reaper', 45)).toBe('  oom_rea-45  ');
    expect(formatGraphProc('averyverylong', 1234567)).toBe('averyve-1234567');
  });
});

describe('function_graph output', () => {
  it('renders the mixed arm64 trace (fault, task switch, memcg OOM, oom_reaper) — golden', () => {
    const text = formatFunctionGraph(mixedTrace());
    expectGolden('mixed.function_graph.txt', text);
    expect(text.startsWith(HEADER)).toBe(true);
    expect(text).toContain(' 0)               |  el0t_64_sync() { /* noinstr: not visible to ftrace */\n');
    expect(text).toContain(' 0)   0.310 us    |              lock_mm_and_find_vma();\n');
    expect(text).toContain(' 0) + 48.000 us   |                          }\n');
    expect(text).toContain('/* mark_victim: pid=123 */');
  });

  it('renders with funcgraph-proc, funcgraph-abstime, funcgraph-retval and args — golden', () => {
    expectGolden(
      'mixed.proc-abstime-retval-args.txt',
      formatFunctionGraph(mixedTrace(), { proc: true, abstime: true, retval: true, showArgs: true }),
    );
  });

  it('hides noinstr functions like a real tracer would, with inline args and funcgraph-tail — golden', () => {
    const text = formatFunctionGraph(mixedTrace(), {
      noinstr: 'hide',
      showArgs: true,
      argsStyle: 'inline',
      tail: true,
    });
    expectGolden('mixed.noinstr-hidden.txt', text);
    expect(text).not.toContain('el0t_64_sync');
    expect(text).toContain(' 0)               |  do_mem_abort(far=0x0000aaaad0001008, esr=0x92000047) {\n');
  });

  it('marks durations above each threshold — golden', () => {
    const text = formatFunctionGraph(markerTrace());
    expectGolden('markers.function_graph.txt', text);
    expect(text).toContain(' 0)   10.000 us   |    d_10us();\n');
    expect(text).toContain(' 0) + 10.001 us   |    d_plus();\n');
    expect(text).toContain(' 0) ! 150.000 us  |    d_bang();\n');
    expect(text).toContain(' 0) # 1500.000 us |    d_hash();\n');
    expect(text).toContain(' 0) * 15000.00 us |    d_star();\n');
    expect(text).toContain(' 0) @ 150000.0 us |    d_at();\n');
    expect(text).toContain(' 0) $ 1500000 us  |    d_dollar();\n');
  });

  it('prints the context-switch banner of verif_pid() on a pid change', () => {
    const text = formatFunctionGraph(mixedTrace());
    expect(text).toContain(
      [
        ' 0)               |  /* sched_switch: prev_comm=prog prev_pid=123 prev_state=R+ ==> next_comm=other next_pid=124 */',
        ' ------------------------------------------',
        ' 0)    prog-123    =>   other-124   ',
        ' ------------------------------------------',
        '',
        ' 0)               |  /* syscall: brk(0x0) = 0xaaaae0000000 */',
      ].join('\n'),
    );
    // oom_reaper runs on CPU 1, whose last_pid starts at -1: no banner there
    expect(text).toContain(
      ' 1)               |  /* start_task_reaping: pid=123 */\n 1)               |  oom_reap_task_mm() {\n',
    );
  });

  it('names a closing brace whose entry is not in the output (print_graph_return func_match)', () => {
    const sim = new Sim(0);
    sim.run(1, 'init');
    sim.fn('outer', 1000, () => {
      sim.fn('inner', 500, () => {
        sim.leaf('leaf', 100);
      });
    });
    const events = sim.events();
    // cut the trace after outer's and inner's entries: their returns have no visible entry
    const text = formatFunctionGraph(events.slice(2), { header: false });
    expect(text).toBe(
      [
        ' 0)   0.100 us    |      leaf();', // depth 2, recovered from the two orphan returns below
        ' 0)               |    } /* inner */', // no calltime in the trace: blank duration
        ' 0)               |  } /* outer */',
        '',
      ].join('\n'),
    );
  });

  it('collapses a call only when the next event on that CPU is its own return', () => {
    const sim = new Sim(0);
    sim.run(1, 'init');
    sim.fn('a', 100, () => {
      sim.tracer.emit('printk', { level: 6, text: 'inside a' });
    });
    sim.leaf('b', 100);
    const text = formatFunctionGraph(sim.events(), { header: false });
    expect(text).toBe(
      [
        ' 0)               |  a() {',
        // comments inside a depth-0 function are not indented (print_graph_comment: depth > 0)
        ' 0)               |  /* console: inside a */',
        ' 0)   0.100 us    |  }',
        ' 0)   0.100 us    |  b();',
        '',
      ].join('\n'),
    );
  });

  it('indents comments at depth + 1 inside nested functions', () => {
    const sim = new Sim(0);
    sim.run(1, 'init');
    sim.fn('a', 100, () => {
      sim.fn('b', 100, () => {
        sim.tracer.emit('tracepoint', { system: 'oom', name: 'mark_victim', fields: { pid: 1 }, text: 'pid=1' });
      });
    });
    const text = formatFunctionGraph(sim.events(), { header: false, eventSystem: true });
    expect(text.split('\n')[2]).toBe(' 0)               |      /* oom:mark_victim: pid=1 */');
  });

  it('omits event comments with events:false and the header with header:false', () => {
    const text = formatFunctionGraph(mixedTrace(), { events: false, header: false });
    expect(text).not.toContain('/* mark_victim');
    expect(text).not.toContain('# tracer');
    expect(text.startsWith(' 0)               |  el0t_64_sync() {')).toBe(true);
  });

  it('returns just the header for an empty trace', () => {
    expect(formatFunctionGraph([])).toBe(HEADER);
  });

  it('is deterministic', () => {
    const ev: TraceEvent[] = mixedTrace();
    expect(formatFunctionGraph(ev)).toBe(formatFunctionGraph(ev));
    expect(formatFunctionGraph(ev)).toBe(formatFunctionGraph(mixedTrace()));
  });
});
