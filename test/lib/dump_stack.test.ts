import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/include/faultpath/profile.js';
import { dump_stack_print_info as formatDumpStackInfo } from '../../src/lib/dump_stack.js';

describe('formatDumpStackInfo', () => {
  it('prints the version only up to its first space, then the distribution suffix', () => {
    expect(formatDumpStackInfo({ pid: 7, comm: 'a', release: '6.1.0', version: '#3 SMP PREEMPT x' })).toEqual([
      'CPU: 0 PID: 7 Comm: a Not tainted 6.1.0 #3',
    ]);
    expect(
      formatDumpStackInfo(
        {
          pid: 7,
          comm: 'abcdefghijklmnopqrstuvwxyz',
          release: 'r',
          version: 'v',
          kdumpLoaded: true,
          hardwareName: 'hw',
        },
        PROFILES['4.19'],
      ),
    ).toEqual(['CPU: 0 PID: 7 Comm: abcdefghijklmno Kdump: loaded Not tainted r v', 'Hardware name: hw']);
    expect(
      formatDumpStackInfo({ pid: 7, comm: 'a', release: 'r', version: 'v', kdumpLoaded: true }, PROFILES['3.12']),
    ).toEqual(['CPU: 0 PID: 7 Comm: a Not tainted r v']);
  });
});
