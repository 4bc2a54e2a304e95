import { describe, expect, it } from 'vitest';
import {
  exceptionTraceDefault,
  format312UnhandledFaultAlert,
  formatArm64UnhandledFault,
  formatDumpStackInfo,
  formatGprs,
  formatMemAbortDecode,
  formatPstate,
  formatShowPte,
  type Arm64UnhandledFaultFields,
} from '../../arch/arm64/kernel/traps.js';
import { buildDataAbortEsr, buildInstrAbortEsr, sanitizeUserFaultEsr } from '../../arch/arm64/include/asm/esr.js';
import { faultInfo } from '../../arch/arm64/mm/fault_info.js';
import {
  haveOracle,
  oracleBlock,
  oracleCases,
  oracleJson,
  oracleLogLines,
  parseVma,
  unameOf,
} from './oracle-helpers.js';

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

describe('exceptionTraceDefault (kernel-reference.md §1.10)', () => {
  it('arm64 is 0 in 4.19 and 6.1, 1 in 3.12; x86 is always 1', () => {
    expect(exceptionTraceDefault('6.1')).toBe(0);
    expect(exceptionTraceDefault('4.19')).toBe(0);
    expect(exceptionTraceDefault('3.12')).toBe(1);
    for (const p of ['6.1', '4.19', '3.12'] as const) expect(exceptionTraceDefault(p, 'x86_64')).toBe(1);
  });
  it.skipIf(!haveOracle)('matches the oracle boot default on arm64 6.1', () => {
    const j = oracleJson('aarch64', 'sigsegv_null_store');
    expect(String(exceptionTraceDefault('6.1'))).toBe(j.settings.boot_defaults['debug.exception-trace']);
  });
});

describe('formatPstate', () => {
  it('6.1 format', () => {
    expect(formatPstate(0x1000n)).toBe('00001000 (nzcv daif -PAN -UAO -TCO -DIT +SSBS BTYPE=--)');
    expect(formatPstate(0xf04003c0n)).toBe('f04003c0 (NZCV DAIF +PAN -UAO -TCO -DIT -SSBS BTYPE=--)');
    expect(formatPstate(0x60000c00n)).toBe('60000c00 (nZCv daif -PAN -UAO -TCO -DIT -SSBS BTYPE=j-)');
    expect(formatPstate(0x400n)).toContain('BTYPE=jc');
    expect(formatPstate(0x800n)).toContain('BTYPE=-c');
  });
  it('4.19 format stops after UAO', () => {
    expect(formatPstate(0x80001000n, '4.19')).toBe('80001000 (Nzcv daif -PAN -UAO)');
  });
});

describe('register dump layout', () => {
  const regs = Array.from({ length: 31 }, (_, i) => BigInt(i));
  it('6.1: three per line, x29 first, x0 last', () => {
    const l = formatGprs({ regs, sp: 0n, pc: 0n, pstate: 0n });
    expect(l).toHaveLength(10);
    expect(l[0]).toBe('x29: 000000000000001d x28: 000000000000001c x27: 000000000000001b');
    expect(l[6]).toBe('x11: 000000000000000b x10: 000000000000000a x9 : 0000000000000009');
    expect(l[9]).toBe('x2 : 0000000000000002 x1 : 0000000000000001 x0 : 0000000000000000');
  });
  it('4.19/3.12: two per line with a trailing space', () => {
    const l = formatGprs({ regs, sp: 0n, pc: 0n, pstate: 0n }, '4.19');
    expect(l).toHaveLength(15);
    expect(l[0]).toBe('x29: 000000000000001d x28: 000000000000001c ');
    expect(l[14]).toBe('x1 : 0000000000000001 x0 : 0000000000000000 ');
    expect(formatGprs({ regs, sp: 0n, pc: 0n, pstate: 0n }, '3.12')).toEqual(l);
  });
});

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
        '4.19',
      ),
    ).toEqual(['CPU: 0 PID: 7 Comm: abcdefghijklmno Kdump: loaded Not tainted r v', 'Hardware name: hw']);
    expect(formatDumpStackInfo({ pid: 7, comm: 'a', release: 'r', version: 'v', kdumpLoaded: true }, '3.12')).toEqual([
      'CPU: 0 PID: 7 Comm: a Not tainted r v',
    ]);
  });
});

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
    const l = formatArm64UnhandledFault(baseFields(), '4.19');
    expect(l[0]).toBe(
      'null_store[114]: unhandled exception: DABT (lower EL), ESR 0x92000046, level 2 translation fault in null_store[400000+1000]',
    );
    expect(l[3]).toBe('pstate: 00001000 (nzcv daif -PAN -UAO)');
    expect(l).toHaveLength(1 + 2 + 4 + 15);
  });
  it('6.1 vs 4.19 on a kernel address: sanitised ESR, name from original (6.1) or sanitised (4.19) ESR', () => {
    const orig = buildDataAbortEsr({ write: true, fsc: 0x0f });
    for (const p of ['6.1', '4.19'] as const) {
      const s = sanitizeUserFaultEsr(0xffff000012345678n, orig, p);
      const l = formatArm64UnhandledFault(
        baseFields({ esr: s.esr, faultName: faultInfo(p, s.nameEsr).name, vma: null }),
        p,
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
      '3.12',
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
      '3.12',
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
      '3.12',
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
      formatShowPte({ addr: 0n, walk: { pgd: 0x41235003n, pud: 0n }, pgdPtrText: '(____ptrval____)' }, '4.19'),
    ).toEqual([
      'user pgtable: 4k pages, 48-bit VAs, pgdp = (____ptrval____)',
      '[0000000000000000] pgd=0000000041235003, pud=0000000000000000',
    ]);
  });
  it('3.12 skips the folded pud', () => {
    expect(
      formatShowPte(
        { addr: 0x1234n, walk: { pgd: 0x41235003n, pmd: 0x41236003n, pte: 0n }, pgdPtrText: 'ffffffc000000000' },
        '3.12',
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
    expect(formatMemAbortDecode(0x8600000f, '4.19')).toEqual([
      'Mem abort info:',
      '  ESR = 0x8600000f',
      '  Exception class = IABT (current EL), IL = 32 bits',
      '  SET = 0, FnV = 0',
      '  EA = 0, S1PTW = 0',
    ]);
    expect(formatMemAbortDecode(0x8600000f, '3.12')).toEqual([]);
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
      const got = formatArm64UnhandledFault(fields, '6.1');
      const want = oracleBlock(oracleLogLines('aarch64', name), 'unhandled exception:', got.length);
      expect(got).toEqual(want);
      // the decoded facts of the JSON agree with our table
      expect(faultInfo('6.1', esr).name).toBe(uf.name);
    });
  }
});
