/**
 * Test harness for the CPU conformance suite: assembles guest code with Keystone, builds a Cpu
 * over host buffers, and plays the kernel's part in the simplest possible way: a page is either
 * present or absent (and optionally read-only), the MMU callback answers from that set, and a
 * refused access is handled by making the page present and restarting at the reported PC
 * ("return from exception and retry").
 */
import MKeystone from '@alexaltea/keystone-js';
import { Cpu, type Access, type Arch, type StopReason } from '../../src/hw/cpu.js';

export const PAGE = 0x1000;
export const TEXT = 0x10000;

interface KsResult {
  mc: Uint8Array;
  failed: boolean;
}
interface KsModule {
  Keystone: new (arch: number, mode: number) => { asm(src: string, address: number): KsResult; close(): void };
  ARCH_ARM64: number;
  ARCH_X86: number;
  MODE_LITTLE_ENDIAN: number;
  MODE_64: number;
}
const ks = (await MKeystone()) as KsModule;
const assemblers = {
  aarch64: new ks.Keystone(ks.ARCH_ARM64, ks.MODE_LITTLE_ENDIAN),
  x86_64: new ks.Keystone(ks.ARCH_X86, ks.MODE_64),
};

const LABEL = /^\s*([A-Za-z_.$][\w.$]*):/;

function asmRaw(arch: Arch, src: string, address: number): Buffer {
  const r = assemblers[arch].asm(src, address);
  if (r.failed) throw new Error(`keystone (${arch}) failed to assemble at 0x${address.toString(16)}:\n${src}`);
  return Buffer.from(r.mc);
}

/**
 * Assembles `src` at `address` and returns the code and the address of each label (a label is
 * `name:` at the start of a line).  Label addresses come from assembling the text in front of the
 * label, with the labels defined further down declared at its end (so literal loads and forward
 * branches in front of a label still assemble; avoid x86 forward jumps there, whose encoding could
 * shrink).
 */
export function assemble(arch: Arch, src: string, address: number): { code: Buffer; labels: Record<string, number> } {
  const lines = src.split('\n');
  const code = asmRaw(arch, src, address);
  const defined = lines.map((l) => LABEL.exec(l)?.[1]);
  const labels: Record<string, number> = {};
  defined.forEach((name, i) => {
    if (!name) return;
    const later = defined
      .slice(i)
      .filter((n): n is string => !!n)
      .map((n) => `${n}:`);
    const prefix = [...lines.slice(0, i), ...later].join('\n');
    labels[name] = address + (i === 0 ? 0 : asmRaw(arch, prefix, address).length);
  });
  return { code, labels };
}

export interface RegionSpec {
  begin: number;
  pages: number;
  /** Fills the backing memory before the run (gets the code's label addresses). */
  init?: (mem: Buffer, labels: Record<string, number>) => void;
}

export interface MachineSpec {
  arch: Arch;
  /** Assembly, placed at TEXT (ending in `brk #0` / `int3`). */
  asm: string;
  /** Text pages (default 1). */
  textPages?: number;
  regions?: RegionSpec[];
  regs?: Record<string, bigint | number> | ((labels: Record<string, number>) => Record<string, bigint | number>);
  vregs?: Record<string, Buffer>;
}

export interface Snapshot {
  regs: Record<string, bigint>;
  vregs: Record<string, string>;
  /** A copy of every region's backing memory, by region start. */
  mem: Record<string, Buffer>;
}

export interface MmuQuery {
  address: number;
  size: number;
  access: Access;
  pc: bigint;
}

const GPRS: Record<Arch, string[]> = {
  aarch64: [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc', 'nzcv'],
  x86_64: [
    'rax',
    'rbx',
    'rcx',
    'rdx',
    'rsi',
    'rdi',
    'rbp',
    'rsp',
    'r8',
    'r9',
    'r10',
    'r11',
    'r12',
    'r13',
    'r14',
    'r15',
    'rip',
    'rflags',
  ],
};
const VREGS: Record<Arch, string[]> = {
  aarch64: ['q0', 'q1', 'q2', 'q3'],
  x86_64: ['xmm0', 'xmm1', 'xmm2', 'xmm3'],
};

export class Machine {
  readonly cpu: Cpu;
  readonly arch: Arch;
  readonly labels: Record<string, number>;
  readonly code: Buffer;
  readonly text: Buffer;
  readonly regions = new Map<number, Buffer>();
  /** Pages the harness's page table has present.  Everything mapped starts present. */
  readonly present = new Set<number>();
  /** Pages present but not writable (a write is refused). */
  readonly readOnly = new Set<number>();
  /** Every access the MMU callback was asked about. */
  readonly accesses: MmuQuery[] = [];
  /** Called on each MMU query before it is answered (e.g. to snapshot the state there). */
  onAccess?: (a: MmuQuery) => void;
  logAccesses = false;

  constructor(spec: MachineSpec) {
    this.arch = spec.arch;
    const { code, labels } = assemble(spec.arch, spec.asm, TEXT);
    this.code = code;
    this.labels = labels;
    const textPages = spec.textPages ?? Math.max(1, Math.ceil(code.length / PAGE));
    if (code.length > textPages * PAGE)
      throw new Error(`code (${code.length} bytes) does not fit in ${textPages} text page(s)`);
    this.cpu = new Cpu(spec.arch);
    this.text = Buffer.alloc(textPages * PAGE);
    code.copy(this.text);
    this.addRegion(TEXT, this.text);
    this.cpu.mem.addCodeRange(TEXT, TEXT + this.text.length);
    for (const r of spec.regions ?? []) {
      const mem = Buffer.alloc(r.pages * PAGE);
      r.init?.(mem, labels);
      this.addRegion(r.begin, mem);
    }
    this.cpu.setMmu((address, size, access) => {
      const a = { address, size, access, pc: this.onAccess || this.logAccesses ? this.cpu.pc() : 0n };
      if (this.logAccesses) this.accesses.push(a);
      this.onAccess?.(a);
      for (let p = pageOf(address); p <= pageOf(address + size - 1); p += PAGE) {
        if (!this.present.has(p)) return false;
        if (access === 'write' && this.readOnly.has(p)) return false;
      }
      return true;
    });
    const regs = typeof spec.regs === 'function' ? spec.regs(labels) : (spec.regs ?? {});
    for (const [name, v] of Object.entries(regs)) this.cpu.setReg(name, v);
    for (const [name, v] of Object.entries(spec.vregs ?? {})) this.cpu.setVreg(name, v);
    this.cpu.setPc(TEXT);
  }

  private addRegion(begin: number, mem: Buffer): void {
    this.cpu.mem.map(begin, mem);
    this.regions.set(begin, mem);
    for (let p = begin; p < begin + mem.length; p += PAGE) this.present.add(p);
  }

  /** Bytes at a guest address, straight from the backing memory. */
  bytes(address: number, size: number): Buffer {
    for (const [begin, mem] of this.regions) {
      if (address >= begin && address + size <= begin + mem.length)
        return Buffer.from(mem.subarray(address - begin, address - begin + size));
    }
    throw new Error(`0x${address.toString(16)} is not mapped`);
  }

  /** Registers (flags included), vector registers and all guest memory. */
  snapshot(): Snapshot {
    const regs: Record<string, bigint> = {};
    for (const r of GPRS[this.arch]) regs[r] = this.cpu.reg(r);
    const vregs: Record<string, string> = {};
    for (const v of VREGS[this.arch]) vregs[v] = this.cpu.vreg(v).toString('hex');
    const mem: Record<string, Buffer> = {};
    for (const [begin, buf] of this.regions) mem[`0x${begin.toString(16)}`] = Buffer.from(buf);
    return { regs, vregs, mem };
  }

  close(): void {
    this.cpu.close();
  }
}

export function pageOf(address: number): number {
  return address - (address % PAGE);
}

export interface TakenFault {
  stop: Extract<StopReason, { kind: 'fault' }>;
  /** Architectural state at the fault. */
  state: Snapshot;
}

export interface RunOutcome {
  faults: TakenFault[];
  end: StopReason;
  final: Snapshot;
}

/**
 * Runs to the end of the program.  Each fault on a page listed in `absent` is "handled" by making
 * the page present (or writable) and resuming at the reported PC; anything else ends the run.
 */
export function runWithFaults(
  m: Machine,
  absent: Iterable<number>,
  opts: { readOnly?: Iterable<number>; maxFaults?: number; budget?: number } = {},
): RunOutcome {
  for (const p of absent) m.present.delete(p);
  for (const p of opts.readOnly ?? []) m.readOnly.add(p);
  const faults: TakenFault[] = [];
  for (;;) {
    const { reason } = m.cpu.run(opts.budget ?? 100_000);
    if (reason.kind !== 'fault') return { faults, end: reason, final: m.snapshot() };
    faults.push({ stop: reason, state: m.snapshot() });
    if (faults.length > (opts.maxFaults ?? 64)) throw new Error('too many faults');
    const page = pageOf(Number(reason.address));
    if (!m.present.has(page)) m.present.add(page);
    else if (reason.access === 'write' && m.readOnly.has(page)) m.readOnly.delete(page);
    else return { faults, end: reason, final: m.snapshot() };
    // Return from the exception and retry the faulting instruction.
    m.cpu.setPc(reason.pc);
  }
}

export interface ExpectedFault {
  /** Label of the faulting instruction. */
  at: string;
  address: number | ((labels: Record<string, number>) => number);
  access: Access;
}

/**
 * Runs the program with every page present and records, for each expected fault, the state at
 * the first MMU query that instruction makes for that address: the state in front of the
 * faulting instruction (or in front of the faulting iteration of a `rep` string instruction).
 */
export function runEager(
  spec: MachineSpec,
  expected: ExpectedFault[],
): { outcome: RunOutcome; before: Snapshot[]; m: Machine } {
  const m = new Machine(spec);
  const before: Snapshot[] = [];
  const targets = expected.map((e) => ({
    pc: BigInt(m.labels[e.at] ?? Number.NaN),
    address: typeof e.address === 'function' ? e.address(m.labels) : e.address,
    access: e.access,
  }));
  m.onAccess = (a) => {
    const t = targets[before.length];
    if (t && a.pc === t.pc && a.access === t.access && t.address >= a.address && t.address < a.address + a.size)
      before.push(m.snapshot());
  };
  const outcome = runWithFaults(m, []);
  m.onAccess = undefined;
  return { outcome, before, m };
}

export function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}
