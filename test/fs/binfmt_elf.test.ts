import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assemble } from '../../src/asm/assemble.js';
import { ElfError, parseElf, PF_R, PF_W, PF_X, segmentPerms, type ElfImage } from '../../src/fs/binfmt_elf.js';
import { buildElf, load, phdr, validSpec, type ElfSpec } from '../helpers/elf-builder.js';
import { ORACLE } from '../helpers/oracle.js';

function elfError(bytes: Uint8Array, name = 'prog.elf'): ElfError {
  try {
    parseElf(bytes, name);
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    return e as ElfError;
  }
  throw new Error('expected an ElfError');
}

const spec = (change: (s: ElfSpec) => void): Uint8Array => {
  const s = validSpec();
  change(s);
  return buildElf(s);
};

describe('parseElf: valid images', () => {
  it('parses the builder default', () => {
    const img = parseElf(buildElf(validSpec()), 'ok.elf');
    expect(img).toMatchObject({
      file: 'ok.elf',
      arch: 'x86_64',
      type: 'exec',
      entry: 0x400100,
      phoff: 64,
      phentsize: 56,
      phnum: 3,
      phdrAddr: 0x400040,
      stack: { flags: PF_R | PF_W, executable: false },
      tls: null,
    });
    expect(img.loads).toEqual([
      {
        index: 0,
        vaddr: 0x400000,
        offset: 0,
        filesz: 0x200,
        memsz: 0x200,
        flags: 5,
        readable: true,
        writable: false,
        executable: true,
        align: 0x1000,
      },
      {
        index: 1,
        vaddr: 0x401000,
        offset: 0x1000,
        filesz: 0x10,
        memsz: 0x2000,
        flags: 6,
        readable: true,
        writable: true,
        executable: false,
        align: 0x1000,
      },
    ]);
  });

  it('round-trips the assembler output on both architectures', async () => {
    for (const arch of ['aarch64', 'x86_64'] as const) {
      const src = '.globl _start\n_start: nop\n.section .rodata\nr: .byte 1\n.data\nd: .byte 2\n.bss\nb: .skip 5000\n';
      const r = await assemble(arch, src, 'rt.S');
      const img = parseElf(r.elf, 'rt.elf');
      expect(img.arch).toBe(arch);
      expect(img.type).toBe('exec');
      expect(img.entry).toBe(r.entry);
      expect(img.phnum).toBe(4);
      expect(img.phdrAddr).toBe(0x400040);
      expect(img.loads.map((l) => [l.vaddr, segmentPerms(l.flags), l.filesz, l.memsz])).toEqual([
        [
          0x400000,
          'r-x',
          r.entry - 0x400000 + (arch === 'aarch64' ? 4 : 1),
          r.entry - 0x400000 + (arch === 'aarch64' ? 4 : 1),
        ],
        [0x401000, 'r--', 1, 1],
        [0x402000, 'rw-', 1, 1 + 5000],
      ]);
      expect(img.stack?.executable).toBe(false);
    }
  });

  it('reports static-PIE ET_DYN, PT_PHDR, PT_TLS and an executable stack', () => {
    const img = parseElf(
      spec((s) => {
        s.type = 3;
        s.machine = 183;
        s.phdrs!.unshift(
          phdr(6, { vaddr: 0x400040n, offset: 64n, filesz: 56n * 5n, memsz: 56n * 5n, flags: 4, align: 8n }),
        );
        s.phdrs!.push(phdr(7, { vaddr: 0x401000n, offset: 0x1000n, filesz: 8n, memsz: 16n, align: 8n }));
        s.phdrs![3] = phdr(0x6474e551, { flags: 7 });
      }),
      'pie',
    );
    expect(img.type).toBe('dyn');
    expect(img.arch).toBe('aarch64');
    expect(img.phdrAddr).toBe(0x400040);
    expect(img.tls).toEqual({ vaddr: 0x401000, offset: 0x1000, filesz: 8, memsz: 16, align: 8 });
    expect(img.stack).toEqual({ flags: 7, executable: true });
  });

  it('leaves phdrAddr null when no segment maps the program headers', () => {
    const img = parseElf(
      spec((s) => (s.phdrs![0] = load(0x400000n, 0x1000n, 0x200n, 0x200n, 5))),
      'x',
    );
    expect(img.phdrAddr).toBeNull();
  });

  it('accepts AArch64 addresses above the x86-64 limit', () => {
    const img = parseElf(
      spec((s) => {
        s.machine = 183;
        s.entry = 0xfffff0000100n;
        s.phdrs = [load(0xfffff0000000n, 0n, 0x200n, 0x200n, 5)];
      }),
      'hi',
    );
    expect(img.entry).toBe(0xfffff0000100);
  });

  const oracle = path.join(ORACLE, 'bin');
  const bins = ['aarch64', 'x86_64'].flatMap((a) =>
    fs.existsSync(path.join(oracle, a)) ? fs.readdirSync(path.join(oracle, a)).map((f) => [a, f] as const) : [],
  );
  it.skipIf(bins.length === 0).each(bins)('parses the real static binary oracle/bin/%s/%s', (arch, f) => {
    const file = path.join(oracle, arch, f);
    const img: ElfImage = parseElf(new Uint8Array(fs.readFileSync(file)), file);
    expect(img.arch).toBe(arch);
    expect(img.type).toBe('exec');
    expect(img.entry).toBe(0x4000e8);
    expect(img.phdrAddr).toBe(0x400040);
    expect(img.loads.map((l) => [l.vaddr, l.flags])).toEqual([
      [0x400000, PF_R | PF_X],
      [0x401000, PF_R],
    ]);
    expect(img.stack).toEqual({ flags: PF_R | PF_W, executable: false });
  });
});

describe('parseElf: every malformed input is an ElfError with a precise message', () => {
  const cases: [string, Uint8Array, string][] = [
    ['empty file', new Uint8Array(0), 'not an ELF file (bad magic)'],
    ['bad magic', spec((s) => (s.ident = { magic: [0x7f, 0x45, 0x4c, 0x47] })), 'not an ELF file (bad magic)'],
    [
      'truncated e_ident',
      buildElf(validSpec()).subarray(0, 10),
      'truncated ELF header (10 bytes; the ELF64 header is 64 bytes)',
    ],
    [
      'truncated header',
      buildElf(validSpec()).subarray(0, 40),
      'truncated ELF header (40 bytes; the ELF64 header is 64 bytes)',
    ],
    [
      'ELF32',
      spec((s) => (s.ident = { class: 1 })),
      'not a 64-bit ELF file (EI_CLASS is 1; only ELFCLASS64 is supported)',
    ],
    [
      'big-endian',
      spec((s) => (s.ident = { data: 2 })),
      'not a little-endian ELF file (EI_DATA is 2; only ELFDATA2LSB is supported)',
    ],
    ['EI_VERSION', spec((s) => (s.ident = { version: 0 })), 'unsupported ELF version 0 in EI_VERSION (expected 1)'],
    ['e_version', spec((s) => (s.version = 2)), 'unsupported ELF version 2 in e_version (expected 1)'],
    [
      'relocatable',
      spec((s) => (s.type = 1)),
      'unsupported ELF type 1 (ET_REL): only static executables (ET_EXEC, or static-PIE ET_DYN) can be run',
    ],
    [
      'core file',
      spec((s) => (s.type = 4)),
      'unsupported ELF type 4 (ET_CORE): only static executables (ET_EXEC, or static-PIE ET_DYN) can be run',
    ],
    [
      '32-bit ARM',
      spec((s) => (s.machine = 40)),
      'unsupported machine 40 (EM_ARM): only EM_X86_64 (62) and EM_AARCH64 (183) are supported',
    ],
    [
      'unknown machine',
      spec((s) => (s.machine = 9999)),
      'unsupported machine 9999 (unknown): only EM_X86_64 (62) and EM_AARCH64 (183) are supported',
    ],
    ['e_phentsize', spec((s) => (s.phentsize = 32)), 'e_phentsize is 32; ELF64 program headers are 56 bytes'],
    ['no phdrs', spec((s) => (s.phnum = 0)), 'no program headers (e_phnum is 0)'],
    ['too many phdrs', spec((s) => (s.phnum = 1171)), 'too many program headers (1171; at most 1170)'],
    [
      'phdrs past EOF',
      spec((s) => {
        s.phoff = 0x1000n;
        s.size = 0x1010;
      }),
      'program header table (offset 0x1000, 168 bytes) extends past the end of the file (4112 bytes)',
    ],
    [
      'phdrs truncated',
      buildElf(validSpec()).subarray(0, 200),
      'program header table (offset 0x40, 168 bytes) extends past the end of the file (200 bytes)',
    ],
    [
      'huge e_phoff',
      spec((s) => (s.phoff = 0xffffffffffffffffn)),
      'program header table (offset 0xffffffffffffffff, 168 bytes) extends past the end of the file (4112 bytes)',
    ],
    [
      'PT_INTERP',
      spec((s) => s.phdrs!.push(phdr(3, { offset: 0x100n, filesz: 0x1cn }))),
      'dynamically linked executables are not supported',
    ],
    [
      'filesz > memsz',
      spec((s) => (s.phdrs![1] = load(0x401000n, 0x1000n, 0x20n, 0x10n, 6))),
      'PT_LOAD #1: p_filesz (0x20) is larger than p_memsz (0x10)',
    ],
    [
      'segment past EOF',
      spec((s) => (s.size = 0x1008)),
      'PT_LOAD #1: file bytes 0x1000-0x1010 extend past the end of the file (4104 bytes)',
    ],
    [
      'offset past EOF',
      spec((s) => (s.phdrs![1]!.offset = 0xfffffffffffff000n)),
      'PT_LOAD #1: file bytes 0xfffffffffffff000-0xfffffffffffff010 extend past the end of the file (512 bytes)',
    ],
    [
      'p_align not a power of two',
      spec((s) => (s.phdrs![1]!.align = 0x3000n)),
      'PT_LOAD #1: p_align 0x3000 is not a power of two',
    ],
    [
      'vaddr/offset not congruent',
      spec((s) => (s.phdrs![1] = load(0x401800n, 0x1000n, 0x10n, 0x10n, 6))),
      'PT_LOAD #1: p_vaddr 0x401800 and p_offset 0x1000 are not congruent modulo 0x1000',
    ],
    [
      'congruence modulo a large p_align',
      spec((s) => (s.phdrs![1] = load(0x412000n, 0x1000n, 0x10n, 0x10n, 6, 0x10000n))),
      'PT_LOAD #1: p_vaddr 0x412000 and p_offset 0x1000 are not congruent modulo 0x10000',
    ],
    [
      'x86-64 kernel address',
      spec((s) => (s.phdrs![1] = load(0xffff800000000000n, 0x1000n, 0x10n, 0x10n, 6))),
      'PT_LOAD #1: 0xffff800000000000-0xffff800000000010 is outside the x86_64 user address range (below 0x7ffffffff000)',
    ],
    [
      'x86-64 last page',
      spec((s) => (s.phdrs![1] = load(0x7ffffffff000n, 0x1000n, 0x10n, 0x10n, 6))),
      'PT_LOAD #1: 0x7ffffffff000-0x7ffffffff010 is outside the x86_64 user address range (below 0x7ffffffff000)',
    ],
    [
      'aarch64 beyond 48 bits',
      spec((s) => {
        s.machine = 183;
        s.phdrs![1] = load(0xfffffffff000n, 0x1000n, 0x10n, 0x2000n, 6);
      }),
      'PT_LOAD #1: 0xfffffffff000-0x1000000001000 is outside the aarch64 user address range (below 0x1000000000000)',
    ],
    [
      'wrapping memsz',
      spec((s) => (s.phdrs![1]!.memsz = 0xffffffffffffffffn)),
      'PT_LOAD #1: 0x401000-0x10000000000400fff is outside the x86_64 user address range (below 0x7ffffffff000)',
    ],
    [
      'more than 1 GiB',
      spec((s) => (s.phdrs![1]!.memsz = 0x40000001n)),
      'PT_LOAD segments need 0x40000201 bytes of memory in total (the limit is 1 GiB)',
    ],
    ['no PT_LOAD', spec((s) => (s.phdrs = [phdr(0x6474e551, { flags: 6 })])), 'no PT_LOAD segments'],
    [
      'overlapping PT_LOADs',
      spec((s) => (s.phdrs![1] = load(0x400000n + 0x1100n - 0x1000n, 0x100n, 0x10n, 0x10n, 6))),
      'PT_LOAD #1 (0x400100-0x400110) overlaps PT_LOAD #0 (0x400000-0x400200)',
    ],
    [
      'unsorted PT_LOADs',
      spec((s) => (s.phdrs = [s.phdrs![1]!, s.phdrs![0]!, s.phdrs![2]!])),
      'PT_LOAD #1 (0x400000) comes after PT_LOAD #0 (0x401000): PT_LOAD segments must be sorted by p_vaddr',
    ],
    [
      'entry outside segments',
      spec((s) => (s.entry = 0x500000n)),
      'entry point 0x500000 is not inside an executable PT_LOAD segment',
    ],
    [
      'entry in a data segment',
      spec((s) => (s.entry = 0x401000n)),
      'entry point 0x401000 is not inside an executable PT_LOAD segment',
    ],
    [
      'entry at the end of text',
      spec((s) => (s.entry = 0x400200n)),
      'entry point 0x400200 is not inside an executable PT_LOAD segment',
    ],
    [
      'PT_TLS filesz > memsz',
      spec((s) => s.phdrs!.push(phdr(7, { offset: 0x1000n, vaddr: 0x401000n, filesz: 8n, memsz: 4n }))),
      'PT_TLS #3: p_filesz (0x8) is larger than p_memsz (0x4)',
    ],
  ];
  it.each(cases)('%s', (_what, bytes, reason) => {
    const e = elfError(bytes, 'prog.elf');
    expect(e.reason).toBe(reason);
    expect(e.message).toBe(`prog.elf: ${reason}`);
    expect(e.file).toBe('prog.elf');
  });

  it('rejects a real dynamically linked executable when one is installed', () => {
    const candidates = ['/bin/true', '/usr/bin/true', '/bin/ls'];
    const f = candidates.find((c) => fs.existsSync(c));
    if (!f) return;
    const bytes = new Uint8Array(fs.readFileSync(f));
    // Only meaningful for a dynamically linked x86-64/AArch64 ELF.
    if (bytes[18] !== 62 && bytes[18] !== 183) return;
    try {
      parseElf(bytes, f);
    } catch (e) {
      expect(e).toBeInstanceOf(ElfError);
      expect((e as ElfError).reason).toBe('dynamically linked executables are not supported');
    }
  });
});
