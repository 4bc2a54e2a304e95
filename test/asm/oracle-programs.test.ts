/**
 * Conformance with the GNU toolchain.
 *
 *  - AArch64: the oracle test programs (../shared/oracle/programs, GNU as syntax with macros,
 *    .include, numeric labels, literal pools) must assemble to exactly the loadable image of the
 *    recorded binaries built with GNU as + ld (../shared/oracle/bin).  Skipped if absent.
 *  - x86-64: an Intel-syntax program must match what GNU as + ld produce for it.  Skipped if
 *    `as`/`ld` are not installed.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemble } from '../../src/asm/assemble.js';
import { parseElf } from '../../src/fs/binfmt_elf.js';
import { elfSections, hex, readMem } from './helpers.js';
import { ORACLE as oracle } from '../helpers/oracle.js';

const programs = path.join(oracle, 'programs/aarch64');
const names = fs.existsSync(programs)
  ? fs
      .readdirSync(programs)
      .filter((f) => f.endsWith('.s'))
      .map((f) => f.slice(0, -2))
  : [];

describe('AArch64 oracle programs', () => {
  it.skipIf(names.length === 0).each(names)('%s assembles to the same image as GNU as + ld', async (name) => {
    const bin = path.join(oracle, 'bin/aarch64', name);
    if (!fs.existsSync(bin)) return;
    const file = path.join(programs, `${name}.s`);
    const r = await assemble('aarch64', fs.readFileSync(file, 'utf8'), file);
    const mine = parseElf(r.elf, 'mine');
    const gnu = parseElf(new Uint8Array(fs.readFileSync(bin)), bin);
    expect(mine.entry).toBe(gnu.entry);
    expect(mine.loads.map(({ vaddr, memsz, flags }) => ({ vaddr, memsz, flags }))).toEqual(
      gnu.loads.map(({ vaddr, memsz, flags }) => ({ vaddr, memsz, flags })),
    );
    for (const l of gnu.loads) {
      // Everything after the ELF header + program headers (which differ only in e_shoff).
      const from = l.vaddr === 0x400000 ? gnu.entry : l.vaddr;
      const n = l.vaddr + l.memsz - from;
      expect(hex(readMem(mine, from, n))).toBe(hex(readMem(gnu, from, n)));
    }
    // Symbol addresses agree with the GNU symbol table.
    const gnuSyms = elfSections(new Uint8Array(fs.readFileSync(bin)));
    expect(gnuSyms.get('.text')!.addr).toBe(r.sections[0]!.address);
    expect(r.symbols.get('main')?.global).toBe(true);
  });
});

const tool = (name: string): string | null => {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return null;
};
const gas = tool('as');
const ld = tool('ld');
const gnuX86 = gas && ld && spawnSync(gas, ['--version'], { encoding: 'utf8' }).stdout.includes('x86_64');

const LINKER_SCRIPT = `ENTRY(_start)
PHDRS { text PT_LOAD FILEHDR PHDRS FLAGS(5); rodata PT_LOAD FLAGS(4); data PT_LOAD FLAGS(6); stack PT_GNU_STACK FLAGS(6); }
SECTIONS {
  . = 0x400000 + SIZEOF_HEADERS;
  .text : { *(.text .text.*) } :text
  . = ALIGN(4096);
  .rodata : { *(.rodata .rodata.*) } :rodata
  . = ALIGN(4096);
  .data : { *(.data .data.*) } :data
  .bss : { *(.bss .bss.*) } :data
  /DISCARD/ : { *(.note .note.*) *(.comment) *(.eh_frame) }
}
`;

// Intel syntax, `#` comments only (GNU as for x86 has no `//` comments).
const X86_PROGRAM = `
        .intel_syntax noprefix
        .set SYS_write, 1
        .set SYS_exit_group, 231
        .equ PAGE, 4096
        .text
        .globl _start
_start:
        mov     rdi, [rsp]              # argc
        lea     rsi, [rsp + 8]
        call    main
        mov     edi, eax
        jmp     sys_exit_group
sys_exit_group:
        mov     eax, SYS_exit_group
        syscall
        hlt
strlen:
        xor     eax, eax
1:      cmp     byte ptr [rdi + rax], 0
        je      2f
        inc     rax
        jmp     1b
2:      ret
main:
        push    rbx
        lea     rdi, [rip + msg]
        call    strlen
        mov     rdx, rax
        lea     rsi, [rip + msg]
        mov     edi, 1
        mov     eax, SYS_write
        syscall
        mov     rax, OFFSET msg
        mov     ecx, OFFSET msg_end - msg
        mov     rbx, qword ptr [rip + table + 8]
        mov     qword ptr [rip + counter], rbx
        add     dword ptr [rip + counter + 4], 100
        cmp     byte ptr [rdi], '-'
        add     rdi, PAGE
        add     rdi, 8
        sub     rsp, 128
        shl     rdi, 12
        cmp     rax, -4095
        jae     3f
        .balign 16
3:      xor     eax, eax
        mov     r10d, 0x22
        imul    rax, rax, 10
        movzx   edx, byte ptr [rdi]
        mov     qword ptr [rsp + 8], 0
        lea     rax, [rbx + rcx*8 + 16]
        mov     r8, -1
        xor     r9d, r9d
        test    rax, rax
        cmovz   rax, rcx
        setne   cl
        movabs  rax, 0x123456789abcdef
        jnz     far_away
        loop    3b
        .skip   200, 0x90
far_away:
        lea     rdi, [rip + buf + 64]
        pop     rbx
        ret
        .section .rodata
msg:    .asciz  "hello\\n"
msg_end:
        .balign 8
table:  .quad   msg, main, 0
        .word   1, 2
        .long   -1
        .byte   'a', 255
        .data
counter: .quad  0
        .short  7
        .bss
        .balign 16
buf:    .skip   4096
`;

describe('x86-64 against GNU as', () => {
  it.skipIf(!gnuX86)('produces the same sections as GNU as + ld', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-gas-'));
    fs.writeFileSync(path.join(dir, 'p.S'), X86_PROGRAM);
    fs.writeFileSync(path.join(dir, 'p.ld'), LINKER_SCRIPT);
    const a = spawnSync(gas!, ['--64', '-o', path.join(dir, 'p.o'), path.join(dir, 'p.S')], { encoding: 'utf8' });
    expect(a.stderr).toBe('');
    const l = spawnSync(ld!, ['-T', path.join(dir, 'p.ld'), '-o', path.join(dir, 'p'), path.join(dir, 'p.o')], {
      encoding: 'utf8',
    });
    expect(l.status).toBe(0);
    const gnu = new Uint8Array(fs.readFileSync(path.join(dir, 'p')));
    fs.rmSync(dir, { recursive: true });

    const r = await assemble('x86_64', X86_PROGRAM, 'p.S');
    const mine = elfSections(r.elf);
    const theirs = elfSections(gnu);
    for (const name of ['.text', '.rodata', '.data', '.bss']) {
      expect({ name, addr: mine.get(name)?.addr, bytes: hex(mine.get(name)!.bytes) }).toEqual({
        name,
        addr: theirs.get(name)?.addr,
        bytes: hex(theirs.get(name)!.bytes),
      });
    }
    expect(parseElf(r.elf, 'mine').entry).toBe(parseElf(gnu, 'gnu').entry);
  });
});
