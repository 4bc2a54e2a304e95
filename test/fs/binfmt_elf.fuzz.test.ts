/**
 * Fuzzing parseElf: mutate valid ELF files (bit flips, truncation, random header and program
 * header field values, overwritten byte runs) and check that parseElf either returns an image
 * that satisfies its documented invariants or throws an ElfError — never anything else, and fast.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assemble } from '../../src/asm/assemble.js';
import { ElfError, MAX_IMAGE_MEMORY, parseElf, USER_ADDRESS_LIMIT, type ElfImage } from '../../src/fs/binfmt_elf.js';
import { buildElf, phdr, validSpec } from '../helpers/elf-builder.js';
import { ORACLE } from '../helpers/oracle.js';

const seeds: { name: string; bytes: Uint8Array }[] = [];

beforeAll(async () => {
  const spec = validSpec();
  spec.phdrs!.push(phdr(7, { offset: 0x1000n, vaddr: 0x401000n, filesz: 8n, memsz: 16n, align: 8n }));
  seeds.push({ name: 'builder', bytes: buildElf(spec) });
  const src = '.globl _start\n_start: nop\n.section .rodata\nr: .asciz "ro"\n.data\nd: .quad r\n.bss\nb: .skip 8192\n';
  seeds.push({ name: 'asm-aarch64', bytes: (await assemble('aarch64', src, 'f.S')).elf });
  seeds.push({ name: 'asm-x86_64', bytes: (await assemble('x86_64', src, 'f.S')).elf });
  const oracle = path.join(ORACLE, 'bin');
  for (const arch of ['aarch64', 'x86_64']) {
    const f = path.join(oracle, arch, 'touch_pages');
    if (fs.existsSync(f)) seeds.push({ name: `oracle-${arch}`, bytes: new Uint8Array(fs.readFileSync(f)) });
  }
});

/** Header fields (offset, width) worth corrupting; program header fields are relative to e_phoff. */
const EHDR_FIELDS: [number, number][] = [
  [4, 1],
  [5, 1],
  [6, 1],
  [16, 2],
  [18, 2],
  [20, 4],
  [24, 8],
  [32, 8],
  [54, 2],
  [56, 2],
];
const PHDR_FIELDS: [number, number][] = [
  [0, 4],
  [4, 4],
  [8, 8],
  [16, 8],
  [32, 8],
  [40, 8],
  [48, 8],
];

type Mutation =
  | { kind: 'flip'; pos: number; bit: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'ehdr'; field: number; value: bigint }
  | { kind: 'phdr'; index: number; field: number; value: bigint }
  | { kind: 'bytes'; pos: number; bytes: Uint8Array };

/** Values that tend to hit edges: 0, 1, all ones, powers of two, page sizes, user-space limits. */
const interesting = fc.oneof(
  fc.constantFrom(
    0n,
    1n,
    2n,
    3n,
    7n,
    56n,
    64n,
    0xfffn,
    0x1000n,
    0x1001n,
    0x10000n,
    0x400000n,
    0x7ffffffff000n,
    1n << 47n,
    1n << 48n,
    1n << 63n,
    (1n << 64n) - 1n,
    (1n << 32n) - 1n,
    0x6474e551n,
  ),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: 0x2000n }),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('ehdr' as const), field: fc.nat(EHDR_FIELDS.length - 1), value: interesting }),
  fc.record({
    kind: fc.constant('phdr' as const),
    index: fc.nat(7),
    field: fc.nat(PHDR_FIELDS.length - 1),
    value: interesting,
  }),
  fc.record({
    kind: fc.constant('bytes' as const),
    pos: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
);

function writeField(buf: Uint8Array, at: number, width: number, value: bigint): void {
  if (at < 0 || at + width > buf.length) return;
  for (let i = 0; i < width; i++) buf[at + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

function mutate(seed: Uint8Array, muts: Mutation[]): Uint8Array {
  let buf = seed.slice();
  for (const m of muts) {
    if (buf.length === 0) break;
    switch (m.kind) {
      case 'flip':
        buf[m.pos % buf.length]! ^= 1 << m.bit;
        break;
      case 'truncate':
        buf = buf.slice(0, m.keep % (buf.length + 1));
        break;
      case 'ehdr': {
        const [off, w] = EHDR_FIELDS[m.field]!;
        writeField(buf, off, w, m.value);
        break;
      }
      case 'phdr': {
        if (buf.length < 64) break;
        const phoff = Number(new DataView(buf.buffer).getBigUint64(32, true) & 0xffffffn);
        const [off, w] = PHDR_FIELDS[m.field]!;
        writeField(buf, phoff + m.index * 56 + off, w, m.value);
        break;
      }
      case 'bytes': {
        const at = m.pos % buf.length;
        buf.set(m.bytes.subarray(0, buf.length - at), at);
        break;
      }
    }
  }
  return buf;
}

/** What a returned image promises (see src/fs/binfmt_elf.ts). */
function checkInvariants(img: ElfImage, bytes: Uint8Array): void {
  expect(img.loads.length).toBeGreaterThan(0);
  let total = 0n;
  for (let i = 0; i < img.loads.length; i++) {
    const l = img.loads[i]!;
    expect(l.filesz).toBeLessThanOrEqual(l.memsz);
    if (l.filesz > 0) expect(l.offset + l.filesz).toBeLessThanOrEqual(bytes.length);
    expect(BigInt(l.vaddr) + BigInt(l.memsz)).toBeLessThanOrEqual(USER_ADDRESS_LIMIT[img.arch]);
    expect((l.vaddr - l.offset) % 4096).toBe(0);
    if (i > 0)
      expect(l.vaddr).toBeGreaterThanOrEqual(
        img.loads[i - 1]!.vaddr + (l.memsz > 0 && img.loads[i - 1]!.memsz > 0 ? img.loads[i - 1]!.memsz : 0),
      );
    total += BigInt(l.memsz);
  }
  expect(total).toBeLessThanOrEqual(MAX_IMAGE_MEMORY);
  expect(img.loads.some((l) => l.executable && img.entry >= l.vaddr && img.entry < l.vaddr + l.memsz)).toBe(true);
  expect(img.phoff + img.phnum * img.phentsize).toBeLessThanOrEqual(bytes.length);
}

describe('parseElf fuzzing', () => {
  it('every seed parses', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(3);
    for (const s of seeds) expect(() => parseElf(s.bytes, s.name)).not.toThrow();
  });

  it('mutated files give an ElfImage or an ElfError, never another exception, and quickly', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 6 }), (which, muts) => {
        const seed = seeds[which % seeds.length]!;
        const bytes = mutate(seed.bytes, muts);
        const t0 = performance.now();
        let img: ElfImage | null = null;
        try {
          img = parseElf(bytes, 'fuzz.elf');
        } catch (e) {
          if (!(e instanceof ElfError)) throw new Error(`non-ElfError from parseElf: ${String(e)}`);
          expect(e.file).toBe('fuzz.elf');
          expect(e.message.startsWith('fuzz.elf: ')).toBe(true);
          // The parser's catch-all for unexpected exceptions must never be needed.
          expect(e.reason).not.toMatch(/^malformed ELF file/);
          rejected++;
        }
        expect(performance.now() - t0).toBeLessThan(5000); // catches a hang or a blow-up, not scheduling noise;
        if (img) {
          checkInvariants(img, bytes);
          accepted++;
        }
      }),
      { numRuns: 4000, seed: 20240611 },
    );
    // The mutations must exercise both outcomes.
    expect(accepted).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(500);
  });

  it('random byte strings behind a valid magic are rejected with ElfError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (tail) => {
        const bytes = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, ...tail]);
        try {
          parseElf(bytes, 'r.elf');
        } catch (e) {
          expect(e).toBeInstanceOf(ElfError);
        }
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
