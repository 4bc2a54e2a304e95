import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemble, AsmError, keystoneEncode, type AsmArch } from '../../src/asm/assemble.js';
import { parseElf, PF_R, PF_W, PF_X } from '../../src/fs/binfmt_elf.js';
import { adrpAddTarget, branchTarget, hex, imm19Target, readMem, sym, words } from './helpers.js';

/** Assemble and expect an AsmError; returns its message. */
async function asmError(arch: AsmArch, src: string, file = 'x.S'): Promise<AsmError> {
  try {
    await assemble(arch, src, file);
  } catch (e) {
    expect(e).toBeInstanceOf(AsmError);
    return e as AsmError;
  }
  throw new Error('expected an AsmError');
}

describe('aarch64', () => {
  it('encodes known instructions at the start of .text, right after the headers', async () => {
    const r = await assemble(
      'aarch64',
      '.global _start\n_start:\n  mov x0, #1\n  mov x8, #93\n  svc #0\n  ret\n',
      'a.S',
    );
    // One PT_LOAD + PT_GNU_STACK: 64 + 2*56 = 0xb0 bytes of headers.
    expect(r.entry).toBe(0x4000b0);
    expect(words(r, r.entry, 4)).toEqual([0xd2800020, 0xd2800ba8, 0xd4000001, 0xd65f03c0]);
    expect(r.sections).toEqual([{ name: '.text', address: 0x4000b0, size: 16 }]);
    expect(r.symbols.get('_start')).toEqual({ name: '_start', address: 0x4000b0, section: '.text', global: true });
  });

  it('resolves labels across .text, .rodata, .data and .bss (adrp/add, b, ldr literal, .quad)', async () => {
    const src = `
        .text
        .globl _start
_start: adrp    x0, msg
        add     x0, x0, :lo12:msg
        adrp    x1, counter
        ldr     x2, [x1, #:lo12:counter]
        adrp    x3, buf
        add     x3, x3, :lo12:buf
        bl      helper
        ldr     x4, value
        b.ne    _start
        cbz     x0, helper
helper: ret
value:  .quad   msg
        .section .rodata
msg:    .asciz  "hello"
        .data
        .balign 8
counter: .quad  msg, buf
        .bss
        .balign 16
buf:    .skip   4096
tail:   .zero   8
`;
    const r = await assemble('aarch64', src, 'x.S');
    const img = parseElf(r.elf, 'x.elf');
    // Layout: text after 3 PT_LOADs + GNU_STACK headers, then page-aligned rodata, data; bss after data.
    expect(r.sections.map((s) => [s.name, s.address, s.size])).toEqual([
      ['.text', 0x400000 + 64 + 4 * 56, 11 * 4 + 8],
      ['.rodata', 0x401000, 6],
      ['.data', 0x402000, 16],
      ['.bss', 0x402010, 4104],
    ]);
    const start = sym(r, '_start');
    const w = words(r, start, 10);
    expect(adrpAddTarget(w[0]!, w[1]!, start)).toBe(sym(r, 'msg'));
    expect(adrpAddTarget(w[2]!, w[3]!, start + 8)).toBe(
      sym(r, 'counter') - (sym(r, 'counter') & 0xfff) + ((w[3]! >>> 10) & 0xfff) * 8,
    );
    expect((w[3]! >>> 10) & 0xfff).toBe((sym(r, 'counter') & 0xfff) / 8); // ldr x scales the offset by 8
    expect(adrpAddTarget(w[4]!, w[5]!, start + 16)).toBe(sym(r, 'buf'));
    expect(branchTarget(w[6]!, start + 24)).toBe(sym(r, 'helper'));
    expect(imm19Target(w[7]!, start + 28)).toBe(sym(r, 'value'));
    expect(imm19Target(w[8]!, start + 32)).toBe(start);
    expect(imm19Target(w[9]!, start + 36)).toBe(sym(r, 'helper'));
    // Data words hold absolute addresses.
    const data = new DataView(readMem(img, sym(r, 'counter'), 16).buffer);
    expect(data.getBigUint64(0, true)).toBe(BigInt(sym(r, 'msg')));
    expect(data.getBigUint64(8, true)).toBe(BigInt(sym(r, 'buf')));
    expect(new DataView(readMem(img, sym(r, 'value'), 8).buffer).getBigUint64(0, true)).toBe(BigInt(sym(r, 'msg')));
    expect(Buffer.from(readMem(img, sym(r, 'msg'), 6)).toString('latin1')).toBe('hello\0');
    expect(sym(r, 'tail')).toBe(sym(r, 'buf') + 4096);
    expect(r.symbols.get('buf')?.section).toBe('.bss');

    // Segments: R+X (headers + text), R (rodata), RW (data + bss, memsz > filesz).
    expect(
      img.loads.map((l) => [l.vaddr, l.flags, l.filesz, l.memsz, l.offset % 4096 === l.vaddr % 4096, l.align]),
    ).toEqual([
      [0x400000, PF_R | PF_X, 64 + 4 * 56 + 52, 64 + 4 * 56 + 52, true, 0x1000],
      [0x401000, PF_R, 6, 6, true, 0x1000],
      [0x402000, PF_R | PF_W, 16, 16 + 4104, true, 0x1000],
    ]);
    expect(img.stack).toEqual({ flags: PF_R | PF_W, executable: false });
    expect(img.entry).toBe(start);
  });

  it('supports numeric local labels, .set/.equ, expressions and the location counter', async () => {
    const r = await assemble(
      'aarch64',
      `
        .set    N, 3
        .equ    FLAGS, (1 << 4) | N
_start: mov     x0, #N
        mov     x1, #FLAGS
1:      subs    x0, x0, #1
        b.ne    1b
        cbz     x1, 1f
        mov     x2, #(len * 2)
1:      b       1b
msg:    .ascii  "abc"
len = . - msg
`,
      'x.S',
    );
    const s = sym(r, '_start');
    const w = words(r, s, 7);
    expect(w[0]).toBe(0xd2800060); // mov x0, #3
    expect(w[1]).toBe(0xd2800261); // mov x1, #19
    expect(imm19Target(w[3]!, s + 12)).toBe(s + 8); // b.ne 1b → the first 1:
    expect(imm19Target(w[4]!, s + 16)).toBe(s + 24); // cbz 1f → the second 1:
    expect(w[5]).toBe(0xd28000c2); // mov x2, #6: len defined after its use (GNU: final value)
    expect(branchTarget(w[6]!, s + 24)).toBe(s + 24);
    expect(r.constants.get('len')).toBe(3n);
    expect([...r.symbols.keys()]).toEqual(['_start', 'msg']); // numeric labels are not symbols
  });

  it('expands macros (with defaults and \\@), .rept and .include', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-asm-'));
    fs.writeFileSync(
      path.join(dir, 'common.inc'),
      '.set SYS_exit, 93\n.macro la reg, sym\n  adrp \\reg, \\sym\n  add \\reg, \\reg, :lo12:\\sym\n.endm\n',
    );
    const file = path.join(dir, 'prog.S');
    const src = `
        .include "common.inc"
        .macro  exit code=0
        mov     x0, #\\code
        mov     x8, #SYS_exit
        svc     #0
        .endm
        .macro  lbl
L\\@:   nop
        .endm
_start: la      x1, msg
        .rept   2
        nop
        .endr
        lbl
        lbl
        exit    7
        exit
        .section .rodata
msg:    .byte 1
`;
    const r = await assemble('aarch64', src, file);
    const s = sym(r, '_start');
    const w = words(r, s, 12);
    expect(adrpAddTarget(w[0]!, w[1]!, s)).toBe(sym(r, 'msg'));
    expect(w.slice(2, 6)).toEqual([0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f]);
    expect(w.slice(6, 12)).toEqual([0xd28000e0, 0xd2800ba8, 0xd4000001, 0xd2800000, 0xd2800ba8, 0xd4000001]);
    // \@ counts every macro expansion (la was expansion 0), as in GNU as.
    expect([...r.symbols.keys()].filter((k) => /^L\d+$/.test(k))).toEqual(['L1', 'L2']);
    fs.rmSync(dir, { recursive: true });
  });

  it('uses readFile for includes when given', async () => {
    const r = await assemble('aarch64', '.include "inc/defs.inc"\n_start: mov x0, #VALUE\n', 'dir/p.S', {
      readFile: (f) => {
        expect(f).toBe(path.join('dir', 'inc', 'defs.inc'));
        return '.equ VALUE, 42\n';
      },
    });
    expect(words(r, r.entry, 1)[0]).toBe(0xd2800540);
  });

  it('lays out data directives with the GNU widths and alignment rules', async () => {
    const r = await assemble(
      'aarch64',
      `_start: ret
        .data
d:      .byte   1, -1, 'A'
        .hword  0x1234
        .word   0x11223344        // 4 bytes on AArch64
        .align  3                 // power of two on AArch64: 8 bytes
        .quad   -2
        .string "hi\\n"
        .balign 8, 0xee
        .fill   2, 2, 0x0102
        .skip   3, 0x7f
`,
      'x.S',
    );
    const d = sym(r, 'd');
    expect(hex(readMem(r.elf, d, 39))).toBe(
      '01ff41' +
        '3412' +
        '44332211' +
        '00'.repeat(7) +
        'feffffffffffffff' +
        '68690a00' +
        'eeeeeeee' +
        '02010201' +
        '7f7f7f',
    );
    expect(r.sections.find((s) => s.name === '.data')?.size).toBe(39);
  });

  it('pads .text alignment with NOPs', async () => {
    const r = await assemble('aarch64', '_start: ret\n.balign 16\nnext: ret\n', 'x.S');
    const s = sym(r, '_start');
    expect(sym(r, 'next') % 16).toBe(0);
    expect(words(r, s + 4, (sym(r, 'next') - s - 4) / 4).every((w) => w === 0xd503201f)).toBe(true);
  });

  it('places ldr =literal values in a pool at .ltorg or the end of the section', async () => {
    const r = await assemble(
      'aarch64',
      '_start: ldr x0, =0x123456789\n ldr w1, =0xd65f03c0\n ldr x2, =0x123456789\n ret\n',
      'x.S',
    );
    const s = sym(r, '_start');
    const w = words(r, s, 4);
    const pool = s + 16; // 8-aligned right after `ret` (0x4000c0)
    expect(pool % 8).toBe(0);
    expect(imm19Target(w[0]!, s)).toBe(pool);
    expect(imm19Target(w[2]!, s + 8)).toBe(pool); // identical literals share a slot
    expect(imm19Target(w[1]!, s + 4)).toBe(pool + 8);
    expect(hex(readMem(r.elf, pool, 12))).toBe('8967452301000000' + 'c0035fd6');
  });

  it('reports out-of-range branches instead of encoding a wrong offset', async () => {
    const e = await asmError('aarch64', '_start: cbz x0, far\n .skip 0x100000\nfar: ret\n');
    expect(e.message).toBe('x.S:1: target 0x5000b4 is out of range for `cbz` (±1 MiB from 0x4000b0)');
    const e2 = await asmError('aarch64', '_start: tbz x0, #1, far\n .skip 0x8000\nfar: ret\n');
    expect(e2.message).toBe('x.S:1: target 0x4080b4 is out of range for `tbz` (±32 KiB from 0x4000b0)');
  });

  it('assembles an oracle-style program deterministically', async () => {
    const src = '_start: adrp x0, m\n add x0, x0, :lo12:m\n b _start\n.section .rodata\nm: .asciz "x"\n';
    const a = await assemble('aarch64', src, 'x.S');
    const b = await assemble('aarch64', src, 'x.S');
    expect(Buffer.from(a.elf).equals(Buffer.from(b.elf))).toBe(true);
  });
});

describe('x86_64 (Intel syntax)', () => {
  it('encodes known instructions; decimal numbers are decimal', async () => {
    // Keystone alone would read `60` as 0x60 in Intel mode; the assembler must not.
    const r = await assemble(
      'x86_64',
      '.intel_syntax noprefix\n_start:\n  mov eax, 60\n  mov edi, 10   # exit status\n  syscall\n',
      'a.S',
    );
    expect(hex(readMem(r.elf, r.entry, 12))).toBe('b83c000000' + 'bf0a000000' + '0f05');
  });

  it('resolves rip-relative, OFFSET, branch and data references across sections', async () => {
    const src = `
_start: lea     rsi, [rip + msg]
        mov     rdi, OFFSET buf + 8
        mov     rax, qword ptr [rip + ptr]
        call    func
        jmp     _start
func:   ret
        .section .rodata
msg:    .asciz  "hi"
        .data
ptr:    .quad   msg
        .word   1              // 2 bytes on x86-64
        .bss
buf:    .skip   64
`;
    const r = await assemble('x86_64', src, 'x.S');
    const s = sym(r, '_start');
    const code = readMem(r.elf, s, 7 + 7 + 7 + 5 + 2 + 1);
    const v = new DataView(code.buffer);
    expect(code[0]).toBe(0x48); // lea rsi, [rip + disp32]: 48 8d 35 disp32
    expect(s + 7 + v.getInt32(3, true)).toBe(sym(r, 'msg'));
    expect(hex(code.subarray(7, 14))).toBe('48c7c7' + hex(new Uint8Array(new Uint32Array([sym(r, 'buf') + 8]).buffer)));
    expect(s + 21 + v.getInt32(17, true)).toBe(sym(r, 'ptr'));
    expect(code[21]).toBe(0xe8);
    expect(s + 26 + v.getInt32(22, true)).toBe(sym(r, 'func'));
    expect(code[26]).toBe(0xeb); // short jmp back to _start
    expect(s + 28 + v.getInt8(27)).toBe(s);
    expect(r.sections.find((x) => x.name === '.data')?.size).toBe(10);
    const img = parseElf(r.elf, 'x.elf');
    expect(img.arch).toBe('x86_64');
    expect(img.loads.map((l) => l.flags)).toEqual([PF_R | PF_X, PF_R, PF_R | PF_W]);
  });

  it('accepts immediates that fit their operand, signed or unsigned', async () => {
    const r = await assemble(
      'x86_64',
      '_start: mov al, 255\n mov al, -128\n and eax, 0xffffff80\n mov eax, -1\n push -1\n ret\n',
      'x.S',
    );
    expect(hex(readMem(r.elf, r.entry, 15))).toBe('b0ff' + 'b080' + '83e080' + 'b8ffffffff' + '6aff' + 'c3');
  });

  it('uses long NOPs for code alignment', async () => {
    const r = await assemble('x86_64', '_start: ret\n.balign 16\nnext: ret\n', 'x.S');
    const pad = sym(r, 'next') - sym(r, '_start') - 1;
    expect(pad).toBe(15);
    expect(hex(readMem(r.elf, sym(r, '_start') + 1, pad))).toBe('66662e0f1f840000000000' + '0f1f4000');
  });

  it('rejects ambiguous bare labels and far branches', async () => {
    const e = await asmError('x86_64', '_start: mov eax, msg\n.section .rodata\nmsg: .byte 0\n');
    expect(e.message).toBe(
      'x.S:1: ambiguous use of label `msg` in Intel syntax: write `OFFSET msg` for its address or `[rip + msg]` for the memory at it',
    );
    const far = await asmError('x86_64', '_start: jmp 0x100400000\n');
    expect(far.message).toBe('x.S:1: branch target 0x100400000 is out of range for `jmp` (±2 GiB from 0x4000b0)');
    const att = await asmError('x86_64', '.att_syntax\n');
    expect(att.message).toBe('x.S:1: AT&T syntax is not supported: x86-64 guest programs are written in Intel syntax');
  });
});

describe('errors carry file:line', () => {
  const cases: [AsmArch, string, string][] = [
    ['aarch64', 'nop\nnop\nfrob x0, x1\n', 'x.S:3: unknown instruction `frob`'],
    ['x86_64', 'nop\nnop\nfrob eax\n', 'x.S:3: unknown instruction `frob`'],
    ['aarch64', 'nop\n  .frob 1\n', 'x.S:2: unknown directive `.frob`'],
    ['aarch64', 'foo: nop\nbar: nop\nfoo: nop\n', 'x.S:3: symbol `foo` is already defined at x.S:1'],
    ['aarch64', 'x: .set x, 1\n', 'x.S:1: symbol `x` is already defined at x.S:1'],
    ['aarch64', 'nop\nb nowhere\n', 'x.S:2: undefined symbol `nowhere`'],
    ['aarch64', 'nop\n\nmov x0, #nowhere + 1\n', 'x.S:3: undefined symbol `nowhere`'],
    ['x86_64', 'nop\nmov eax, nowhere\n', 'x.S:2: undefined symbol `nowhere`'],
    ['x86_64', 'lea rax, [rip + nowhere]\n', 'x.S:1: undefined symbol `nowhere`'],
    ['aarch64', '.data\n.quad missing\n', 'x.S:2: undefined symbol `missing`'],
    ['aarch64', 'b 1f\n', 'x.S:1: undefined local label `1f` (no `1:` after this line)'],
    ['aarch64', 'mov x0, x33\n', 'x.S:1: invalid operands for `mov`: `mov x0, x33`'],
    ['aarch64', '.byte 256\n', 'x.S:1: value 0x100 does not fit in 1 byte'],
    ['aarch64', '.section .weird\n', 'x.S:1: unsupported section `.weird` (use .text, .rodata, .data or .bss)'],
    ['aarch64', '_start: ret\n.bss\nnop\n', 'x.S:3: .bss cannot hold instructions'],
    ['aarch64', '_start: ret\n.bss\n.quad 1\n', 'x.S:3: .bss can only hold labels, .skip/.zero/.space and alignment'],
    ['aarch64', '.balign 3\n', 'x.S:1: alignment 3 is not a power of two'],
    ['aarch64', '.balign 8192\n', 'x.S:1: alignment 8192 is larger than the page size (4096)'],
    [
      'aarch64',
      '.macro m a\n  frob \\a\n.endm\nnop\nm x0\n',
      'x.S:5: unknown instruction `frob` (in expansion of macro `m`)',
    ],
    ['aarch64', '.macro m a\n nop\n', 'x.S:1: missing `.endm` for this `.macro`'],
    ['aarch64', '.macro m a:req\n nop\n.endm\nm\n', 'x.S:4: missing argument `a` for macro `m`'],
    ['aarch64', 'nop\n.endm\n', 'x.S:2: `.endm` without a matching `.macro`'],
    ['aarch64', '\n.include "nope.inc"\n', 'x.S:2: cannot read include file `nope.inc` (ENOENT)'],
    ['aarch64', 'nop\n/* unterminated\n nop', 'x.S:2: unterminated /* comment'],
    ['aarch64', '.globl missing\nnop\n', 'x.S:1: `.globl missing`: symbol `missing` is never defined'],
    ['aarch64', '.data\n_start: .byte 1\n', 'x.S:2: `_start` is in .data; the entry point must be in .text'],
    ['aarch64', 'nop\n_start:\n', 'x.S:2: `_start` is at the end of .text: no instruction follows it'],
    ['aarch64', '.data\n.byte 1\n', 'x.S: the program has no instructions (.text is empty)'],
    ['aarch64', 'ldr w0, =0x100000000\n', 'x.S:1: literal 0x100000000 does not fit in 32 bits'],
    ['aarch64', 'add x0, x0, :got_lo12:x\nx: nop\n', 'x.S:1: unsupported relocation operator `:got_lo12:`'],
    ['aarch64', '.data\n.quad 1 +\n', 'x.S:2: expression ends too early'],
    ['aarch64', '.quad 2 * _start\n_start: nop\n', 'x.S:1: operator `*` cannot be applied to an address'],
    // Keystone would silently truncate these (mov al, 44 / push word 0).
    ['x86_64', '_start: mov al, 300\n', 'x.S:1: immediate 300 (0x12c) does not fit in an 8-bit operand'],
    [
      'x86_64',
      '_start: push 0x100000000\n',
      'x.S:1: immediate 4294967296 (0x100000000) does not fit in a 32-bit operand',
    ],
    [
      'x86_64',
      '_start: mov word ptr [rax], 0x10000\n',
      'x.S:1: immediate 65536 (0x10000) does not fit in a 16-bit operand',
    ],
    ['aarch64', '_start: ret\n.bss\n.skip 0x40000001\n', 'x.S:3: .bss would be larger than 1024 MiB'],
    [
      'aarch64',
      '_start: ret\n.bss\n.skip 0x3ffff000\n.data\n.skip 0x2000\n',
      'x.S: the program needs more than 1 GiB of memory',
    ],
    [
      'aarch64',
      '.rept count\nnop\n.endr\n',
      'x.S:1: .rept count: undefined symbol `count` (it must use numbers and earlier .set constants)',
    ],
  ];
  it.each(cases)('%s: %j', async (arch, src, message) => {
    const e = await asmError(arch, src);
    expect(e.message).toBe(message);
    const m = /^x\.S:(\d+): (.*)$/s.exec(message);
    if (m) {
      expect(e.file).toBe('x.S');
      expect(e.line).toBe(Number(m[1]));
      expect(e.reason).toBe(m[2]);
    }
  });

  it('reports errors inside an included file at that file and line', async () => {
    const e = await assemble('aarch64', '_start: nop\n.include "lib.inc"\n', 'p.S', {
      readFile: () => 'nop\n\nfrob\n',
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AsmError);
    expect((e as AsmError).message).toBe('lib.inc:3: unknown instruction `frob`');
  });
});

describe('readelf', () => {
  const readelf = (() => {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      const p = path.join(dir, 'readelf');
      if (fs.existsSync(p)) return p;
    }
    return null;
  })();
  const programs: [AsmArch, string][] = [
    [
      'aarch64',
      '.globl _start\n.type _start, %function\n_start: adrp x0, m\n ret\n.size _start, . - _start\n.section .rodata\nm: .byte 1\n.data\nd: .quad m\n.bss\nb: .skip 100\n',
    ],
    ['aarch64', '_start: ret\n'],
    ['aarch64', '_start: ret\n.bss\n.balign 64\nb: .skip 8192\n'],
    ['x86_64', '.globl _start\n_start: lea rax, [rip + d]\n ret\n.data\nd: .quad 0\n'],
  ];
  it.skipIf(!readelf).each(programs)('readelf -a accepts the %s output without warnings (%#)', async (arch, src) => {
    const { spawnSync } = await import('node:child_process');
    const r = await assemble(arch, src, 'prog.S');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-readelf-'));
    const f = path.join(dir, 'prog.elf');
    fs.writeFileSync(f, r.elf);
    const out = spawnSync(readelf!, ['-a', '-W', f], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true });
    expect(out.status).toBe(0);
    expect(out.stderr).not.toMatch(/warning|error/i);
    expect(out.stdout).toMatch(arch === 'aarch64' ? /Machine:\s+AArch64/ : /Machine:\s+Advanced Micro Devices X86-64/);
    expect(out.stdout).toMatch(/Type:\s+EXEC/);
    expect(out.stdout).toMatch(/OS\/ABI:\s+UNIX - System V/);
    expect(out.stdout).toMatch(/GNU_STACK/);
  });
});

describe('keystone isolation', () => {
  it('survives a Keystone abort and keeps process.exitCode', async () => {
    const before = process.exitCode;
    // `:lo12:` of a label makes LLVM call report_fatal_error (exit(1)) inside the WASM module.
    const bad = await keystoneEncode('aarch64', 'add x0, x0, :lo12:foo\nfoo:', 0x400000n);
    expect(bad).toEqual({ ok: false, code: -1, detail: 'invalid imm12 fixup value' });
    expect(process.exitCode).toBe(before);
    const good = await keystoneEncode('aarch64', 'nop', 0x400000n);
    expect(good.ok && hex(good.bytes)).toBe('1f2003d5');
  });
});
