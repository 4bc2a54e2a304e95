import { describe, expect, it } from 'vitest';
import {
  ESR_ELx_EC,
  ESR_ELx_EC_DABT_LOW,
  ESR_ELx_EC_IABT_LOW,
  ESR_ELx_EC_MASK,
  ESR_ELx_IL,
  ESR_ELx_ISS,
  ESR_ELx_ISS_MASK,
  ESR_ELx_WNR,
  ESR_LNX_EXEC,
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
  is_write_abort,
} from '../../../../../arch/arm64/include/asm/esr.js';

describe('ESR constants', () => {
  it('layout', () => {
    expect(ESR_ELx_EC_MASK).toBe(0xfc000000);
    expect(ESR_ELx_IL).toBe(0x02000000);
    expect(ESR_ELx_ISS_MASK).toBe(0x01ffffff);
    expect(ESR_LNX_EXEC).toBe(0x01000000);
    expect(ESR_ELx_WNR).toBe(0x40);
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
