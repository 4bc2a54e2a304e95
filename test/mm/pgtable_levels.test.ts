/**
 * Lazy page-table allocation and the translation level reported by a fault (kernel-reference
 * §2.1/§2.2): arm64 4 KiB granule, 48-bit VA, 4 levels.  A first touch reports the level of the
 * first invalid descriptor the walk read (DFSC 0x04..0x07 = level 0..3 translation fault) and
 * __handle_mm_fault / do_anonymous_page allocate exactly the missing tables below it
 * (__pud_alloc, __pmd_alloc, __pte_alloc), each adding 4096 to mm->pgtables_bytes.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/trace/events.js';
import { a64, dmesg, kb, machine, onMarker, proc, x64 } from '../helpers/vm.js';

const A = 0x100_0000_0000; // 1 TiB: pgd index 2, nothing mapped in that 512 GiB slot
const TOUCHES = [
  { addr: A, level: 0, allocs: ['__pud_alloc', '__pmd_alloc', '__pte_alloc'] },
  { addr: A + 0x1000, level: 3, allocs: [] },
  { addr: A + 0x20_0000, level: 2, allocs: ['__pte_alloc'] },
  { addr: A + 0x4000_0000, level: 1, allocs: ['__pmd_alloc', '__pte_alloc'] },
  { addr: A + 0x80_0000_0000, level: 0, allocs: ['__pud_alloc', '__pmd_alloc', '__pte_alloc'] },
];

const A64_LEVELS = `
  ldr x19, =${A}
  mov x20, #0x2000
  mmap_fixed x19, x20
  mov x20, #0x1000
  ldr x21, =${A + 0x20_0000}
  mmap_fixed x21, x20
  ldr x22, =${A + 0x4000_0000}
  mmap_fixed x22, x20
  ldr x23, =${A + 0x80_0000_0000}
  mmap_fixed x23, x20
  marker 0
  mov w2, #1
  strb w2, [x19]
  marker 1
  add x24, x19, #4096
  strb w2, [x24]
  marker 2
  strb w2, [x21]
  marker 3
  strb w2, [x22]
  marker 4
  strb w2, [x23]
  marker 5
  exit_group 0
`;

const X64_LEVELS = `
  mov r12, ${A}
  mov r13, ${A + 0x20_0000}
  mov r14, ${A + 0x4000_0000}
  mov r15, ${A + 0x80_0000_0000}
  mov rsi, 0x2000
  mov rdi, r12
  call map
  mov rsi, 0x1000
  mov rdi, r13
  call map
  mov rsi, 0x1000
  mov rdi, r14
  call map
  mov rsi, 0x1000
  mov rdi, r15
  call map
  mov rdi, 0
  call marker
  mov byte ptr [r12], 1
  mov rdi, 1
  call marker
  mov byte ptr [r12 + 4096], 1
  mov rdi, 2
  call marker
  mov byte ptr [r13], 1
  mov rdi, 3
  call marker
  mov byte ptr [r14], 1
  mov rdi, 4
  call marker
  mov byte ptr [r15], 1
  mov rdi, 5
  call marker
  mov edi, 0
  mov eax, 231
  syscall
map:
  mov edx, 3
  mov r10d, 0x32
  mov r8, -1
  xor r9d, r9d
  mov eax, 9
  syscall
  ret
marker:
  mov eax, 39
  syscall
  ret
`;

interface Snap {
  vmPte: number;
  events: number;
}

async function runLevels(arch: 'aarch64' | 'x86_64') {
  const elf = arch === 'aarch64' ? await a64(A64_LEVELS, 'levels.S') : await x64(X64_LEVELS, 'levels.S');
  const { m, dv } = machine({ arch, trace: true, memBytes: 64 << 20 });
  m.addProgram('/prog/levels', elf);
  const snaps: Snap[] = [];
  onMarker(m, (t) => {
    snaps.push({ vmPte: kb(proc(m, t.pid, 'status')).VmPTE!, events: m.tracer.events.length });
    // mid-run: the whole mm state is consistent at every step
    expect(dv.check('marker')).toEqual([]);
  });
  const t = m.spawn({ path: '/prog/levels' });
  const end = m.run();
  return { m, dv, t, end, snaps, events: m.tracer.events };
}

function slice(events: TraceEvent[], from: number, to: number): TraceEvent[] {
  return events.slice(from, to);
}

describe('page-table levels of first touches (arm64, 6.1)', () => {
  it('reports level 0/3/2/1/0 translation faults and allocates exactly the missing tables', async () => {
    const { t, end, snaps, events, dv } = await runLevels('aarch64');
    expect(end.kind).toBe('exited');
    expect(t.exitStatus).toBe(0);
    expect(snaps).toHaveLength(6);
    for (let i = 0; i < TOUCHES.length; i++) {
      const want = TOUCHES[i]!;
      const ev = slice(events, snaps[i]!.events, snaps[i + 1]!.events);
      const exc = ev.filter((e): e is Extract<TraceEvent, { kind: 'exception' }> => e.kind === 'exception');
      expect(exc.map((e) => e.address)).toEqual([`0x${want.addr.toString(16)}`]);
      // EC 0x24 DABT_LOW, IL, WnR (0x40), DFSC = 0x04 + level
      expect(exc[0]!.esr).toBe(`0x${(0x92000044 + want.level).toString(16)}`);
      const allocs = ev
        .filter((e) => e.kind === 'pte' && e.why.startsWith('__'))
        .map((e) => (e as Extract<TraceEvent, { kind: 'pte' }>).why);
      expect(allocs).toEqual(want.allocs);
      // every table page is 4096 bytes of pgtables_bytes (VmPTE is pgtables_bytes >> 10)
      expect(snaps[i + 1]!.vmPte - snaps[i]!.vmPte).toBe(4 * want.allocs.length);
      // and the leaf PTE was installed by do_anonymous_page
      expect(
        ev.filter((e) => e.kind === 'pte' && e.level === 3).map((e) => (e as Extract<TraceEvent, { kind: 'pte' }>).why),
      ).toEqual(['do_anonymous_page']);
    }
    expect(snaps[5]!.vmPte - snaps[0]!.vmPte).toBe(9 * 4);
    dv.assertClean();
    expect(dv.check('end')).toEqual([]);
  });

  it('x86-64 allocates the same tables for the same first touches', async () => {
    const { t, end, snaps, events, dv } = await runLevels('x86_64');
    expect(end.kind).toBe('exited');
    expect(t.exitStatus).toBe(0);
    for (let i = 0; i < TOUCHES.length; i++) {
      const ev = slice(events, snaps[i]!.events, snaps[i + 1]!.events);
      const exc = ev.filter((e) => e.kind === 'exception') as Extract<TraceEvent, { kind: 'exception' }>[];
      // not-present user write: error code 6 (W|U) whatever level is missing
      expect(exc.map((e) => [e.address, e.errorCode])).toEqual([[`0x${TOUCHES[i]!.addr.toString(16)}`, '0x6']]);
      const allocs = ev
        .filter((e) => e.kind === 'pte' && e.why.startsWith('__'))
        .map((e) => (e as Extract<TraceEvent, { kind: 'pte' }>).why);
      expect(allocs).toEqual(TOUCHES[i]!.allocs);
      expect(snaps[i + 1]!.vmPte - snaps[i]!.vmPte).toBe(4 * TOUCHES[i]!.allocs.length);
    }
    dv.assertClean();
  });
});

/** One program per case: a store to an unmapped address whose walk stops at `level`. */
const SEGV_CASES = [
  // pgd[4] is empty (only pgd[0] (text) and pgd[511] (stack, mmap) are populated)
  { level: 0, addr: 0x200_0000_0000 },
  // pgd[0] exists (text at 0x400000), pud[1] (1..2 GiB) does not
  { level: 1, addr: 0x4000_0000 },
  // pud[0] and pmd table exist, pmd[3] (6..8 MiB) does not
  { level: 2, addr: 0x60_0000 },
  // the pte table of 0x400000..0x5fffff exists (text page), pte[16] does not
  { level: 3, addr: 0x41_0000 },
];

describe('SIGSEGV on an unmapped address: DFSC level in the exception-trace line (arm64)', () => {
  for (const c of SEGV_CASES) {
    for (const kernel of ['6.1', '4.19'] as const) {
      it(`${kernel}: level ${c.level} translation fault at 0x${c.addr.toString(16)}`, async () => {
        const elf = await a64(
          `
  ldr x19, =${c.addr}
  mov w2, #1
  strb w2, [x19]
  exit_group 0
`,
          'segv.S',
        );
        const { m, dv } = machine({
          arch: 'aarch64',
          kernel,
          memBytes: 64 << 20,
          sysctls: { 'debug.exception-trace': 1 },
        });
        m.addProgram('/prog/segv', elf);
        const t = m.spawn({ path: '/prog/segv' });
        expect(m.run().kind).toBe('exited');
        expect(t.termSignal).toBe(11);
        const esr = 0x92000044 + c.level;
        const esrText =
          kernel === '6.1' ? `0x${esr.toString(16).padStart(16, '0')}` : `0x${esr.toString(16).padStart(8, '0')}`;
        const line = dmesg(m).find((l) => l.includes('unhandled exception'));
        expect(line).toBe(
          `segv[${t.pid}]: unhandled exception: DABT (lower EL), ESR ${esrText}, level ${c.level} translation fault in segv[400000+1000]`,
        );
        dv.assertClean();
        expect(dv.check('end')).toEqual([]);
      });
    }
  }
});
