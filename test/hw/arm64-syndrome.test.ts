import { describe, expect, it } from 'vitest';
import {
  FSC_ALIGNMENT,
  buildDataAbortEsr,
  buildInstrAbortEsr,
  fscAccessFlag,
  fscPermission,
  fscTranslation,
} from '../../src/hw/arm64-syndrome.js';
import { esrFields, esr_get_class_string } from '../../arch/arm64/include/asm/esr.js';
import { haveOracle, oracleCases, oracleJson } from '../helpers/oracle.js';

describe('builders (bit-exact)', () => {
  it('data aborts', () => {
    expect(buildDataAbortEsr({ write: false, fsc: fscTranslation(3) })).toBe(0x92000007);
    expect(buildDataAbortEsr({ write: true, fsc: fscTranslation(2) })).toBe(0x92000046);
    expect(buildDataAbortEsr({ write: true, fsc: fscPermission(3) })).toBe(0x9200004f);
    expect(buildDataAbortEsr({ write: true, fsc: fscTranslation(0) })).toBe(0x92000044);
    expect(buildDataAbortEsr({ write: false, fsc: fscTranslation(2) })).toBe(0x92000006);
    expect(buildDataAbortEsr({ write: true, fsc: FSC_ALIGNMENT })).toBe(0x92000061);
    expect(buildDataAbortEsr({ write: false, fsc: FSC_ALIGNMENT })).toBe(0x92000021);
    expect(buildDataAbortEsr({ write: true, fsc: 7, cm: true, s1ptw: true, fnv: true, ea: true })).toBe(0x920007c7);
    expect(buildDataAbortEsr({ write: false, fsc: 5, el: 'current' })).toBe(0x96000005);
    expect(buildDataAbortEsr({ write: false, fsc: fscAccessFlag(3), il: false })).toBe(0x9000000b);
  });
  it('instruction aborts', () => {
    expect(buildInstrAbortEsr(fscPermission(3))).toBe(0x8200000f);
    expect(buildInstrAbortEsr(fscTranslation(3))).toBe(0x82000007);
    expect(buildInstrAbortEsr(0x0f, { el: 'current' })).toBe(0x8600000f);
  });
  it('rejects bad input', () => {
    expect(() => buildDataAbortEsr({ write: false, fsc: 64 })).toThrow(RangeError);
    expect(() => buildInstrAbortEsr(-1)).toThrow(RangeError);
    // @ts-expect-error level out of range
    expect(() => fscTranslation(4)).toThrow(RangeError);
    expect(() => esrFields(2 ** 32)).toThrow(RangeError);
  });
});

describe.skipIf(!haveOracle)('builders vs the oracle ESRs', () => {
  for (const name of oracleCases('aarch64', 'sigsegv_')) {
    it(name, () => {
      const uf = oracleJson('aarch64', name).user_faults[0];
      const d = uf.esr_decoded;
      const fsc = parseInt(d.fsc, 16);
      const built =
        d.ec === '0x20' ? buildInstrAbortEsr(fsc) : buildDataAbortEsr({ write: d.wnr === 1, fsc, cm: d.cm === 1 });
      expect(BigInt(built)).toBe(BigInt(uf.esr));
      expect(esr_get_class_string(built)).toBe(uf.class);
    });
  }
});
