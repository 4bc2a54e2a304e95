import { describe, expect, it } from 'vitest';
import {
  ESR_ELx_EC,
  ESR_ELx_EC_DABT_LOW,
  ESR_ELx_EC_IABT_LOW,
  ESR_ELx_EC_MASK,
  ESR_ELx_FSC_FAULT,
  ESR_ELx_IL,
  ESR_ELx_ISS,
  ESR_ELx_ISS_MASK,
  ESR_ELx_WNR,
  ESR_LNX_EXEC,
  FSC_ALIGNMENT,
  buildDataAbortEsr,
  buildInstrAbortEsr,
  esrClassStrTable,
  esrFields,
  esrFscLevel,
  esrFscType,
  esr_fsc_is_access_flag_fault,
  esr_fsc_is_permission_fault,
  esr_fsc_is_translation_fault,
  esr_get_class_string,
  esr_is_data_abort,
  esr_is_instr_abort,
  fscAccessFlag,
  fscPermission,
  fscTranslation,
  is_write_abort,
  sanitizeUserFaultEsr,
} from '../../arch/arm64/include/asm/esr.js';
import { haveOracle, oracleCases, oracleJson } from './oracle-helpers.js';

describe('ESR constants', () => {
  it('layout', () => {
    expect(ESR_ELx_EC_MASK).toBe(0xfc000000);
    expect(ESR_ELx_IL).toBe(0x02000000);
    expect(ESR_ELx_ISS_MASK).toBe(0x01ffffff);
    expect(ESR_LNX_EXEC).toBe(0x01000000);
    expect(ESR_ELx_WNR).toBe(0x40);
  });
});

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

describe('extractors and predicates', () => {
  it('fields', () => {
    const f = esrFields(0x93c08047 >>> 0);
    expect(f).toMatchObject({ ec: 0x24, il: 1, isv: 1, sas: 3, sse: 0, srt: 0, sf: 1, ar: 0, wnr: 1, fsc: 7 });
    expect(ESR_ELx_EC(0x92000046)).toBe(ESR_ELx_EC_DABT_LOW);
    expect(ESR_ELx_EC(0x8200000fn)).toBe(ESR_ELx_EC_IABT_LOW);
    expect(ESR_ELx_ISS(0x92000046)).toBe(0x46);
  });
  it('predicates', () => {
    expect(esr_is_data_abort(0x92000046)).toBe(true);
    expect(esr_is_data_abort(0x96000046)).toBe(true);
    expect(esr_is_data_abort(0x8200000f)).toBe(false);
    expect(esr_is_instr_abort(0x8200000f)).toBe(true);
    expect(is_write_abort(0x92000046)).toBe(true);
    expect(is_write_abort(0x92000146)).toBe(false); // CM set
    expect(esrFscType(0x9200004f)).toBe(0x0c);
    expect(esrFscLevel(0x9200004f)).toBe(3);
    expect(esr_fsc_is_translation_fault(0x92000006)).toBe(true);
    expect(esr_fsc_is_permission_fault(0x9200004f)).toBe(true);
    expect(esr_fsc_is_access_flag_fault(0x9200000b)).toBe(true);
  });
});

describe('esr_class_str[]', () => {
  it('has 64 entries and the kernel strings', () => {
    const t = esrClassStrTable('6.1');
    expect(t).toHaveLength(64);
    expect(t[0x24]).toBe('DABT (lower EL)');
    expect(t[0x20]).toBe('IABT (lower EL)');
    expect(t[0x15]).toBe('SVC (AArch64)');
    expect(t[0x02]).toBe('UNRECOGNIZED EC');
    expect(t[0x0d]).toBe('BTI');
    expect(esrClassStrTable('4.19')[0x0d]).toBe('UNRECOGNIZED EC');
    expect(esr_get_class_string(0xf2000000 >>> 0)).toBe('BRK (AArch64)');
    expect(esr_get_class_string(0x74000000, '4.19')).toBe('UNRECOGNIZED EC');
    expect(esr_get_class_string(0x74000000, '6.1')).toBe('SME');
  });
});

describe('EL0 ESR sanitising (set_thread_esr / __do_user_fault)', () => {
  const kaddr = 0xffff800008000000n;
  it('user addresses are left alone', () => {
    expect(sanitizeUserFaultEsr(0x1000n, 0x9200004f)).toEqual({
      esr: 0x9200004f,
      sanitized: false,
      nameEsr: 0x9200004f,
    });
  });
  it('DABT keeps EC, IL, CM, WnR and claims a level-0 translation fault', () => {
    const r = sanitizeUserFaultEsr(kaddr, 0x9200014f);
    expect(r.esr).toBe(0x92000144);
    expect(r.esr & 0x3f).toBe(ESR_ELx_FSC_FAULT);
    expect(r.nameEsr).toBe(0x9200014f); // 6.1 names the original
    expect(sanitizeUserFaultEsr(kaddr, 0x9200014f, '4.19').nameEsr).toBe(0x92000144); // 4.19 the sanitised
  });
  it('DABT with ISV/SRT bits drops them', () => {
    expect(sanitizeUserFaultEsr(kaddr, 0x93c08047 >>> 0).esr).toBe(0x92000044);
  });
  it('IABT keeps EC and IL only', () => {
    expect(sanitizeUserFaultEsr(kaddr, 0x8200028f).esr).toBe(0x82000004);
  });
  it('other ECs: WARN and ESR 0', () => {
    const r = sanitizeUserFaultEsr(kaddr, 0x56000000);
    expect(r.esr).toBe(0);
    expect(r.warning).toBe('ESR 0x56000000 is not DABT or IABT from EL0');
  });
  it('the boundary is TASK_SIZE (1 << 48)', () => {
    expect(sanitizeUserFaultEsr((1n << 48n) - 1n, 0x92000047).sanitized).toBe(false);
    expect(sanitizeUserFaultEsr(1n << 48n, 0x92000047).sanitized).toBe(true);
  });
  it('3.12 does not sanitise', () => {
    expect(sanitizeUserFaultEsr(kaddr, 0x9200004f, '3.12').esr).toBe(0x9200004f);
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
