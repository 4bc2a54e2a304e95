import { describe, expect, it } from 'vitest';
import { applyFilters, formatTrace, summarize, TRACE_FORMATS } from '../../src/trace/index.js';
import { mixedTrace } from './fixtures.js';

describe('trace entry points', () => {
  it('dispatches every format and each is deterministic', () => {
    for (const f of TRACE_FORMATS) {
      const a = formatTrace(mixedTrace(), f);
      const b = formatTrace(mixedTrace(), f);
      expect(a.length).toBeGreaterThan(0);
      expect(a).toBe(b);
    }
  });

  it('passes options through', () => {
    expect(formatTrace(mixedTrace(), 'function_graph', { proc: true })).toContain('TASK/PID');
    expect(formatTrace(mixedTrace(), 'dmesg', { raw: true }).startsWith('<3>[')).toBe(true);
  });

  it('filters then formats: the OOM path only', () => {
    const text = formatTrace(
      applyFilters(mixedTrace(), { onlyFatal: true, functions: ['do_page_fault'] }),
      'function_graph',
    );
    expect(text).toContain(' 0)               |  do_page_fault() {\n');
    expect(text).toContain('/* mark_victim: pid=123 */');
    expect(text).not.toContain('other-124');
    expect(text.trimEnd().endsWith(' 0) # 1302.395 us |  }')).toBe(true);
    expect(summarize(applyFilters(mixedTrace(), { onlyFatal: true }))).toContain('1 fault episode: prog-123 ×1');
  });

  it('rejects an unknown format', () => {
    expect(() => formatTrace([], 'pcap' as never)).toThrow(/unknown trace format/);
  });
});
