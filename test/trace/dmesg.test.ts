import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/trace/events.js';
import { formatDmesg, printkTime } from '../../src/trace/format/dmesg.js';
import { mixedTrace } from './fixtures.js';

const pk = (ts: number, text: string, level = 6): TraceEvent => ({
  ts,
  cpu: 0,
  pid: 1,
  comm: 'init',
  kind: 'printk',
  level,
  text,
});

describe('dmesg', () => {
  it('formats timestamps as [%5lu.%06lu]', () => {
    expect(printkTime(0)).toBe('[    0.000000]');
    expect(printkTime(5_000_703_975)).toBe('[    5.000703]');
    expect(printkTime(12_345_678_999)).toBe('[   12.345678]');
    expect(printkTime(99_999_999_999_999)).toBe('[99999.999999]');
    expect(printkTime(123_456_000_001_000)).toBe('[123456.000001]'); // wider than 5: not cut
  });

  it('prints one line per printk event, ignoring other events', () => {
    expect(formatDmesg(mixedTrace())).toBe(
      '[    5.000703] Memory cgroup out of memory: Killed process 123 (prog) total-vm:16640kB, anon-rss:16360kB, file-rss:8kB, shmem-rss:0kB, UID:0 pgtables:48kB oom_score_adj:0\n' +
        '[    7.001397] oom_reaper: reaped process 123 (prog), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n',
    );
  });

  it('repeats the prefix on every line of a multi-line message, without a trailing empty line', () => {
    expect(formatDmesg([pk(1_500_000_000, 'Call trace:\n dump_backtrace+0x0/0x1e0\n show_stack+0x18/0x28\n')])).toBe(
      '[    1.500000] Call trace:\n[    1.500000]  dump_backtrace+0x0/0x1e0\n[    1.500000]  show_stack+0x18/0x28\n',
    );
    expect(formatDmesg([pk(0, 'a\n\nb')])).toBe('[    0.000000] a\n[    0.000000] \n[    0.000000] b\n');
  });

  it('supports the raw <level> prefix and a console_loglevel-style cut', () => {
    const evs = [pk(0, 'err', 3), pk(0, 'info', 6), pk(0, 'default', -1)];
    expect(formatDmesg(evs, { raw: true })).toBe(
      '<3>[    0.000000] err\n<6>[    0.000000] info\n<4>[    0.000000] default\n',
    );
    expect(formatDmesg(evs, { maxLevel: 5 })).toBe('[    0.000000] err\n[    0.000000] default\n');
  });

  it('is deterministic', () => {
    expect(formatDmesg(mixedTrace())).toBe(formatDmesg(mixedTrace()));
  });
});
