import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../../src/include/faultpath/profile.js';
import { ESR_ELx_FSC_FAULT } from '../../../../arch/arm64/include/asm/esr.js';
import {
  fault_info,
  format312UnhandledFaultAlert,
  formatArm64UnhandledFault,
  mem_abort_decode as formatMemAbortDecode,
  sanitizeUserFaultEsr,
  show_pte as formatShowPte,
  type Arm64UnhandledFaultFields,
} from '../../../../arch/arm64/mm/fault.js';
import { FAULT_INFO, faultInfo } from '../../../../arch/arm64/mm/fault_info.js';
import { buildDataAbortEsr, buildInstrAbortEsr } from '../../../../src/hw/arm64-syndrome.js';
import {
  haveOracle,
  oracleBlock,
  oracleCases,
  oracleJson,
  oracleLogLines,
  parseVma,
  unameOf,
} from '../../../helpers/oracle.js';

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
    expect(sanitizeUserFaultEsr(kaddr, 0x9200014f, PROFILES['4.19']).nameEsr).toBe(0x92000144); // 4.19 the sanitised
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
    expect(sanitizeUserFaultEsr(kaddr, 0x9200004f, PROFILES['3.12']).esr).toBe(0x9200004f);
  });
});

const zeros = (): bigint[] => Array.from({ length: 31 }, () => 0n);

function baseFields(over: Partial<Arm64UnhandledFaultFields> = {}): Arm64UnhandledFaultFields {
  const regs = zeros();
  regs[1] = 0x41n;
  regs[30] = 0x4000f4n;
  return {
    comm: 'null_store',
    pid: 114,
    esr: 0x92000046,
    faultName: 'level 2 translation fault',
    vma: { name: 'null_store', start: 0x400000n, size: 0x1000n },
    release: '6.1.0-56-arm64',
    version: '#1 SMP Debian 6.1.192-2 (2026-11-16)',
    versionSuffix: '  Debian 6.1.192-2',
    hardwareName: 'linux,dummy-virt (DT)',
    pstate: 0x1000n,
    pc: 0x4002f8n,
    sp: 0xfffffffffdf0n,
    regs,
    ...over,
  };
}

describe('formatArm64UnhandledFault (synthetic)', () => {
  it('6.1 null store', () => {
    const l = formatArm64UnhandledFault(baseFields());
    expect(l[0]).toBe(
      'null_store[114]: unhandled exception: DABT (lower EL), ESR 0x0000000092000046, level 2 translation fault in null_store[400000+1000]',
    );
    expect(l[1]).toBe('CPU: 0 PID: 114 Comm: null_store Not tainted 6.1.0-56-arm64 #1  Debian 6.1.192-2');
    expect(l.slice(2, 7)).toEqual([
      'Hardware name: linux,dummy-virt (DT)',
      'pstate: 00001000 (nzcv daif -PAN -UAO -TCO -DIT +SSBS BTYPE=--)',
      'pc : 00000000004002f8',
      'lr : 00000000004000f4',
      'sp : 0000fffffffffdf0',
    ]);
    expect(l).toHaveLength(17);
  });
  it('the fault name defaults to fault_info[] of the ESR; ESR 0 drops the class/ESR part', () => {
    expect(formatArm64UnhandledFault(baseFields({ faultName: undefined }))[0]).toContain(
      'level 2 translation fault in',
    );
    expect(formatArm64UnhandledFault(baseFields({ esr: 0, faultName: 'x', vma: null }))[0]).toBe(
      'null_store[114]: unhandled exception: x',
    );
  });
  it('4.19 prints the ESR with 8 digits and two registers per line', () => {
    const l = formatArm64UnhandledFault(baseFields(), PROFILES['4.19']);
    expect(l[0]).toBe(
      'null_store[114]: unhandled exception: DABT (lower EL), ESR 0x92000046, level 2 translation fault in null_store[400000+1000]',
    );
    expect(l[3]).toBe('pstate: 00001000 (nzcv daif -PAN -UAO)');
    expect(l).toHaveLength(1 + 2 + 4 + 15);
  });
  it('6.1 vs 4.19 on a kernel address: sanitised ESR, name from original (6.1) or sanitised (4.19) ESR', () => {
    const orig = buildDataAbortEsr({ write: true, fsc: 0x0f });
    for (const p of ['6.1', '4.19'] as const) {
      const s = sanitizeUserFaultEsr(0xffff000012345678n, orig, PROFILES[p]);
      const l = formatArm64UnhandledFault(
        baseFields({ esr: s.esr, faultName: faultInfo(p, s.nameEsr).name, vma: null }),
        PROFILES[p],
      )[0];
      expect(l).toBe(
        p === '6.1'
          ? 'null_store[114]: unhandled exception: DABT (lower EL), ESR 0x0000000092000044, level 3 permission fault'
          : 'null_store[114]: unhandled exception: DABT (lower EL), ESR 0x92000044, level 0 translation fault',
      );
    }
  });
  it('6.1 pmr_save only when given', () => {
    const l = formatArm64UnhandledFault(baseFields({ pmrSave: 0xe0n }));
    expect(l[7]).toBe('pmr_save: 000000e0');
  });
  it('3.12: unhandled line, show_pte, show_regs', () => {
    const l = formatArm64UnhandledFault(
      baseFields({
        release: '3.12.0',
        version: '#1 SMP Mon',
        versionSuffix: '',
        addr: 0n,
        pte: { walk: { pgd: 0n }, pgdPtrText: 'ffffffc07d3e1000' },
        taskPtr: 0xffffffc07d000000n,
        threadInfoPtr: 0xffffffc07d100000n,
      }),
      PROFILES['3.12'],
    );
    expect(l.slice(0, 11)).toEqual([
      'null_store[114]: unhandled level 2 translation fault (11) at 0x00000000, esr 0x92000046',
      'pgd = ffffffc07d3e1000',
      '[00000000] *pgd=0000000000000000',
      '',
      'CPU: 0 PID: 114 Comm: null_store Not tainted 3.12.0 #1',
      'Hardware name: linux,dummy-virt (DT)',
      'task: ffffffc07d000000 ti: ffffffc07d100000 task.ti: ffffffc07d100000',
      'PC is at 0x4002f8',
      'LR is at 0x4000f4',
      'pc : [<00000000004002f8>] lr : [<00000000004000f4>] pstate: 00001000',
      'sp : 0000fffffffffdf0',
    ]);
    expect(l[11]).toBe('x29: 0000000000000000 x28: 0000000000000000 ');
    expect(l[l.length - 1]).toBe('');
    expect(l).toHaveLength(11 + 15 + 1);
  });
  it('3.12 instruction aborts carry ESR_LNX_EXEC in the printed esr', () => {
    const l = formatArm64UnhandledFault(
      baseFields({ esr: buildInstrAbortEsr(0x0f), addr: 0x7f00001000n, release: 'r', version: 'v' }),
      PROFILES['3.12'],
    );
    expect(l[0]).toBe('null_store[114]: unhandled level 2 translation fault (11) at 0x7f00001000, esr 0x8300000f');
    const l2 = formatArm64UnhandledFault(
      baseFields({
        esr: buildInstrAbortEsr(0x0f),
        faultName: undefined,
        addr: 0x7f00001000n,
        release: 'r',
        version: 'v',
      }),
      PROFILES['3.12'],
    );
    expect(l2[0]).toBe('null_store[114]: unhandled level 3 permission fault (11) at 0x7f00001000, esr 0x8300000f');
  });
  it('3.12 do_mem_abort alert', () => {
    expect(format312UnhandledFaultAlert(0x92000061, 0x1001n)).toBe(
      'Unhandled fault: alignment fault (0x92000061) at 0x0000000000001001',
    );
  });
});

describe('formatShowPte', () => {
  it('6.1 stops at the folded p4d when the pgd entry is empty', () => {
    expect(formatShowPte({ addr: 0n, walk: { pgd: 0n }, pgdPhys: 0x41234000n })).toEqual([
      'user pgtable: 4k pages, 48-bit VAs, pgdp=0000000041234000',
      '[0000000000000000] pgd=0000000000000000, p4d=0000000000000000',
    ]);
  });
  it('6.1 walks to the pte', () => {
    const l = formatShowPte({
      addr: 0x40107fn,
      walk: { pgd: 0x41235003n, pud: 0x41236003n, pmd: 0x41237003n, pte: 0x00e0000041238fc3n },
      pgdPhys: 0x41234000n,
    });
    expect(l[1]).toBe(
      '[000000000040107f] pgd=0000000041235003, p4d=0000000041235003, pud=0000000041236003, pmd=0000000041237003, pte=00e0000041238fc3',
    );
  });
  it('6.1 stops at a pmd block mapping (pmd_bad)', () => {
    const l = formatShowPte({
      addr: 0x200000n,
      walk: { pgd: 0x41235003n, pud: 0x41236003n, pmd: 0x00e0000041200f01n },
    });
    expect(l[1]).toBe(
      '[0000000000200000] pgd=0000000041235003, p4d=0000000041235003, pud=0000000041236003, pmd=00e0000041200f01',
    );
  });
  it('4.19 has no p4d and prints "pgdp = %p"', () => {
    expect(
      formatShowPte(
        { addr: 0n, walk: { pgd: 0x41235003n, pud: 0n }, pgdPtrText: '(____ptrval____)' },
        PROFILES['4.19'],
      ),
    ).toEqual([
      'user pgtable: 4k pages, 48-bit VAs, pgdp = (____ptrval____)',
      '[0000000000000000] pgd=0000000041235003, pud=0000000000000000',
    ]);
  });
  it('3.12 skips the folded pud', () => {
    expect(
      formatShowPte(
        { addr: 0x1234n, walk: { pgd: 0x41235003n, pmd: 0x41236003n, pte: 0n }, pgdPtrText: 'ffffffc000000000' },
        PROFILES['3.12'],
      )[1],
    ).toBe('[00001234] *pgd=0000000041235003, *pmd=0000000041236003, *pte=0000000000000000');
  });
});

describe('formatMemAbortDecode', () => {
  it('6.1 data abort', () => {
    expect(formatMemAbortDecode(0x96000045)).toEqual([
      'Mem abort info:',
      '  ESR = 0x0000000096000045',
      '  EC = 0x25: DABT (current EL), IL = 32 bits',
      '  SET = 0, FnV = 0',
      '  EA = 0, S1PTW = 0',
      '  FSC = 0x05: level 1 translation fault',
      'Data abort info:',
      '  ISV = 0, ISS = 0x00000045',
      '  CM = 0, WnR = 1',
    ]);
  });
  it('ISV=1 prints the access size lines', () => {
    const l = formatMemAbortDecode(0x93c08007 >>> 0);
    expect(l).toContain('  Access size = 8 byte(s)');
    expect(l).toContain('  SSE = 0, SRT = 0');
    expect(l).toContain('  SF = 1, AR = 0');
  });
  it('4.19 format and no FSC line; instruction aborts have no data-abort block', () => {
    expect(formatMemAbortDecode(0x8600000f, PROFILES['4.19'])).toEqual([
      'Mem abort info:',
      '  ESR = 0x8600000f',
      '  Exception class = IABT (current EL), IL = 32 bits',
      '  SET = 0, FnV = 0',
      '  EA = 0, S1PTW = 0',
    ]);
    expect(formatMemAbortDecode(0x8600000f, PROFILES['3.12'])).toEqual([]);
  });
});

describe.skipIf(!haveOracle)('formatArm64UnhandledFault vs the real 6.1 oracle', () => {
  const cases = oracleCases('aarch64', 'sigsegv_');
  it('has sigsegv cases', () => expect(cases.length).toBeGreaterThanOrEqual(5));
  for (const name of cases) {
    it(name, () => {
      const j = oracleJson('aarch64', name);
      const uf = j.user_faults[0];
      const regs: bigint[] = [];
      for (let i = 0; i <= 29; i++) regs.push(BigInt(uf.regs[`x${i}`]));
      const esr = BigInt(uf.esr);
      const fields: Arm64UnhandledFaultFields = {
        comm: uf.comm,
        pid: uf.pid,
        esr,
        faultName: faultInfo('6.1', esr).name,
        vma: parseVma(uf.vma),
        ...unameOf(j.kernel),
        hardwareName: uf.hardware,
        pstate: BigInt('0x' + String(uf.pstate).split(' ')[0]),
        pc: BigInt(uf.regs.pc),
        lr: BigInt(uf.regs.lr),
        sp: BigInt(uf.regs.sp),
        regs,
      };
      const got = formatArm64UnhandledFault(fields, PROFILES['6.1']);
      const want = oracleBlock(oracleLogLines('aarch64', name), 'unhandled exception:', got.length);
      expect(got).toEqual(want);
      // the decoded facts of the JSON agree with our table
      expect(faultInfo('6.1', esr).name).toBe(uf.name);
    });
  }
});

describe('fault_info[] holds the handlers themselves', () => {
  it('every row of every version is bound to the function its data row names', () => {
    for (const p of ['6.1', '4.19', '3.12'] as const) {
      expect(fault_info[p]).toHaveLength(64);
      fault_info[p].forEach((inf, i) => {
        expect(typeof inf.fn).toBe('function');
        expect(inf.fn.name).toBe(FAULT_INFO[p][i]!.fn);
        expect({ ...inf, fn: inf.fn.name }).toEqual(FAULT_INFO[p][i]);
      });
    }
  });
});
