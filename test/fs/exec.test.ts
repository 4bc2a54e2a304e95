/**
 * src/fs/exec.ts: the exec-time populate of the new stack (copy_strings → get_arg_page →
 * get_user_pages on bprm->mm) faults with the profile's FAULT_FLAG_* values by name.  The 3.12
 * profile has no FAULT_FLAG_REMOTE, and its 0x80 is FAULT_FLAG_USER: passing a literal 0x80 made
 * the kernel-mode populate a user fault there (mem_cgroup_oom_enable, memcg OOM deferral).
 */
import { describe, expect, it } from 'vitest';
import { getProfile, type KernelVersion } from '../../src/include/faultpath/profile.js';
import { Machine } from '../../src/machine/machine.js';
import { a64 } from '../helpers/vm.js';

const EXIT = `
  mov x0, #0
  mov x8, #94
  svc #0
`;

/** The flags of every handle_mm_fault of a spawn (exec) before the program runs. */
async function execFaultFlags(kernel: KernelVersion): Promise<string[]> {
  const m = new Machine({ arch: 'aarch64', kernel, trace: true });
  try {
    m.addProgram('/prog/exit', await a64(EXIT, 'exit.S'));
    m.spawn({ path: '/prog/exit', argv: ['exit', 'x'.repeat(6000)], envp: ['A=1'] });
    return m.tracer.events.flatMap((e) =>
      e.kind === 'enter' && e.fn === 'handle_mm_fault' ? [String(e.args?.flags)] : [],
    );
  } finally {
    m.close();
  }
}

describe('exec-time populate: FAULT_FLAG_* by name', () => {
  it('3.12 passes FAULT_FLAG_WRITE alone (0x1), never FAULT_FLAG_USER (0x80)', async () => {
    const F = getProfile('3.12').faultFlags;
    expect(F.REMOTE).toBe(0);
    expect(F.USER).toBe(0x80);
    const flags = await execFaultFlags('3.12');
    expect(flags.length).toBeGreaterThan(0);
    expect(new Set(flags)).toEqual(new Set(['0x1']));
  });

  for (const kernel of ['4.19', '6.1'] as const) {
    it(`${kernel} passes FAULT_FLAG_WRITE|FAULT_FLAG_REMOTE (0x81), not FAULT_FLAG_USER`, async () => {
      const F = getProfile(kernel).faultFlags;
      expect(F.WRITE | F.REMOTE).toBe(0x81);
      const flags = await execFaultFlags(kernel);
      expect(flags.length).toBeGreaterThan(0);
      expect(new Set(flags)).toEqual(new Set(['0x81']));
      expect(F.USER & 0x81).toBe(0);
    });
  }
});
