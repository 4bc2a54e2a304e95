/** Helpers for the assembler tests: read guest memory out of an ELF image. */
import { parseElf, type ElfImage } from '../../src/fs/binfmt_elf.js';
import type { AsmResult } from '../../src/asm/assemble.js';

/** The bytes the loader would place at [addr, addr + n) (zeros past p_filesz). */
export function readMem(elf: Uint8Array | ElfImage, addr: number, n: number): Uint8Array {
  const img = elf instanceof Uint8Array ? parseElf(elf, 'test.elf') : elf;
  const seg = img.loads.find((l) => addr >= l.vaddr && addr + n <= l.vaddr + l.memsz);
  if (!seg) throw new Error(`0x${addr.toString(16)}+${n} is not mapped`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const rel = addr + i - seg.vaddr;
    out[i] = rel < seg.filesz ? img.bytes[seg.offset + rel]! : 0;
  }
  return out;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** 32-bit little-endian words at addr (AArch64 instructions). */
export function words(r: AsmResult, addr: number, count: number): number[] {
  const b = readMem(r.elf, addr, count * 4);
  const v = new DataView(b.buffer);
  return Array.from({ length: count }, (_, i) => v.getUint32(i * 4, true));
}

export function sym(r: AsmResult, name: string): number {
  const s = r.symbols.get(name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.address;
}

/** Target of an AArch64 ADRP at pc followed by ADD :lo12: (the address the pair computes). */
export function adrpAddTarget(adrp: number, add: number, pc: number): number {
  const immlo = (adrp >>> 29) & 3;
  const immhi = (adrp >>> 5) & 0x7ffff;
  let pages = (immhi << 2) | immlo;
  if (pages & (1 << 20)) pages -= 1 << 21;
  const lo12 = (add >>> 10) & 0xfff;
  return Math.floor(pc / 4096) * 4096 + pages * 4096 + lo12;
}

/** Target of an AArch64 B/BL at pc. */
export function branchTarget(insn: number, pc: number): number {
  let imm = insn & 0x3ffffff;
  if (imm & (1 << 25)) imm -= 1 << 26;
  return pc + imm * 4;
}

/** Target of an AArch64 imm19 branch/literal (B.cond, CBZ, LDR literal) at pc. */
export function imm19Target(insn: number, pc: number): number {
  let imm = (insn >>> 5) & 0x7ffff;
  if (imm & (1 << 18)) imm -= 1 << 19;
  return pc + imm * 4;
}

/** Section name → {addr, bytes} from an ELF64 file's section headers (for comparisons). */
export function elfSections(elf: Uint8Array): Map<string, { addr: number; bytes: Uint8Array }> {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const sh = (i: number) => {
    const o = shoff + i * 64;
    return {
      name: v.getUint32(o, true),
      type: v.getUint32(o + 4, true),
      addr: Number(v.getBigUint64(o + 16, true)),
      off: Number(v.getBigUint64(o + 24, true)),
      size: Number(v.getBigUint64(o + 32, true)),
    };
  };
  const strOff = sh(shstrndx).off;
  const out = new Map<string, { addr: number; bytes: Uint8Array }>();
  for (let i = 1; i < shnum; i++) {
    const s = sh(i);
    let end = strOff + s.name;
    while (elf[end] !== 0) end++;
    const name = Buffer.from(elf.subarray(strOff + s.name, end)).toString('latin1');
    out.set(name, { addr: s.addr, bytes: s.type === 8 ? new Uint8Array(s.size) : elf.slice(s.off, s.off + s.size) });
  }
  return out;
}
