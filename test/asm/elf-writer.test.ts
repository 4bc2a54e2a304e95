import { describe, expect, it } from 'vitest';
import {
  elfHeadersSize,
  PF_R,
  PF_W,
  PF_X,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  writeElf,
} from '../../src/asm/elf-writer.js';
import { parseElf } from '../../src/fs/binfmt_elf.js';
import { elfSections, hex, readMem } from './helpers.js';

describe('writeElf', () => {
  const text = new Uint8Array([0x1f, 0x20, 0x03, 0xd5]);
  const data = new Uint8Array([1, 2, 3]);
  const elf = writeElf({
    machine: 'aarch64',
    entry: 0x400000n + BigInt(elfHeadersSize(2)),
    segments: [
      { vaddr: 0x400000n + BigInt(elfHeadersSize(2)), data: text, memsz: 4n, flags: PF_R | PF_X },
      // Not page aligned: the file offset must still be congruent modulo the page size.
      { vaddr: 0x401234n, data, memsz: 0x100n, flags: PF_R | PF_W },
    ],
    sections: [
      {
        name: '.text',
        nobits: false,
        flags: SHF_ALLOC | SHF_EXECINSTR,
        addr: 0x400000n + BigInt(elfHeadersSize(2)),
        size: 4n,
        align: 4,
      },
      { name: '.data', nobits: false, flags: SHF_ALLOC | SHF_WRITE, addr: 0x401234n, size: 3n, align: 1 },
      { name: '.bss', nobits: true, flags: SHF_ALLOC | SHF_WRITE, addr: 0x401237n, size: 0xfdn, align: 1 },
    ],
    symbols: [
      { name: 'g', value: 0x401234n, size: 3n, type: 'object', global: true, section: '.data' },
      {
        name: 'l',
        value: 0x400000n + BigInt(elfHeadersSize(2)),
        size: 0n,
        type: 'func',
        global: false,
        section: '.text',
      },
      { name: 'K', value: 5n, size: 0n, type: 'notype', global: false, section: null },
    ],
    sourceFile: 'w.S',
  });

  it('writes headers the loader accepts, with page-congruent offsets', () => {
    expect(elfHeadersSize(2)).toBe(64 + 3 * 56);
    const img = parseElf(elf, 'w.elf');
    expect(img.entry).toBe(0x4000e8);
    expect(img.loads.map((l) => [l.vaddr, l.offset % 0x1000, l.filesz, l.memsz, l.flags])).toEqual([
      [0x400000, 0, 0xe8 + 4, 0xe8 + 4, PF_R | PF_X],
      [0x401234, 0x234, 3, 0x100, PF_R | PF_W],
    ]);
    expect(hex(readMem(img, 0x4000e8, 4))).toBe('1f2003d5');
    expect(hex(readMem(img, 0x401234, 5))).toBe('0102030000');
    expect(img.stack).toEqual({ flags: PF_R | PF_W, executable: false });
    expect([...elf.subarray(0, 8)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  });

  it('writes section headers and a symbol table with locals first', () => {
    const secs = elfSections(elf);
    expect([...secs.keys()]).toEqual(['.text', '.data', '.bss', '.symtab', '.strtab', '.shstrtab']);
    expect(hex(secs.get('.data')!.bytes)).toBe('010203');
    const symtab = secs.get('.symtab')!.bytes;
    const strtab = secs.get('.strtab')!.bytes;
    const v = new DataView(symtab.buffer, symtab.byteOffset, symtab.byteLength);
    const syms = Array.from({ length: symtab.length / 24 }, (_, i) => {
      const nameOff = v.getUint32(i * 24, true);
      let end = nameOff;
      while (strtab[end] !== 0) end++;
      return {
        name: Buffer.from(strtab.subarray(nameOff, end)).toString(),
        bind: v.getUint8(i * 24 + 4) >> 4,
        type: v.getUint8(i * 24 + 4) & 15,
        shndx: v.getUint16(i * 24 + 6, true),
        value: v.getBigUint64(i * 24 + 8, true),
      };
    });
    expect(syms.map((s) => [s.name, s.bind, s.type, s.shndx])).toEqual([
      ['', 0, 0, 0],
      ['w.S', 0, 4, 0xfff1],
      ['l', 0, 2, 1],
      ['K', 0, 0, 0xfff1],
      ['g', 1, 1, 2],
    ]);
    // sh_info of .symtab = index of the first global symbol.
    const ev = new DataView(elf.buffer, elf.byteOffset);
    const shoff = Number(ev.getBigUint64(0x28, true));
    expect(ev.getUint32(shoff + 4 * 64 + 44, true)).toBe(4);
  });

  it('puts the headers on the page before a first segment that leaves no room for them (like ld)', () => {
    const elf = writeElf({
      machine: 'x86_64',
      entry: 0x401000n,
      segments: [{ vaddr: 0x401000n, data: text, memsz: 4n, flags: PF_R | PF_X }],
      sections: [],
      symbols: [],
    });
    const img = parseElf(elf, 'aligned');
    expect(img.loads[0]!.vaddr).toBe(0x400000);
    expect(img.loads[0]!.offset).toBe(0);
    expect(img.entry).toBe(0x401000);
  });
});
