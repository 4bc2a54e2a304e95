import { describe, expect, it } from 'vitest';
import {
  FAULT_INFO,
  SIGBUS,
  SIGKILL,
  SIGSEGV,
  SI_CODES,
  faultInfo,
  type Profile,
} from '../../../../arch/arm64/mm/fault_info.js';
import { haveOracle, oracleCases, oracleJson } from '../../../helpers/oracle.js';

const PROFILES: Profile[] = ['6.1', '4.19', '3.12'];

describe('fault_info[] completeness', () => {
  for (const p of PROFILES) {
    it(`${p}: 64 entries indexed by FSC`, () => {
      const t = FAULT_INFO[p];
      expect(t).toHaveLength(64);
      t.forEach((e, i) => {
        expect(e.index).toBe(i);
        expect(e.name.length).toBeGreaterThan(0);
        expect([SIGBUS, SIGKILL, SIGSEGV]).toContain(e.sig);
      });
    });
  }
});

describe('fault_info[] rows (kernel-reference.md §1.6)', () => {
  it('4.19 and 6.1 differ only at index 17', () => {
    const diff = FAULT_INFO['6.1']
      .map((e, i) => [e, FAULT_INFO['4.19'][i]!] as const)
      .filter(([a, b]) => a.fn !== b.fn || a.sig !== b.sig || a.code !== b.code || a.name !== b.name)
      .map(([a]) => a.index);
    expect(diff).toEqual([17]);
    expect(FAULT_INFO['6.1'][17]).toMatchObject({
      fn: 'do_tag_check_fault',
      sigName: 'SIGSEGV',
      codeName: 'SEGV_MTESERR',
      code: 9,
      name: 'synchronous tag check fault',
    });
    expect(FAULT_INFO['4.19'][17]).toMatchObject({
      fn: 'do_bad',
      sigName: 'SIGKILL',
      codeName: 'SI_KERNEL',
      code: 0x80,
      name: 'unknown 17',
    });
  });
  it('6.1 spot checks', () => {
    const t = FAULT_INFO['6.1'];
    expect(t[0]).toMatchObject({ fn: 'do_bad', sig: SIGKILL, codeName: 'SI_KERNEL', name: 'ttbr address size fault' });
    for (let l = 0; l < 4; l++)
      expect(t[4 + l]).toMatchObject({
        fn: 'do_translation_fault',
        sig: SIGSEGV,
        code: SI_CODES.SEGV_MAPERR,
        name: `level ${l} translation fault`,
      });
    expect(t[8]!.name).toBe('unknown 8');
    for (let l = 1; l < 4; l++) {
      expect(t[8 + l]).toMatchObject({
        fn: 'do_page_fault',
        codeName: 'SEGV_ACCERR',
        name: `level ${l} access flag fault`,
      });
      expect(t[12 + l]).toMatchObject({
        fn: 'do_page_fault',
        codeName: 'SEGV_ACCERR',
        name: `level ${l} permission fault`,
      });
    }
    expect(t[16]).toMatchObject({
      fn: 'do_sea',
      sig: SIGBUS,
      codeName: 'BUS_OBJERR',
      name: 'synchronous external abort',
    });
    expect(t[20]).toMatchObject({ fn: 'do_sea', sig: SIGKILL, name: 'level 0 (translation table walk)' });
    expect(t[24]).toMatchObject({ fn: 'do_sea', sig: SIGBUS, name: 'synchronous parity or ECC error' });
    expect(t[31]!.name).toBe('level 3 synchronous parity error (translation table walk)');
    expect(t[33]).toMatchObject({
      fn: 'do_alignment_fault',
      sig: SIGBUS,
      codeName: 'BUS_ADRALN',
      code: 1,
      name: 'alignment fault',
    });
    expect(t[48]!.name).toBe('TLB conflict abort');
    expect(t[49]!.name).toBe('Unsupported atomic hardware update fault');
    expect(t[52]!.name).toBe('implementation fault (lockdown abort)');
    expect(t[53]).toMatchObject({
      sig: SIGBUS,
      codeName: 'BUS_OBJERR',
      name: 'implementation fault (unsupported exclusive)',
    });
    expect(t[58]!.name).toBe('unknown 58');
    expect(t[61]!.name).toBe('section domain fault');
    expect(t[62]!.name).toBe('page domain fault');
    expect(t[63]!.name).toBe('unknown 63');
    for (const i of [
      18,
      19,
      25,
      26,
      27,
      32,
      ...Array.from({ length: 14 }, (_, k) => 34 + k),
      50,
      51,
      54,
      55,
      56,
      57,
      59,
      60,
    ]) {
      expect(t[i]).toMatchObject({ fn: 'do_bad', sig: SIGKILL, codeName: 'SI_KERNEL', name: `unknown ${i}` });
    }
  });
  it('3.12 differences', () => {
    const t = FAULT_INFO['3.12'];
    expect(t[4]).toMatchObject({ fn: 'do_translation_fault', name: 'input address range fault' });
    expect(t[6]!.fn).toBe('do_translation_fault');
    expect(t[7]).toMatchObject({ fn: 'do_page_fault', codeName: 'SEGV_MAPERR', name: 'level 3 translation fault' });
    expect(t[8]!.name).toBe('reserved access flag fault');
    expect(t[12]!.name).toBe('reserved permission fault');
    expect(t[16]).toMatchObject({
      fn: 'do_bad',
      sig: SIGBUS,
      code: 0,
      codeName: '0',
      name: 'synchronous external abort',
    });
    expect(t[17]!.name).toBe('asynchronous external abort');
    for (const i of [20, 21, 22, 23]) expect(t[i]!.name).toBe('synchronous abort (translation table walk)');
    expect(t[24]!.name).toBe('synchronous parity error');
    expect(t[25]!.name).toBe('asynchronous parity error');
    for (const i of [28, 29, 30, 31]) expect(t[i]!.name).toBe('synchronous parity error (translation table walk');
    expect(t[33]).toMatchObject({ fn: 'do_bad', sig: SIGBUS, codeName: 'BUS_ADRALN', name: 'alignment fault' });
    expect(t[34]!.name).toBe('debug event');
    expect(t[52]!.name).toBe('implementation fault (lockdown abort)');
    expect(t[58]!.name).toBe('implementation fault (coprocessor abort)');
    for (const i of [48, 49, 53, 61, 62, 63]) expect(t[i]!.name).toBe(`unknown ${i}`);
    // every do_bad row is SIGBUS
    for (const e of t) if (e.fn === 'do_bad') expect(e.sig).toBe(SIGBUS);
  });
});

describe('faultInfo()', () => {
  it('indexes by ESR & 0x3f', () => {
    expect(faultInfo('6.1', 0x92000046).name).toBe('level 2 translation fault');
    expect(faultInfo('6.1', 0x8200000fn).name).toBe('level 3 permission fault');
    expect(faultInfo('3.12', 0x83000004).name).toBe('input address range fault');
    expect(() => faultInfo('5.10' as Profile, 0)).toThrow(/profile/);
  });
});

describe.skipIf(!haveOracle)('fault names vs the oracle', () => {
  for (const name of oracleCases('aarch64', 'sigsegv_')) {
    it(name, () => {
      const uf = oracleJson('aarch64', name).user_faults[0];
      expect(faultInfo('6.1', BigInt(uf.esr)).name).toBe(uf.name);
      expect(faultInfo('6.1', BigInt(uf.esr)).name).toBe(uf.esr_decoded.fsc_name);
    });
  }
});
