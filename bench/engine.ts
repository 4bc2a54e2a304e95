/**
 * Engine benchmark: nanoseconds per guest memory access, both architectures, in one run.
 *
 *   (a) raw:      the data region mapped with full permissions (Cpu.mapRaw) and no precise-PC
 *                 hook: Unicorn's own speed, the target for performance work;
 *   (b) mmu-hook: the precise-fault mechanism the model uses (Cpu.map with no permissions, the
 *                 precise-PC hook on the code, and an MMU callback that looks the page up in a
 *                 Map, like a page-table walk, and says yes).
 *
 * For reference it also measures
 *   (0) engine-only: the same loop straight through the FFI with no hook at all.  The difference
 *                 between (0) and (a) is the cost of Cpu's block hook (instruction budget),
 *                 a JS callback per translation block: one per loop iteration here.
 *
 * Workload: a loop of 1M sequential 8-byte stores.  Prints the ratio (b)/(a) and writes
 * bench/results/engine.json.  Run: npx tsx bench/engine.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';
import MKeystone from '@alexaltea/keystone-js';
import { Cpu, type Arch } from '../src/hw/cpu.js';
import * as U from '../src/hw/unicorn.js';
import { ARM64_REGS, X86_REGS } from '../src/hw/unicorn-consts.js';

const { loadUnicorn } = U;

const PAGE = 4096;
const TEXT = 0x10000;
const DATA = 0x100000;
const ACCESSES = 1_000_000;
const WARMUP = 20_000;
const REPEAT = 3;

interface Ks {
  Keystone: new (
    arch: number,
    mode: number,
  ) => { asm(src: string, address: number): { mc: Uint8Array; failed: boolean } };
  ARCH_ARM64: number;
  ARCH_X86: number;
  MODE_LITTLE_ENDIAN: number;
  MODE_64: number;
}
const ks = (await MKeystone()) as Ks;

// count in x3/rcx, pointer in x1/rdi; one 8-byte store per iteration.
const LOOP: Record<Arch, string> = {
  aarch64: 'loop: str x2, [x1], #8\nsubs x3, x3, #1\nb.ne loop\nbrk #0',
  x86_64: 'loop: mov qword ptr [rdi], rax\nadd rdi, 8\ndec rcx\njnz loop\nint3',
};
const REG: Record<Arch, { ptr: string; count: string; value: string }> = {
  aarch64: { ptr: 'x1', count: 'x3', value: 'x2' },
  x86_64: { ptr: 'rdi', count: 'rcx', value: 'rax' },
};

function assemble(arch: Arch): Buffer {
  const k =
    arch === 'aarch64'
      ? new ks.Keystone(ks.ARCH_ARM64, ks.MODE_LITTLE_ENDIAN)
      : new ks.Keystone(ks.ARCH_X86, ks.MODE_64);
  const r = k.asm(LOOP[arch], TEXT);
  if (r.failed) throw new Error(`cannot assemble the ${arch} loop`);
  return Buffer.from(r.mc);
}

type Mode = 'engine-only' | 'raw' | 'mmu-hook';

/** (0): the loop on a bare Unicorn instance, no hooks, no Cpu. */
function measureEngineOnly(arch: Arch): number {
  const lib = loadUnicorn();
  const out: unknown[] = [null];
  if (
    lib.uc_open(
      arch === 'aarch64' ? U.UC_ARCH_ARM64 : U.UC_ARCH_X86,
      arch === 'aarch64' ? U.UC_MODE_ARM : U.UC_MODE_64,
      out,
    ) !== U.UC_ERR_OK
  )
    throw new Error('uc_open');
  const uc = out[0];
  const text = Buffer.alloc(PAGE);
  assemble(arch).copy(text);
  const data = Buffer.alloc(Math.ceil((ACCESSES * 8) / PAGE) * PAGE);
  lib.uc_mem_map_ptr(uc, TEXT, PAGE, U.UC_PROT_ALL, text);
  lib.uc_mem_map_ptr(uc, DATA, data.length, U.UC_PROT_ALL, data);
  const ids = arch === 'aarch64' ? ARM64_REGS : X86_REGS;
  const r = REG[arch];
  const buf = Buffer.alloc(8);
  const set = (name: string, v: bigint | number) => {
    buf.writeBigUInt64LE(BigInt(v));
    lib.uc_reg_write(uc, ids[name]!, buf);
  };
  const go = (count: number): number => {
    set(r.ptr, DATA);
    set(r.count, count);
    set(r.value, 0x1122334455667788n);
    const t0 = process.hrtime.bigint();
    lib.uc_emu_start(uc, TEXT, 0, 0, 0); // ends with UC_ERR_EXCEPTION at brk/int3 (no hook)
    const ns = Number(process.hrtime.bigint() - t0);
    lib.uc_reg_read(uc, ids[r.ptr]!, buf);
    if (Number(buf.readBigUInt64LE()) !== DATA + count * 8) throw new Error(`${arch}/engine-only: wrong final pointer`);
    return ns;
  };
  go(WARMUP);
  const ns = go(ACCESSES);
  lib.uc_close(uc);
  return ns / ACCESSES;
}

/** One fresh CPU per measurement; returns ns per store of the measured run. */
function measure(arch: Arch, mode: Mode): number {
  if (mode === 'engine-only') return measureEngineOnly(arch);
  const cpu = new Cpu(arch);
  const text = Buffer.alloc(PAGE);
  assemble(arch).copy(text);
  const data = Buffer.alloc(Math.ceil((ACCESSES * 8) / PAGE) * PAGE);
  if (mode === 'raw') {
    cpu.mem.mapRaw(TEXT, text);
    cpu.mem.mapRaw(DATA, data);
  } else {
    cpu.mem.map(TEXT, text);
    cpu.mem.map(DATA, data);
    cpu.mem.addCodeRange(TEXT, TEXT + PAGE);
    // A page table: page number -> permissions.
    const table = new Map<number, { read: boolean; write: boolean; exec: boolean }>();
    table.set(TEXT / PAGE, { read: true, write: false, exec: true });
    for (let p = DATA / PAGE; p < (DATA + data.length) / PAGE; p++)
      table.set(p, { read: true, write: true, exec: false });
    cpu.setMmu((address, _size, access) => {
      const pte = table.get(Math.floor(address / PAGE));
      if (!pte) return false;
      return access === 'write' ? pte.write : access === 'fetch' ? pte.exec : pte.read;
    });
  }
  const r = REG[arch];
  const go = (count: number): number => {
    cpu.setPc(TEXT);
    cpu.setReg(r.ptr, DATA);
    cpu.setReg(r.count, count);
    cpu.setReg(r.value, 0x1122334455667788n);
    const t0 = process.hrtime.bigint();
    const { reason } = cpu.run(Number.MAX_SAFE_INTEGER);
    const ns = Number(process.hrtime.bigint() - t0);
    if (reason.kind !== 'exception')
      throw new Error(
        `${arch}/${mode}: loop ended with ${JSON.stringify(reason, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`,
      );
    if (Number(cpu.reg(r.ptr)) !== DATA + count * 8) throw new Error(`${arch}/${mode}: wrong final pointer`);
    return ns;
  };
  go(WARMUP); // translate the loop, warm up the JS callback
  const ns = go(ACCESSES);
  if (data.readBigUInt64LE((ACCESSES - 1) * 8) !== 0x1122334455667788n)
    throw new Error(`${arch}/${mode}: stores missing`);
  cpu.close();
  return ns / ACCESSES;
}

function unicornVersion(): string {
  const lib = loadUnicorn();
  try {
    const v = koffi
      .load(lib.path.path)
      .func('unsigned int uc_version(_Out_ unsigned int *major, _Out_ unsigned int *minor)')([0], [0]) as number;
    return `${(v >>> 24) & 0xff}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}`;
  } catch {
    return lib.version;
  }
}

const results: { arch: Arch; mode: Mode; accesses: number; ns_per_access: number; ratio?: number }[] = [];
const ratios: Partial<Record<Arch, number>> = {};
const started = Date.now();
for (const arch of ['aarch64', 'x86_64'] as Arch[]) {
  const best: Record<Mode, number> = { 'engine-only': Infinity, raw: Infinity, 'mmu-hook': Infinity };
  // Interleave the modes so drift in machine load affects both alike; keep the best of REPEAT.
  for (let i = 0; i < REPEAT; i++)
    for (const mode of ['engine-only', 'raw', 'mmu-hook'] as Mode[])
      best[mode] = Math.min(best[mode], measure(arch, mode));
  const ratio = best['mmu-hook'] / best.raw;
  ratios[arch] = round(ratio);
  results.push({ arch, mode: 'engine-only', accesses: ACCESSES, ns_per_access: round(best['engine-only']) });
  results.push({ arch, mode: 'raw', accesses: ACCESSES, ns_per_access: round(best.raw) });
  results.push({
    arch,
    mode: 'mmu-hook',
    accesses: ACCESSES,
    ns_per_access: round(best['mmu-hook']),
    ratio: round(ratio),
  });
  console.log(
    `${arch.padEnd(8)} (engine-only ${best['engine-only'].toFixed(1)})  raw ${best.raw.toFixed(1).padStart(7)} ns/access   mmu-hook ${best['mmu-hook'].toFixed(1).padStart(7)} ns/access   ratio (b)/(a) = ${ratio.toFixed(2)}`,
  );
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

const out = {
  benchmark: 'engine',
  workload: `${ACCESSES} sequential 8-byte stores in a loop (best of ${REPEAT})`,
  modes: {
    'engine-only': 'bare Unicorn through the FFI, no hooks (reference)',
    raw: "(a) Cpu, regions mapped with Cpu.mapRaw (UC_PROT_ALL), no precise-PC hook, no MMU callback; includes Cpu's block hook",
    'mmu-hook': '(b) Cpu.map (UC_PROT_NONE) + precise-PC hook + MMU callback doing a Map lookup',
  },
  unicorn: unicornVersion(),
  unicorn_library: loadUnicorn().path.path,
  node: process.version,
  host: `${process.platform}-${process.arch}`,
  results,
  ratio_b_over_a: ratios,
  seconds: round((Date.now() - started) / 1000),
};
const file = join(dirname(fileURLToPath(import.meta.url)), 'results', 'engine.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${file}`);
