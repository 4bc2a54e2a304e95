/**
 * CPU conformance suite (Foundation issue): precise, restartable faults on both architectures.
 *
 * Every case runs twice: once with every page present ("eager"), once with the listed pages
 * absent until first touch ("lazy": the MMU refuses, the harness makes the page present and
 * resumes at the reported PC).  For each case we check that
 *   1. each fault is reported at the exact faulting instruction, address and access type;
 *   2. no architectural side effect of the faulting instruction is visible at the fault: the
 *      state at the fault equals the eager run's state in front of that instruction, plus
 *      explicit checks of the side effects that matter (base-register writeback, SP, bytes);
 *   3. final registers (flags included) and memory are identical in both runs.
 * Engine behaviour we rely on and the choices made where hardware differs: docs/engine.md.
 */
import { describe, expect, it } from 'vitest';
import { ADDRESS_LIMIT, Cpu, CpuError, MAX_REGIONS, type Arch } from '../../src/hw/cpu.js';
import {
  Machine,
  PAGE,
  TEXT,
  hex,
  runEager,
  runWithFaults,
  type ExpectedFault,
  type MachineSpec,
  type RunOutcome,
  type Snapshot,
} from './harness.js';

const DATA = 0x20000; // 4 data pages
const STACK = 0x40000; // 2 stack pages
const SENTINEL = 0xdeadbeefcafef00dn;
const VALUE = 0x1122334455667788n;
const Q = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

/** A recognisable byte pattern, so loads from different addresses give different values. */
function pattern(mem: Buffer, seed = 3): void {
  for (let i = 0; i < mem.length; i++) mem[i] = (i * 7 + seed) & 0xff;
}
const dataRegion = { begin: DATA, pages: 4, init: (m: Buffer) => pattern(m) };
const stackRegion = (init?: (m: Buffer, labels: Record<string, number>) => void) => ({
  begin: STACK,
  pages: 2,
  init: init ?? ((m: Buffer) => pattern(m, 11)),
});

interface Case {
  name: string;
  spec: MachineSpec;
  /** Pages absent in the lazy run. */
  absent: number[];
  /** Pages present but read-only in the lazy run. */
  readOnly?: number[];
  faults: ExpectedFault[];
  /** Explicit side-effect checks at each fault of the lazy run. */
  atFault?: (i: number, state: Snapshot, m: Machine) => void;
  /** Explicit checks of the final state. */
  final?: (state: Snapshot, m: Machine) => void;
}

function conform(c: Case): RunOutcome {
  const eager = runEager(c.spec, c.faults);
  try {
    expect(eager.outcome.faults, 'eager run faulted').toEqual([]);
    expect(eager.outcome.end.kind, `eager run ended with ${JSON.stringify(eager.outcome.end, big)}`).toMatch(
      /exception|syscall/,
    );
    expect(eager.before.length, 'eager run never made the access the lazy run must fault on').toBe(c.faults.length);
  } finally {
    eager.m.close();
  }
  const m = new Machine(c.spec);
  try {
    const out = runWithFaults(m, c.absent, { readOnly: c.readOnly });
    // (1) exact instruction, address and access type
    expect(
      out.faults.map((f) => ({ pc: hex(f.stop.pc), address: hex(f.stop.address), access: f.stop.access })),
    ).toEqual(
      c.faults.map((e) => ({
        pc: hex(m.labels[e.at]!),
        address: hex(typeof e.address === 'function' ? e.address(m.labels) : e.address),
        access: e.access,
      })),
    );
    // (2) no side effect of the faulting instruction: the state is the one in front of it
    out.faults.forEach((f, i) => {
      expect(f.state, `state at fault #${i} differs from the state in front of ${c.faults[i]!.at}`).toEqual(
        eager.before[i],
      );
      c.atFault?.(i, f.state, m);
    });
    // (3) same final registers (flags included) and memory as with every page present
    expect(out.end).toEqual(eager.outcome.end);
    expect(out.final).toEqual(eager.outcome.final);
    c.final?.(out.final, m);
    return out;
  } finally {
    m.close();
  }
}

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? hex(v) : v;
}

const le = (v: bigint, n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return b.subarray(0, n);
};
const mem = (s: Snapshot, address: number, n: number): Buffer => {
  for (const [k, buf] of Object.entries(s.mem)) {
    const begin = Number(k);
    if (address >= begin && address + n <= begin + buf.length)
      return buf.subarray(address - begin, address - begin + n);
  }
  throw new Error(`no region holds ${hex(address)}`);
};
/** The bytes the harness put at `address` before the run. */
const initial = (address: number, n: number, seed = 3, base = DATA): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = ((address - base + i) * 7 + seed) & 0xff;
  return b;
};
const u64 = (b: Buffer) => Buffer.concat([b, Buffer.alloc(8)]).readBigUInt64LE(0);

// ---------------------------------------------------------------------------------------------
describe('aarch64', () => {
  const arch: Arch = 'aarch64';
  const absentPage = DATA + PAGE;
  const target = absentPage + 8;

  describe('loads and stores of 1, 2, 4 and 8 bytes', () => {
    const loads: [number, string][] = [
      [1, 'ldrb w2, [x1]'],
      [2, 'ldrh w2, [x1]'],
      [4, 'ldr w2, [x1]'],
      [8, 'ldr x2, [x1]'],
    ];
    for (const [size, insn] of loads) {
      it(`${insn}`, () => {
        conform({
          name: insn,
          spec: {
            arch,
            asm: `add x5, x5, #1\nf: ${insn}\nadd x6, x6, #1\nbrk #0`,
            regions: [dataRegion],
            regs: { x1: target, x2: SENTINEL },
          },
          absent: [absentPage],
          faults: [{ at: 'f', address: target, access: 'read' }],
          atFault: (_i, s) => {
            expect(s.regs.x2).toBe(SENTINEL);
            expect(s.regs.x1).toBe(BigInt(target));
            expect(s.regs.x5).toBe(1n); // ran once, before the fault
            expect(s.regs.x6).toBe(0n);
          },
          final: (s) => {
            expect(s.regs.x2).toBe(u64(initial(target, size)));
            expect(s.regs.x5).toBe(1n); // the instruction in front of the fault did not run again
            expect(s.regs.x6).toBe(1n);
          },
        });
      });
    }
    const stores: [number, string][] = [
      [1, 'strb w2, [x1]'],
      [2, 'strh w2, [x1]'],
      [4, 'str w2, [x1]'],
      [8, 'str x2, [x1]'],
    ];
    for (const [size, insn] of stores) {
      it(`${insn}`, () => {
        conform({
          name: insn,
          spec: {
            arch,
            asm: `add x5, x5, #1\nf: ${insn}\nbrk #0`,
            regions: [dataRegion],
            regs: { x1: target, x2: VALUE },
          },
          absent: [absentPage],
          faults: [{ at: 'f', address: target, access: 'write' }],
          atFault: (_i, s) => expect(mem(s, target, 8)).toEqual(initial(target, 8)),
          final: (s) => {
            expect(mem(s, target, size)).toEqual(le(VALUE, size));
            expect(mem(s, target + size, 8 - size)).toEqual(initial(target + size, 8 - size));
            expect(s.regs.x5).toBe(1n);
          },
        });
      });
    }
  });

  it('ldp / stp', () => {
    conform({
      name: 'ldp/stp',
      spec: {
        arch,
        asm: 'add x5, x5, #1\nl: ldp x2, x3, [x1]\nadd x5, x5, #1\ns: stp x2, x3, [x4]\nadd x5, x5, #1\nbrk #0',
        regions: [dataRegion],
        regs: { x1: target, x2: SENTINEL, x3: SENTINEL, x4: DATA + 3 * PAGE + 16 },
      },
      absent: [absentPage, DATA + 3 * PAGE],
      faults: [
        { at: 'l', address: target, access: 'read' },
        { at: 's', address: DATA + 3 * PAGE + 16, access: 'write' },
      ],
      atFault: (i, s) => {
        if (i === 0) expect([s.regs.x2, s.regs.x3]).toEqual([SENTINEL, SENTINEL]);
        else expect(mem(s, DATA + 3 * PAGE + 16, 16)).toEqual(initial(DATA + 3 * PAGE + 16, 16));
        expect(s.regs.x5).toBe(BigInt(i + 1));
      },
      final: (s) => {
        expect(mem(s, DATA + 3 * PAGE + 16, 16)).toEqual(initial(target, 16));
        expect(s.regs.x5).toBe(3n);
      },
    });
  });

  describe('pre- and post-index writeback', () => {
    const P = absentPage;
    const cases: [string, number, number, 'read' | 'write', number][] = [
      // insn, base register before, address accessed, access, base register after
      ['ldr x2, [x1, #8]!', P, P + 8, 'read', P + 8],
      ['ldr x2, [x1], #8', P, P, 'read', P + 8],
      ['str x2, [x1, #-8]!', P + 0x800, P + 0x7f8, 'write', P + 0x7f8],
      ['str x2, [x1], #16', P, P, 'write', P + 16],
      ['ldp x2, x3, [x1, #16]!', P, P + 16, 'read', P + 16],
      ['stp x2, x3, [x1], #-16', P + 0x100, P + 0x100, 'write', P + 0xf0],
    ];
    for (const [insn, base, address, access, finalBase] of cases) {
      it(insn, () => {
        conform({
          name: insn,
          spec: {
            arch,
            asm: `add x5, x5, #1\nf: ${insn}\nbrk #0`,
            regions: [dataRegion],
            regs: { x1: base, x2: access === 'read' ? SENTINEL : VALUE, x3: SENTINEL },
          },
          absent: [absentPage],
          faults: [{ at: 'f', address, access }],
          atFault: (_i, s) => {
            expect(s.regs.x1, 'base register written back before the access completed').toBe(BigInt(base));
            if (access === 'read') expect(s.regs.x2).toBe(SENTINEL);
            else expect(mem(s, address, 8)).toEqual(initial(address, 8));
          },
          final: (s) => expect(s.regs.x1).toBe(BigInt(finalBase)),
        });
      });
    }
    it('stp x29, x30, [sp, #-16]! / ldp x29, x30, [sp], #16 (SP writeback)', () => {
      const sp = STACK + PAGE;
      conform({
        name: 'sp',
        spec: {
          arch,
          asm: 'add x5, x5, #1\npush: stp x29, x30, [sp, #-16]!\nmov x29, #0\nmov x30, #0\nadd x5, x5, #1\npop: ldp x29, x30, [x9], #16\nbrk #0',
          regions: [dataRegion, stackRegion()],
          regs: { sp, x29: VALUE, x30: SENTINEL, x9: STACK + 0x100 },
        },
        absent: [STACK],
        faults: [{ at: 'push', address: sp - 16, access: 'write' }],
        atFault: (_i, s) => expect(s.regs.sp).toBe(BigInt(sp)),
        final: (s) => {
          expect(s.regs.sp).toBe(BigInt(sp - 16));
          expect(mem(s, sp - 16, 16)).toEqual(Buffer.concat([le(VALUE, 8), le(SENTINEL, 8)]));
        },
      });
      // SP as the base of a post-indexed load from an absent page.
      conform({
        name: 'sp-ldp',
        spec: {
          arch,
          asm: 'add x5, x5, #1\npop: ldp x29, x30, [sp], #16\nbrk #0',
          regions: [stackRegion()],
          regs: { sp: STACK + 0x100, x29: SENTINEL, x30: SENTINEL },
        },
        absent: [STACK],
        faults: [{ at: 'pop', address: STACK + 0x100, access: 'read' }],
        atFault: (_i, s) => {
          expect(s.regs.sp).toBe(BigInt(STACK + 0x100));
          expect([s.regs.x29, s.regs.x30]).toEqual([SENTINEL, SENTINEL]);
        },
        final: (s) => expect(s.regs.sp).toBe(BigInt(STACK + 0x110)),
      });
    });
  });

  it('literal load from a text page (a data read of the text page)', () => {
    // The literal sits on the second text page, which is absent: the load faults as a read there.
    const out = conform({
      name: 'literal',
      spec: {
        arch,
        asm: `add x5, x5, #1\nf: ldr x2, lit\nadd x6, x6, #1\nbrk #0\n.space ${PAGE - 16}\nlit: .quad ${hex(VALUE)}`,
        textPages: 2,
        regs: { x2: SENTINEL },
      },
      absent: [TEXT + PAGE],
      faults: [{ at: 'f', address: (l) => l.lit!, access: 'read' }],
      atFault: (_i, s) => expect(s.regs.x2).toBe(SENTINEL),
      final: (s) => expect([s.regs.x2, s.regs.x5, s.regs.x6]).toEqual([VALUE, 1n, 1n]),
    });
    expect(out.faults[0]!.stop.address).toBe(BigInt(TEXT + PAGE));
    // On the same page as the code: the MMU is asked for a read of the text page.
    const m = new Machine({ arch, asm: `f: ldr x2, lit\nbrk #0\nlit: .quad ${hex(VALUE)}` });
    m.logAccesses = true;
    expect(m.cpu.run(100).reason.kind).toBe('exception');
    expect(m.cpu.reg('x2')).toBe(VALUE);
    expect(m.accesses.filter((a) => a.access === 'read')).toEqual([
      { address: m.labels.lit, size: 8, access: 'read', pc: BigInt(TEXT) },
    ]);
    m.close();
  });

  it('128-bit q register load and store', () => {
    conform({
      name: 'q',
      spec: {
        arch,
        asm: 'add x5, x5, #1\ns: str q0, [x1]\nadd x5, x5, #1\nl: ldr q1, [x4]\nbrk #0',
        regions: [dataRegion],
        regs: { x1: absentPage + 0x10, x4: DATA + 2 * PAGE + 0x20 },
        vregs: { q0: Q, q1: Buffer.alloc(16, 0x5a) },
      },
      absent: [absentPage, DATA + 2 * PAGE],
      faults: [
        { at: 's', address: absentPage + 0x10, access: 'write' },
        { at: 'l', address: DATA + 2 * PAGE + 0x20, access: 'read' },
      ],
      atFault: (i, s) => {
        if (i === 0) expect(mem(s, absentPage + 0x10, 16)).toEqual(initial(absentPage + 0x10, 16));
        else expect(s.vregs.q1).toBe('5a'.repeat(16));
      },
      final: (s) => {
        expect(mem(s, absentPage + 0x10, 16)).toEqual(Q);
        expect(s.vregs.q1).toBe(initial(DATA + 2 * PAGE + 0x20, 16).toString('hex'));
      },
    });
  });

  describe('instruction fetch from a not-present text page', () => {
    it('branch target on an absent page: fault `fetch` with pc = that page', () => {
      conform({
        name: 'fetch-branch',
        spec: { arch, asm: `add x5, x5, #1\nb far\n.space ${PAGE - 8}\nfar: add x6, x6, #1\nbrk #0`, textPages: 2 },
        absent: [TEXT + PAGE],
        faults: [{ at: 'far', address: TEXT + PAGE, access: 'fetch' }],
        atFault: (_i, s) => expect([s.regs.x5, s.regs.x6, s.regs.pc]).toEqual([1n, 0n, BigInt(TEXT + PAGE)]),
        final: (s) => expect([s.regs.x5, s.regs.x6]).toEqual([1n, 1n]),
      });
    });
    it('falling through into an absent page: the instructions in front of it run first', () => {
      conform({
        name: 'fetch-fallthrough',
        spec: {
          arch,
          asm: `b start\n.space ${PAGE - 4 - 16}\nstart: add x5, x5, #1\nadd x5, x5, #1\nadd x5, x5, #1\nadd x5, x5, #1\nnext: add x6, x6, #1\nbrk #0`,
          textPages: 2,
        },
        absent: [TEXT + PAGE],
        faults: [{ at: 'next', address: TEXT + PAGE, access: 'fetch' }],
        atFault: (_i, s) => expect([s.regs.x5, s.regs.x6]).toEqual([4n, 0n]),
        final: (s) => expect([s.regs.x5, s.regs.x6]).toEqual([4n, 1n]),
      });
    });
  });

  it('faults in the middle of a translation block: earlier instructions run exactly once', () => {
    conform({
      name: 'mid-tb',
      spec: {
        arch,
        asm: 'add x5, x5, #1\nf1: ldr x2, [x1]\nadd x5, x5, #1\nf2: str x2, [x4], #8\nadd x5, x5, #1\nldr x7, [x1, #8]\nadd x5, x5, #1\nbrk #0',
        regions: [dataRegion],
        regs: { x1: absentPage, x4: DATA + 2 * PAGE },
      },
      absent: [absentPage, DATA + 2 * PAGE],
      faults: [
        { at: 'f1', address: absentPage, access: 'read' },
        { at: 'f2', address: DATA + 2 * PAGE, access: 'write' },
      ],
      atFault: (i, s) => expect(s.regs.x5).toBe(BigInt(i + 1)),
      final: (s) => {
        expect(s.regs.x5).toBe(4n);
        expect(s.regs.x4).toBe(BigInt(DATA + 2 * PAGE + 8));
      },
    });
  });

  describe('unaligned access crossing into an absent page', () => {
    const cross = absentPage - 4; // 4 bytes on the present page, the rest on the absent one
    it('store: fault at the first byte on the absent page, nothing written', () => {
      conform({
        name: 'cross-store',
        spec: {
          arch,
          asm: 'add x5, x5, #1\nf: str x2, [x1]\nbrk #0',
          regions: [dataRegion],
          regs: { x1: cross, x2: VALUE },
        },
        absent: [absentPage],
        faults: [{ at: 'f', address: absentPage, access: 'write' }],
        atFault: (_i, s) => expect(mem(s, cross, 8)).toEqual(initial(cross, 8)),
        final: (s) => expect(mem(s, cross, 8)).toEqual(le(VALUE, 8)),
      });
    });
    it('4-byte store crossing', () => {
      conform({
        name: 'cross-store4',
        spec: { arch, asm: 'f: str w2, [x1]\nbrk #0', regions: [dataRegion], regs: { x1: absentPage - 2, x2: VALUE } },
        absent: [absentPage],
        faults: [{ at: 'f', address: absentPage, access: 'write' }],
        atFault: (_i, s) => expect(mem(s, absentPage - 2, 4)).toEqual(initial(absentPage - 2, 4)),
        final: (s) => expect(mem(s, absentPage - 2, 4)).toEqual(le(VALUE, 4)),
      });
    });
    it('load: fault at the first byte on the absent page, no register side effect', () => {
      conform({
        name: 'cross-load',
        spec: { arch, asm: 'f: ldr x2, [x1]\nbrk #0', regions: [dataRegion], regs: { x1: cross, x2: SENTINEL } },
        absent: [absentPage],
        faults: [{ at: 'f', address: absentPage, access: 'read' }],
        atFault: (_i, s) => expect(s.regs.x2).toBe(SENTINEL),
        final: (s) => expect(s.regs.x2).toBe(u64(initial(cross, 8))),
      });
    });
    it('first page absent: fault at the start of the access; both absent: two faults, in order', () => {
      conform({
        name: 'cross-first',
        spec: { arch, asm: 'f: str x2, [x1]\nbrk #0', regions: [dataRegion], regs: { x1: cross, x2: VALUE } },
        absent: [DATA],
        faults: [{ at: 'f', address: cross, access: 'write' }],
        final: (s) => expect(mem(s, cross, 8)).toEqual(le(VALUE, 8)),
      });
      conform({
        name: 'cross-both',
        spec: { arch, asm: 'f: str x2, [x1]\nbrk #0', regions: [dataRegion], regs: { x1: cross, x2: VALUE } },
        absent: [DATA, absentPage],
        faults: [
          { at: 'f', address: cross, access: 'write' },
          { at: 'f', address: absentPage, access: 'write' },
        ],
        atFault: (_i, s) => expect(mem(s, cross, 8)).toEqual(initial(cross, 8)),
      });
    });
    it('ldp crossing: the first register is not written at the fault', () => {
      conform({
        name: 'cross-ldp',
        spec: {
          arch,
          asm: 'f: ldp x2, x3, [x1]\nbrk #0',
          regions: [dataRegion],
          regs: { x1: absentPage - 8, x2: SENTINEL, x3: SENTINEL },
        },
        absent: [absentPage],
        faults: [{ at: 'f', address: absentPage, access: 'read' }],
        atFault: (_i, s) => expect([s.regs.x2, s.regs.x3]).toEqual([SENTINEL, SENTINEL]),
      });
    });
    it('stp and 16-byte q stores crossing: the part on the present page is written before the fault (documented)', () => {
      for (const insn of ['stp x2, x3, [x1]', 'str q0, [x1]']) {
        conform({
          name: insn,
          spec: {
            arch,
            asm: `f: ${insn}\nbrk #0`,
            regions: [dataRegion],
            regs: { x1: absentPage - 8, x2: VALUE, x3: SENTINEL },
            vregs: { q0: Q },
          },
          absent: [absentPage],
          faults: [{ at: 'f', address: absentPage, access: 'write' }],
          atFault: (_i, s) => {
            // Two separate 8-byte accesses: the first completed (permitted by the architecture:
            // memory written by a faulting store is UNKNOWN); the retry writes it again.
            const first = insn.startsWith('stp') ? le(VALUE, 8) : Q.subarray(0, 8);
            expect(mem(s, absentPage - 8, 8)).toEqual(first);
            expect(mem(s, absentPage, 8)).toEqual(initial(absentPage, 8));
            expect(s.regs.x1).toBe(BigInt(absentPage - 8));
          },
        });
      }
    });
  });

  it('svc #0 stops with pc = the instruction after it', () => {
    const m = new Machine({ arch, asm: 'add x5, x5, #1\nsvc #0\nafter: brk #0' });
    const r = m.cpu.run(100);
    expect(r.reason).toEqual({ kind: 'syscall', pc: BigInt(m.labels.after!) });
    expect(m.cpu.pc()).toBe(BigInt(m.labels.after!));
    expect(m.cpu.run(100).reason.kind).toBe('exception');
    m.close();
  });

  it('budget: run(1000) on an infinite loop returns kind budget', () => {
    const m = new Machine({ arch, asm: 'loop: add x5, x5, #1\nb loop' });
    const t = Date.now();
    const r = m.cpu.run(1000);
    expect(r.reason).toEqual({ kind: 'budget' });
    expect(r.executed).toBeGreaterThanOrEqual(1000);
    expect(r.executed).toBeLessThan(1100);
    expect(Date.now() - t).toBeLessThan(2000);
    // and it resumes where it stopped
    expect(m.cpu.run(1000).reason).toEqual({ kind: 'budget' });
    expect(m.cpu.reg('x5')).toBeGreaterThan(900n); // two instructions per iteration, two runs
    m.close();
  });
});

// ---------------------------------------------------------------------------------------------
describe('x86_64', () => {
  const arch: Arch = 'x86_64';
  const absentPage = DATA + PAGE;
  const target = absentPage + 8;

  describe('loads and stores of 1, 2, 4 and 8 bytes', () => {
    const loads: [number, string][] = [
      [1, 'mov al, byte ptr [rdi]'],
      [2, 'mov ax, word ptr [rdi]'],
      [4, 'mov eax, dword ptr [rdi]'],
      [8, 'mov rax, qword ptr [rdi]'],
    ];
    for (const [size, insn] of loads) {
      it(insn, () => {
        conform({
          name: insn,
          spec: {
            arch,
            asm: `inc r8\nf: ${insn}\ninc r9\nint3`,
            regions: [dataRegion],
            regs: { rdi: target, rax: SENTINEL },
          },
          absent: [absentPage],
          faults: [{ at: 'f', address: target, access: 'read' }],
          atFault: (_i, s) =>
            expect([s.regs.rax, s.regs.r8, s.regs.r9, s.regs.rdi]).toEqual([SENTINEL, 1n, 0n, BigInt(target)]),
          final: (s) => {
            const loaded = u64(initial(target, size));
            // 32-bit writes zero-extend; 8/16-bit writes merge into the old value.
            const expected = size === 8 || size === 4 ? loaded : (SENTINEL & ~((1n << BigInt(8 * size)) - 1n)) | loaded;
            expect(s.regs.rax).toBe(expected);
            expect([s.regs.r8, s.regs.r9]).toEqual([1n, 1n]);
          },
        });
      });
    }
    const stores: [number, string][] = [
      [1, 'mov byte ptr [rdi], al'],
      [2, 'mov word ptr [rdi], ax'],
      [4, 'mov dword ptr [rdi], eax'],
      [8, 'mov qword ptr [rdi], rax'],
    ];
    for (const [size, insn] of stores) {
      it(insn, () => {
        conform({
          name: insn,
          spec: { arch, asm: `inc r8\nf: ${insn}\nint3`, regions: [dataRegion], regs: { rdi: target, rax: VALUE } },
          absent: [absentPage],
          faults: [{ at: 'f', address: target, access: 'write' }],
          atFault: (_i, s) => expect(mem(s, target, 8)).toEqual(initial(target, 8)),
          final: (s) => {
            expect(mem(s, target, size)).toEqual(le(VALUE, size));
            expect(mem(s, target + size, 8 - size)).toEqual(initial(target + size, 8 - size));
            expect(s.regs.r8).toBe(1n);
          },
        });
      });
    }
  });

  describe('stack: push, pop, call, ret', () => {
    const top = STACK + PAGE; // stack grows down into the absent page STACK
    it('push', () => {
      conform({
        name: 'push',
        spec: {
          arch,
          asm: 'inc r8\nf: push rax\ninc r9\nint3',
          regions: [stackRegion()],
          regs: { rsp: top, rax: VALUE },
        },
        absent: [STACK],
        faults: [{ at: 'f', address: top - 8, access: 'write' }],
        atFault: (_i, s) => {
          expect(s.regs.rsp).toBe(BigInt(top));
          expect(mem(s, top - 8, 8)).toEqual(initial(top - 8, 8, 11, STACK));
        },
        final: (s) => {
          expect(s.regs.rsp).toBe(BigInt(top - 8));
          expect(mem(s, top - 8, 8)).toEqual(le(VALUE, 8));
        },
      });
    });
    it('pop', () => {
      conform({
        name: 'pop',
        spec: {
          arch,
          asm: 'inc r8\nf: pop rbx\ninc r9\nint3',
          regions: [stackRegion()],
          regs: { rsp: STACK + 0x800, rbx: SENTINEL },
        },
        absent: [STACK],
        faults: [{ at: 'f', address: STACK + 0x800, access: 'read' }],
        atFault: (_i, s) => expect([s.regs.rsp, s.regs.rbx]).toEqual([BigInt(STACK + 0x800), SENTINEL]),
        final: (s) =>
          expect([s.regs.rsp, s.regs.rbx]).toEqual([BigInt(STACK + 0x808), u64(initial(STACK + 0x800, 8, 11, STACK))]),
      });
    });
    it('call', () => {
      conform({
        name: 'call',
        spec: {
          arch,
          asm: 'inc r8\nc: call fn\nback: inc r9\nint3\nfn: inc r10\nret',
          regions: [stackRegion()],
          regs: { rsp: top },
        },
        absent: [STACK],
        faults: [{ at: 'c', address: top - 8, access: 'write' }],
        atFault: (_i, s) => {
          expect(s.regs.rsp).toBe(BigInt(top));
          expect(s.regs.r10).toBe(0n);
        },
        final: (s, m) => {
          expect([s.regs.r8, s.regs.r9, s.regs.r10, s.regs.rsp]).toEqual([1n, 1n, 1n, BigInt(top)]);
          expect(mem(s, top - 8, 8)).toEqual(le(BigInt(m.labels.back!), 8));
        },
      });
    });
    it('ret', () => {
      conform({
        name: 'ret',
        spec: {
          arch,
          asm: 'inc r8\nr: ret\nint3\nback: inc r9\nint3',
          regions: [stackRegion((m, labels) => m.writeBigUInt64LE(BigInt(labels.back!), 0x800))],
          regs: { rsp: STACK + 0x800 },
        },
        absent: [STACK],
        faults: [{ at: 'r', address: STACK + 0x800, access: 'read' }],
        atFault: (_i, s, m) => expect([s.regs.rsp, s.regs.rip]).toEqual([BigInt(STACK + 0x800), BigInt(m.labels.r!)]),
        final: (s) => expect([s.regs.r8, s.regs.r9, s.regs.rsp]).toEqual([1n, 1n, BigInt(STACK + 0x808)]),
      });
    });
  });

  describe('read-modify-write', () => {
    for (const insn of ['add qword ptr [rdi], 5', 'inc qword ptr [rdi]']) {
      it(`${insn} on an absent page: one fault, reported by the engine as the read of the load half`, () => {
        conform({
          name: insn,
          spec: { arch, asm: `inc r8\nf: ${insn}\ninc r9\nint3`, regions: [dataRegion], regs: { rdi: target } },
          absent: [absentPage],
          // Real x86 reports a write (W/R=1) here; see docs/engine.md "Read-modify-write".
          faults: [{ at: 'f', address: target, access: 'read' }],
          atFault: (_i, s) => expect(mem(s, target, 8)).toEqual(initial(target, 8)),
          final: (s) =>
            expect(mem(s, target, 8)).toEqual(le(u64(initial(target, 8)) + (insn.startsWith('add') ? 5n : 1n), 8)),
        });
      });
      it(`${insn} on a read-only page: a write fault after the load, nothing written, flags untouched`, () => {
        // Flags after the instructions in front of the RMW, from a run that stops there.
        const ref = new Machine({ arch, asm: 'inc r8\nint3', regs: { rdi: target } });
        ref.cpu.run(100);
        const flags = ref.cpu.reg('rflags');
        ref.close();
        conform({
          name: insn,
          spec: { arch, asm: `inc r8\nf: ${insn}\ninc r9\nint3`, regions: [dataRegion], regs: { rdi: target } },
          absent: [],
          readOnly: [absentPage],
          faults: [{ at: 'f', address: target, access: 'write' }],
          atFault: (_i, s) => {
            expect(mem(s, target, 8)).toEqual(initial(target, 8));
            expect(s.regs.rflags).toBe(flags);
          },
        });
      });
    }
  });

  describe('string instructions', () => {
    it('rep stosb crossing into an absent page: the iterations in front of the boundary are done', () => {
      const start = absentPage - 0x10;
      conform({
        name: 'stosb',
        spec: {
          arch,
          asm: 'inc r8\nf: rep stosb\nint3',
          regions: [dataRegion],
          regs: { rdi: start, rcx: 0x20, rax: 0xab },
        },
        absent: [absentPage],
        faults: [{ at: 'f', address: absentPage, access: 'write' }],
        atFault: (_i, s) => {
          expect([s.regs.rcx, s.regs.rdi]).toEqual([0x10n, BigInt(absentPage)]);
          expect(mem(s, start, 0x10)).toEqual(Buffer.alloc(0x10, 0xab));
          expect(mem(s, absentPage, 0x10)).toEqual(initial(absentPage, 0x10));
        },
        final: (s) => {
          expect([s.regs.rcx, s.regs.rdi]).toEqual([0n, BigInt(absentPage + 0x10)]);
          expect(mem(s, start, 0x20)).toEqual(Buffer.alloc(0x20, 0xab));
        },
      });
    });
    it('rep movsb with source and destination crossing into absent pages', () => {
      const src = absentPage - 8; // source crosses into DATA+1 page after 8 bytes
      const dst = DATA + 3 * PAGE - 4; // destination crosses into DATA+3 page after 4 bytes
      conform({
        name: 'movsb-cross',
        spec: {
          arch,
          asm: 'inc r8\nf: rep movsb\nint3',
          regions: [dataRegion],
          regs: { rsi: src, rdi: dst, rcx: 0x18 },
        },
        absent: [absentPage, DATA + 3 * PAGE],
        faults: [
          { at: 'f', address: DATA + 3 * PAGE, access: 'write' },
          { at: 'f', address: absentPage, access: 'read' },
        ],
        atFault: (i, s) => {
          const done = i === 0 ? 4 : 8;
          expect([s.regs.rcx, s.regs.rsi, s.regs.rdi]).toEqual([
            BigInt(0x18 - done),
            BigInt(src + done),
            BigInt(dst + done),
          ]);
        },
        final: (s) => {
          expect(s.regs.rcx).toBe(0n);
          expect(mem(s, dst, 0x18)).toEqual(initial(src, 0x18));
        },
      });
    });
    it('movsb / rep movsq with both source and destination absent', () => {
      for (const insn of ['movsb', 'rep movsq']) {
        const src = absentPage + 0x100;
        const dst = DATA + 2 * PAGE + 0x200;
        conform({
          name: insn,
          spec: {
            arch,
            asm: `inc r8\nf: ${insn}\ninc r9\nint3`,
            regions: [dataRegion],
            regs: { rsi: src, rdi: dst, rcx: 4 },
          },
          absent: [absentPage, DATA + 2 * PAGE],
          faults: [
            { at: 'f', address: src, access: 'read' },
            { at: 'f', address: dst, access: 'write' },
          ],
          atFault: (_i, s) => {
            expect([s.regs.rcx, s.regs.rsi, s.regs.rdi]).toEqual([4n, BigInt(src), BigInt(dst)]);
            expect(mem(s, dst, 8)).toEqual(initial(dst, 8));
          },
          final: (s) => {
            const n = insn === 'movsb' ? 1 : 32;
            expect(mem(s, dst, n)).toEqual(initial(src, n));
            expect(s.regs.r9).toBe(1n);
          },
        });
      }
    });
  });

  describe('instruction fetch from a not-present text page', () => {
    it('jump target on an absent page: fault `fetch` with pc = that page', () => {
      conform({
        name: 'fetch-jmp',
        spec: { arch, asm: `inc r8\njmp far\n.space ${PAGE - 8}\nfar: inc r9\nint3`, textPages: 2 },
        absent: [TEXT + PAGE],
        faults: [{ at: 'far', address: TEXT + PAGE, access: 'fetch' }],
        atFault: (_i, s) => expect([s.regs.r8, s.regs.r9, s.regs.rip]).toEqual([1n, 0n, BigInt(TEXT + PAGE)]),
        final: (s) => expect([s.regs.r8, s.regs.r9]).toEqual([1n, 1n]),
      });
    });
    it('falling through into an absent page: the instructions in front of the boundary run first', () => {
      // Unicorn translates a whole block first, and an x86 block runs on across the page boundary;
      // Cpu defers that look-ahead fetch so the fault comes when `next` is the next instruction.
      conform({
        name: 'fetch-fallthrough',
        spec: {
          arch,
          asm: `jmp start\n.space ${PAGE - 5 - 15}\nstart: inc r8\ninc r8\ninc r8\ninc r8\ninc r8\nnext: inc r9\nint3`,
          textPages: 2,
        },
        absent: [TEXT + PAGE],
        faults: [{ at: 'next', address: TEXT + PAGE, access: 'fetch' }],
        atFault: (_i, s) => expect([s.regs.r8, s.regs.r9]).toEqual([5n, 0n]),
        final: (s) => expect([s.regs.r8, s.regs.r9]).toEqual([5n, 1n]),
      });
    });
    it('an instruction straddling into an absent page faults at its start, with the address on the new page', () => {
      // `mid` (10 bytes) starts 8 bytes before the boundary.
      const out = conform({
        name: 'fetch-straddle',
        spec: {
          arch,
          asm: `jmp start\n.space ${PAGE - 5 - 14}\nstart: inc r8\ninc r8\nmid: mov rax, ${hex(VALUE)}\ninc r9\nint3`,
          textPages: 2,
          regs: { rax: SENTINEL },
        },
        absent: [TEXT + PAGE],
        faults: [{ at: 'mid', address: TEXT + PAGE, access: 'fetch' }],
        atFault: (_i, s) => expect([s.regs.r8, s.regs.rax]).toEqual([2n, SENTINEL]),
        final: (s) => expect([s.regs.r8, s.regs.r9, s.regs.rax]).toEqual([2n, 1n, VALUE]),
      });
      expect(out.faults[0]!.stop.pc).toBe(BigInt(TEXT + PAGE - 8));
    });
    it('falling through into unmapped memory (no region): precise too, reported as unmapped', () => {
      const m = new Machine({ arch, asm: `jmp start\n.space ${PAGE - 5 - 6}\nstart: inc r8\ninc r8` });
      const r = m.cpu.run(1000);
      expect(r.reason).toEqual({
        kind: 'fault',
        access: 'fetch',
        address: BigInt(TEXT + PAGE),
        pc: BigInt(TEXT + PAGE),
        size: 1,
        unmapped: true,
      });
      expect(m.cpu.reg('r8')).toBe(2n);
      m.close();
    });
    it('a loop across a page boundary keeps running at full speed once the page is present', () => {
      const m = new Machine({
        arch,
        asm: `jmp start\n.space ${PAGE - 5 - 6}\nstart: inc r8\ninc r9\ncmp r8, 20000\njb start\nint3`,
        textPages: 2,
      });
      const t = performance.now();
      const r = m.cpu.run(1_000_000);
      expect(r.reason.kind).toBe('exception');
      expect(m.cpu.reg('r9')).toBe(20000n);
      expect(performance.now() - t).toBeLessThan(1000);
      m.close();
    });
  });

  it('faults in the middle of a translation block: earlier instructions run exactly once', () => {
    conform({
      name: 'mid-tb',
      spec: {
        arch,
        asm: 'inc r8\nf1: push rax\ninc r8\nf2: add qword ptr [rdi], 7\ninc r8\nf3: mov qword ptr [rsi], rax\ninc r8\nint3',
        regions: [dataRegion, stackRegion()],
        regs: { rsp: STACK + 0x800, rax: VALUE, rdi: absentPage, rsi: DATA + 2 * PAGE },
      },
      absent: [STACK, absentPage, DATA + 2 * PAGE],
      faults: [
        { at: 'f1', address: STACK + 0x7f8, access: 'write' },
        { at: 'f2', address: absentPage, access: 'read' },
        { at: 'f3', address: DATA + 2 * PAGE, access: 'write' },
      ],
      atFault: (i, s) => expect(s.regs.r8).toBe(BigInt(i + 1)),
      final: (s) => expect(s.regs.r8).toBe(4n),
    });
  });

  describe('unaligned access crossing into an absent page', () => {
    const cross = absentPage - 4;
    it('store: fault at the first byte on the absent page, nothing written (as on x86 hardware)', () => {
      conform({
        name: 'cross-store',
        spec: {
          arch,
          asm: 'inc r8\nf: mov qword ptr [rdi], rax\nint3',
          regions: [dataRegion],
          regs: { rdi: cross, rax: VALUE },
        },
        absent: [absentPage],
        faults: [{ at: 'f', address: absentPage, access: 'write' }],
        atFault: (_i, s) => expect(mem(s, cross, 8)).toEqual(initial(cross, 8)),
        final: (s) => expect(mem(s, cross, 8)).toEqual(le(VALUE, 8)),
      });
    });
    it('load and read-modify-write: fault at the first byte on the absent page, no side effect', () => {
      for (const insn of ['mov rax, qword ptr [rdi]', 'add qword ptr [rdi], 5']) {
        conform({
          name: insn,
          spec: { arch, asm: `inc r8\nf: ${insn}\nint3`, regions: [dataRegion], regs: { rdi: cross, rax: SENTINEL } },
          absent: [absentPage],
          faults: [{ at: 'f', address: absentPage, access: 'read' }],
          atFault: (_i, s) => {
            expect(s.regs.rax).toBe(SENTINEL);
            expect(mem(s, cross, 8)).toEqual(initial(cross, 8));
          },
        });
      }
    });
    it('push with a misaligned stack pointer crossing pages', () => {
      conform({
        name: 'cross-push',
        spec: { arch, asm: 'f: push rax\nint3', regions: [stackRegion()], regs: { rsp: STACK + PAGE + 4, rax: VALUE } },
        absent: [STACK],
        faults: [{ at: 'f', address: STACK + PAGE - 4, access: 'write' }],
        atFault: (_i, s) => {
          expect(s.regs.rsp).toBe(BigInt(STACK + PAGE + 4));
          expect(mem(s, STACK + PAGE, 4)).toEqual(initial(STACK + PAGE, 4, 11, STACK));
        },
        final: (s) => expect(mem(s, STACK + PAGE - 4, 8)).toEqual(le(VALUE, 8)),
      });
    });
    it('16-byte movups crossing: the first 8 bytes are written before the fault (documented deviation)', () => {
      conform({
        name: 'cross-movups',
        spec: {
          arch,
          asm: 'f: movups xmmword ptr [rdi], xmm0\nint3',
          regions: [dataRegion],
          regs: { rdi: absentPage - 8 },
          vregs: { xmm0: Q },
        },
        absent: [absentPage],
        faults: [{ at: 'f', address: absentPage, access: 'write' }],
        atFault: (_i, s) => {
          expect(mem(s, absentPage - 8, 8)).toEqual(Q.subarray(0, 8)); // x86 hardware would write nothing
          expect(mem(s, absentPage, 8)).toEqual(initial(absentPage, 8));
        },
        final: (s) => expect(mem(s, absentPage - 8, 16)).toEqual(Q),
      });
    });
  });

  it('syscall stops with pc = the instruction after it (read after the engine stopped)', () => {
    const m = new Machine({ arch, asm: 'inc r8\nsyscall\nafter: inc r9\nint3' });
    const r = m.cpu.run(100);
    expect(r.reason).toEqual({ kind: 'syscall', pc: BigInt(m.labels.after!) });
    expect(m.cpu.pc()).toBe(BigInt(m.labels.after!));
    expect(m.cpu.reg('r8')).toBe(1n);
    expect(m.cpu.run(100).reason.kind).toBe('exception');
    expect(m.cpu.reg('r9')).toBe(1n);
    m.close();
  });

  it('budget: run(1000) on an infinite loop returns kind budget', () => {
    const m = new Machine({ arch, asm: 'loop: inc r8\njmp loop' });
    const t = Date.now();
    const r = m.cpu.run(1000);
    expect(r.reason).toEqual({ kind: 'budget' });
    expect(r.executed).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - t).toBeLessThan(2000);
    m.close();
  });
});

// ---------------------------------------------------------------------------------------------
describe('text page taken away (reclaim)', () => {
  const programs: Record<Arch, string> = {
    // `far` is on the second text page.
    aarch64: `add x5, x5, #1\nb far\n.space ${PAGE - 8}\nfar: add x6, x6, #1\nbrk #0`,
    x86_64: `inc r8\njmp far\n.space ${PAGE - 8}\nfar: inc r9\nint3`,
  };
  for (const arch of ['aarch64', 'x86_64'] as Arch[]) {
    it(`${arch}: translated code keeps running until invalidateCode; then the fetch faults again`, () => {
      const m = new Machine({ arch, asm: programs[arch], textPages: 2 });
      const far = m.labels.far!;
      const count = () => m.cpu.reg(arch === 'aarch64' ? 'x6' : 'r9');
      m.logAccesses = true;
      expect(m.cpu.run(1000).reason.kind).toBe('exception');
      expect(count()).toBe(1n);
      // The model takes the second text page away but forgets to drop the translated blocks:
      // FETCH_PROT is consulted at translation only, so the old code still runs.
      m.present.delete(TEXT + PAGE);
      m.cpu.setPc(TEXT);
      m.accesses.length = 0;
      expect(m.cpu.run(1000).reason.kind).toBe('exception');
      expect(count()).toBe(2n);
      expect(m.accesses.filter((a) => a.access === 'fetch')).toEqual([]);
      // With invalidateCode the first execution after reclaim is an instruction fault again.
      m.cpu.mem.invalidateCode(TEXT + PAGE, TEXT + 2 * PAGE);
      m.cpu.setPc(TEXT);
      const r = m.cpu.run(1000);
      expect(r.reason).toMatchObject({ kind: 'fault', access: 'fetch', address: BigInt(TEXT + PAGE), pc: BigInt(far) });
      expect(count()).toBe(2n);
      m.present.add(TEXT + PAGE);
      m.cpu.setPc(far);
      expect(m.cpu.run(1000).reason.kind).toBe('exception');
      expect(count()).toBe(3n);
      m.close();
    });
  }
  it('x86_64: a block that runs on into a reclaimed page faults precisely after invalidateCode', () => {
    const m = new Machine({
      arch: 'x86_64',
      asm: `jmp start\n.space ${PAGE - 5 - 6}\nstart: inc r8\ninc r8\nfar: inc r9\nint3`,
      textPages: 2,
    });
    const far = m.labels.far!;
    expect(far).toBe(TEXT + PAGE);
    for (let i = 1; i <= 2; i++) {
      m.cpu.setPc(TEXT);
      expect(m.cpu.run(1000).reason.kind).toBe('exception'); // the 2nd run caches the block crossing pages
      expect(m.cpu.reg('r9')).toBe(BigInt(i));
    }
    m.present.delete(TEXT + PAGE);
    m.cpu.mem.invalidateCode(TEXT + PAGE, TEXT + 2 * PAGE);
    m.cpu.setPc(TEXT);
    expect(m.cpu.run(1000).reason).toMatchObject({
      kind: 'fault',
      access: 'fetch',
      address: BigInt(far),
      pc: BigInt(far),
    });
    expect([m.cpu.reg('r8'), m.cpu.reg('r9')]).toEqual([6n, 2n]);
    m.present.add(TEXT + PAGE);
    expect(m.cpu.run(1000).reason.kind).toBe('exception');
    expect(m.cpu.reg('r9')).toBe(3n);
    m.close();
  });
});

// ---------------------------------------------------------------------------------------------
describe('engine limits are guarded', () => {
  it(`mapping past MAX_REGIONS throws CpuError instead of aborting Node (aarch64, ${MAX_REGIONS.aarch64})`, () => {
    const cpu = new Cpu('aarch64');
    const page = Buffer.alloc(PAGE);
    let mapped = 0;
    let error: unknown;
    for (let i = 0; i < 1001; i++) {
      try {
        cpu.mem.map(0x100000 + i * 2 * PAGE, i === 0 ? page : Buffer.alloc(PAGE));
        mapped++;
      } catch (e) {
        error = e;
        break;
      }
    }
    expect(error).toBeInstanceOf(CpuError);
    expect((error as Error).message).toMatch(/region limit/);
    expect(mapped).toBe(MAX_REGIONS.aarch64);
    expect(cpu.mem.regionCount()).toBe(MAX_REGIONS.aarch64);
    // The instance is still usable.
    page.writeUInt32LE(0xd4200000, 0); // brk #0
    cpu.setMmu(() => true);
    cpu.setPc(0x100000);
    expect(cpu.run(10).reason.kind).toBe('exception');
    cpu.close();
  });

  it('mapping outside the user address range throws CpuError', () => {
    for (const arch of ['aarch64', 'x86_64'] as Arch[]) {
      const cpu = new Cpu(arch);
      const limit = ADDRESS_LIMIT[arch];
      expect(() => cpu.mem.map(limit, Buffer.alloc(PAGE))).toThrow(CpuError);
      expect(() => cpu.mem.map(limit - PAGE, Buffer.alloc(2 * PAGE))).toThrow(CpuError);
      expect(() => cpu.mem.map(-PAGE, Buffer.alloc(PAGE))).toThrow(CpuError);
      expect(() => cpu.mem.map(Number(0xffff800000000000n), Buffer.alloc(PAGE))).toThrow(CpuError);
      expect(() => cpu.mem.map(0x1234, Buffer.alloc(PAGE))).toThrow(CpuError);
      cpu.mem.map(limit - PAGE, Buffer.alloc(PAGE)); // the last user page is fine
      expect(cpu.mem.regionCount()).toBe(1);
      cpu.close();
    }
  });
});
