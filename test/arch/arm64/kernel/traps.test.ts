import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../../src/include/faultpath/profile.js';
import { exceptionTraceDefault } from '../../../../arch/arm64/kernel/traps.js';
import { haveOracle, oracleJson } from '../../../helpers/oracle.js';

describe('exceptionTraceDefault (kernel-reference.md §1.10)', () => {
  it('arm64 is 0 in 4.19 and 6.1, 1 in 3.12; x86 is always 1', () => {
    expect(exceptionTraceDefault(PROFILES['6.1'])).toBe(0);
    expect(exceptionTraceDefault(PROFILES['4.19'])).toBe(0);
    expect(exceptionTraceDefault(PROFILES['3.12'])).toBe(1);
    for (const p of ['6.1', '4.19', '3.12'] as const) expect(exceptionTraceDefault(PROFILES[p], 'x86_64')).toBe(1);
  });
  it.skipIf(!haveOracle)('matches the oracle boot default on arm64 6.1', () => {
    const j = oracleJson('aarch64', 'sigsegv_null_store');
    expect(String(exceptionTraceDefault(PROFILES['6.1']))).toBe(j.settings.boot_defaults['debug.exception-trace']);
  });
});
