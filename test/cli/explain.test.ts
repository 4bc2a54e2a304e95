import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/include/faultpath/profile.js';
import { explainEsr, explainPf } from '../../src/explain/fault-codes.js';
import { mem_abort_decode as formatMemAbortDecode } from '../../arch/arm64/mm/fault.js';

describe('explainEsr', () => {
  it('accepts hex with or without 0x, numbers and bigints', () => {
    const a = explainEsr('0x92000046');
    expect(explainEsr('92000046')).toBe(a);
    expect(explainEsr(' 0x9200_0046 ')).toBe(a);
    expect(explainEsr(0x92000046)).toBe(a);
    expect(explainEsr(0x92000046n)).toBe(a);
  });
  it('decodes every data-abort field and the fault_info entry', () => {
    const t = explainEsr('0x92000046');
    expect(t).toContain('EC   [31:26] = 0x24  ESR_ELx_EC_DABT_LOW: "DABT (lower EL)"');
    for (const f of ['ISV', 'SAS', 'SSE', 'SRT', 'SF', 'AR', 'SET', 'FnV', 'EA', 'CM', 'S1PTW', 'WnR', 'DFSC'])
      expect(t).toMatch(new RegExp(`\\n    ${f} +\\[`));
    expect(t).toContain('DFSC  [5:0]   = 0x06  level 2 translation fault');
    expect(t).toContain(
      'fault_info[6] (Linux 6.1): do_translation_fault, SIGSEGV (11), SEGV_MAPERR (1), "level 2 translation fault"',
    );
    expect(t).toContain('VM_WRITE');
    expect(t).toContain('unhandled exception: DABT (lower EL), ESR 0x0000000092000046, level 2 translation fault');
  });
  it('embeds mem_abort_decode() verbatim', () => {
    for (const p of ['6.1', '4.19'] as const) {
      const t = explainEsr('0x9200004f', p);
      const block = formatMemAbortDecode(0x9200004f, PROFILES[p])
        .map((l) => `  ${l}`)
        .join('\n');
      expect(t).toContain(block);
    }
    expect(explainEsr('0x9200004f', '3.12')).toContain('mem_abort_decode(): not present in Linux 3.12');
  });
  it('profile differences', () => {
    expect(explainEsr('0x92000011', '6.1')).toContain('synchronous tag check fault');
    expect(explainEsr('0x92000011', '4.19')).toContain('unknown 17');
    expect(explainEsr('0x92000011', '3.12')).toContain('asynchronous external abort');
    expect(explainEsr('0x8200000f', '3.12')).toContain('esr 0x8300000f');
    expect(explainEsr('0x92000006', '6.1')).toContain('VM_READ|VM_WRITE (|VM_EXEC unless the CPU has ARM64_HAS_EPAN)');
    expect(explainEsr('0x92000006', '4.19')).toContain('VMA must have VM_READ|VM_WRITE;');
    expect(explainEsr('0x9200004f', '4.19')).toContain('the printed name is "level 0 translation fault"');
    expect(explainEsr('0x9200004f', '6.1')).toContain('the printed name is "level 3 permission fault"');
  });
  it('non-abort classes', () => {
    const t = explainEsr('0x56000000');
    expect(t).toContain('"SVC (AArch64)"');
    expect(t).toContain('Not an instruction or data abort');
    expect(explainEsr('0x0a000000')).toContain('unallocated: "UNRECOGNIZED EC"');
  });
  it('rejects invalid input with a clear message', () => {
    expect(() => explainEsr('')).toThrow(/empty/);
    expect(() => explainEsr('0xzz')).toThrow(/invalid ESR '0xzz'/);
    expect(() => explainEsr('-5')).toThrow(/invalid ESR/);
    expect(() => explainEsr(-1)).toThrow(/negative/);
    expect(() => explainEsr(1.5)).toThrow(/not an integer/);
    expect(() => explainEsr('0x1' + '0'.repeat(16))).toThrow(/wider than 64 bits/);
    expect(() => explainEsr('0x92000046', '5.10')).toThrow(/unknown kernel profile '5.10'/);
  });
  it('snapshots', () => {
    expect(explainEsr('0x92000046')).toMatchSnapshot();
    expect(explainEsr('0x8200000f', '4.19')).toMatchSnapshot();
    expect(explainEsr('0x92000061', '3.12')).toMatchSnapshot();
  });
});

describe('explainPf', () => {
  it('reads bare digits as hex, as the kernel prints "error %lx"', () => {
    expect(explainPf('15')).toBe(explainPf('0x15'));
    expect(explainPf(0x15)).toBe(explainPf('15'));
  });
  it('decodes each bit and the do_user_addr_fault()/access_error() outcome', () => {
    const t = explainPf('6');
    expect(t).toContain('bit 0  X86_PF_PROT  = 0  no page found (not present)');
    expect(t).toContain('bit 1  X86_PF_WRITE = 1  write access');
    expect(t).toContain('bit 2  X86_PF_USER  = 1  user-mode access');
    expect(t).toContain('FAULT_FLAG_DEFAULT|FAULT_FLAG_USER|FAULT_FLAG_WRITE = 0x255');
    expect(t).toContain('write: VMA must have VM_WRITE, else SIGSEGV SEGV_ACCERR');
    expect(t).toContain('segfault at <addr> ip <ip> sp <sp> error 6');
    expect(explainPf('4')).toContain('VM_READ|VM_WRITE|VM_EXEC (vma_is_accessible())');
    expect(explainPf('7')).toContain('Summary: user-mode write to a present page (protection violation)');
    expect(explainPf('15')).toContain('read/fetch with X86_PF_PROT set (present page): always an access error');
    expect(explainPf('0')).toContain('#PF: error_code(0x0000) - not-present page');
    expect(explainPf('25')).toContain('X86_PF_PK set -> always an access error');
  });
  it('profile differences', () => {
    expect(explainPf('6', '3.12')).toContain('PF_WRITE = 1');
    expect(explainPf('6', '3.12')).toContain('= 0xa9');
    expect(explainPf('6', '4.19')).toContain('= 0x55');
    expect(explainPf('6', '4.19')).not.toContain('likely on CPU');
    expect(explainPf('20', '3.12')).toContain('other bits 0x20 set: not defined by Linux 3.12');
    expect(explainPf('40')).toContain('X86_PF_SHSTK = 1');
  });
  it('rejects invalid input', () => {
    expect(() => explainPf('')).toThrow(/empty/);
    expect(() => explainPf('6g')).toThrow(/invalid x86 page-fault error code '6g'/);
    expect(() => explainPf('0x100000000')).toThrow(/wider than 32 bits/);
    expect(() => explainPf('6', '2.6')).toThrow(/unknown kernel profile/);
  });
  it('snapshots', () => {
    expect(explainPf('6')).toMatchSnapshot();
    expect(explainPf('15', '4.19')).toMatchSnapshot();
    expect(explainPf('5', '3.12')).toMatchSnapshot();
  });
});
