import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../../src/include/faultpath/profile.js';
import { decodePf } from '../../../../arch/x86/include/asm/trap_pf.js';
import { X86_TASK_SIZE_MAX } from '../../../../arch/x86/include/asm/page_64_types.js';
import { type OpcodeDump, show_opcodes as formatShowOpcodes } from '../../../../arch/x86/kernel/dumpstack.js';
import {
  formatX86Segfault,
  sanitize_error_code,
  show_fault_oops as formatPfOopsLines,
} from '../../../../arch/x86/mm/fault.js';
import { haveOracle, oracleBlock, oracleCases, oracleJson, oracleLogLines, parseVma } from '../../../helpers/oracle.js';

describe('formatX86Segfault (synthetic)', () => {
  const bytes = Array.from({ length: 64 }, (_, i) => i);
  const base = {
    comm: 'a_very_long_command_name',
    pid: 123,
    address: 0n,
    ip: 0x401126n,
    sp: 0x7ffc8e1b7e50n,
    errorCode: 6,
    vma: { name: 'a.out', start: 0x401000n, size: 0x1000n },
  };
  it('6.1 with CPU suffix and Code line', () => {
    expect(formatX86Segfault({ ...base, cpu: { cpu: 2, core: 2, socket: 0 }, code: { kind: 'bytes', bytes } })).toEqual(
      [
        'a_very_long_com[123]: segfault at 0 ip 0000000000401126 sp 00007ffc8e1b7e50 error 6 in a.out[401000+1000] likely on CPU 2 (core 2, socket 0)',
        `Code: ${bytes
          .slice(0, 42)
          .map((b) => b.toString(16).padStart(2, '0'))
          .join(' ')} <2a> ${bytes
          .slice(43)
          .map((b) => b.toString(16).padStart(2, '0'))
          .join(' ')}`,
      ],
    );
  });
  it('4.19 has no CPU suffix; unreadable code is "Bad RIP value."', () => {
    expect(formatX86Segfault({ ...base, code: { kind: 'fault' } }, PROFILES['4.19'])).toEqual([
      'a_very_long_com[123]: segfault at 0 ip 0000000000401126 sp 00007ffc8e1b7e50 error 6 in a.out[401000+1000]',
      'Code: Bad RIP value.',
    ]);
    // ip-42..ip+21 reaching above TASK_SIZE_MAX is refused even if bytes were supplied
    expect(formatShowOpcodes(X86_TASK_SIZE_MAX - 10n, { kind: 'bytes', bytes }, PROFILES['4.19'])).toEqual([
      'Code: Bad RIP value.',
    ]);
  });
  it('3.12 has neither CPU suffix nor Code line', () => {
    expect(formatX86Segfault({ ...base, vma: null, code: { kind: 'bytes', bytes } }, PROFILES['3.12'])).toEqual([
      'a_very_long_com[123]: segfault at 0 ip 0000000000401126 sp 00007ffc8e1b7e50 error 6',
    ]);
  });
  it('6.1 -EPERM prints no Code line; a short dump is rejected', () => {
    expect(formatShowOpcodes(0x401126n, { kind: 'eperm' })).toEqual([]);
    expect(() => formatShowOpcodes(0x401126n, { kind: 'bytes', bytes: [1, 2, 3] })).toThrow(/64 bytes/);
  });
  it('oops header lines (6.1 show_fault_oops)', () => {
    expect(formatPfOopsLines(0n, 0x0, false)).toEqual([
      'BUG: kernel NULL pointer dereference, address: 0000000000000000',
      '#PF: supervisor read access in kernel mode',
      '#PF: error_code(0x0000) - not-present page',
    ]);
    expect(formatPfOopsLines(0xffffffff81000000n, 0x3, false)[2]).toBe(
      '#PF: error_code(0x0003) - permissions violation',
    );
    expect(formatPfOopsLines(0x1000n, 0x11, false)[1]).toBe('#PF: supervisor instruction fetch in kernel mode');
    expect(formatPfOopsLines(0x1000n, 0x9, false)[2]).toBe('#PF: error_code(0x0009) - reserved bit violation');
  });
});

function parseCode(text: string | undefined): OpcodeDump {
  if (!text || text.startsWith('Unable to access')) return { kind: 'fault' };
  const bytes = text.split(' ').map((t) => parseInt(t.replace(/[<>]/g, ''), 16));
  return { kind: 'bytes', bytes };
}

describe.skipIf(!haveOracle)('formatX86Segfault vs the real 6.1 oracle', () => {
  const cases = oracleCases('x86_64', 'sigsegv_');
  it('has sigsegv cases', () => expect(cases.length).toBeGreaterThanOrEqual(5));
  for (const name of cases) {
    it(name, () => {
      const j = oracleJson('x86_64', name);
      const uf = j.user_faults[0];
      const address = BigInt('0x' + uf.addr);
      const got = formatX86Segfault(
        {
          comm: uf.comm,
          pid: uf.pid,
          address,
          ip: BigInt('0x' + uf.ip),
          sp: BigInt('0x' + uf.sp),
          errorCode: sanitize_error_code(address, parseInt(uf.error, 16)),
          vma: parseVma(uf.vma),
          cpu: { cpu: Number(uf.cpu), core: Number(uf.core), socket: Number(uf.socket) },
          code: parseCode(uf.code),
        },
        PROFILES['6.1'],
      );
      const want = oracleBlock(oracleLogLines('x86_64', name), ': segfault at ', got.length);
      expect(got).toEqual(want);
      // the error bits the oracle decoded agree with decodePf
      const d = decodePf(parseInt(uf.error, 16));
      const bits: string[] = uf.error_bits;
      expect(bits.includes('P')).toBe(d.prot);
      expect(bits.includes('W')).toBe(d.write);
      expect(bits.includes('U')).toBe(d.user);
      expect(bits.includes('I')).toBe(d.instr);
    });
  }
});
