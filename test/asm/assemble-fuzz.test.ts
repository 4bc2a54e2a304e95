/**
 * Bad programs never crash the process: mutated guest sources (random insertions/overwrites of
 * tricky tokens) must assemble or fail with an AsmError that has a location — never another
 * exception, never a Keystone abort leaking out, never a changed process.exitCode.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assemble, AsmError } from '../../src/asm/assemble.js';

const A64 = `.globl _start
_start: adrp x0, msg
  add x0, x0, :lo12:msg
  ldr x1, =0x1234
1: subs x2, x2, #1
  b.ne 1b
  cbz x0, 2f
  mov x3, #(N << 2)
2: bl f
.set N, 4
f: ret
.section .rodata
msg: .asciz "hi"
.data
.balign 8
d: .quad msg, . - d
.bss
b: .skip N * 16
`;
const X86 = `_start: lea rsi, [rip + msg]
  mov rax, OFFSET b
1: dec rcx
  jnz 1b
  call f
  add qword ptr [rip + d], 8
f: ret
.section .rodata
msg: .asciz "hi"
.data
d: .quad msg
.bss
b: .skip 64
`;
const TOKENS = [
  '#',
  ':lo12:',
  ':abs_g1:',
  '[',
  ']',
  ',',
  '(',
  ')',
  '{',
  '}',
  '"',
  "'",
  '.',
  '1b',
  '2f',
  ':',
  ';',
  '\\',
  '/*',
  '//',
  '\n',
  ' ',
  '.macro m a\n',
  '.endm',
  '.rept 2',
  '.endr',
  '.include "x"',
  '.section .bss',
  '.text',
  '.skip 0x40000000',
  '.balign 4096',
  'x0',
  'rip',
  'rax',
  'fs:',
  'ptr',
  'qword',
  'OFFSET',
  'ldr x0, =',
  '.quad',
  '.set',
  '.equ N,',
  '_start',
  'msg',
  '+',
  '-',
  '*',
  '!',
  '$',
  '@',
  '=',
  '0x',
  '99999999999999999999',
  'lsl #',
];

describe('assembler robustness', () => {
  it('mutated programs assemble or give a located AsmError', async () => {
    const exitCode = process.exitCode;
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 5 })), fc.boolean()), {
          minLength: 1,
          maxLength: 5,
        }),
        async (arm, edits) => {
          let src = arm ? A64 : X86;
          for (const [pos, tok, overwrite] of edits) {
            const p = pos % (src.length + 1);
            src = src.slice(0, p) + tok + src.slice(overwrite ? p + tok.length : p);
          }
          try {
            await assemble(arm ? 'aarch64' : 'x86_64', src, 'f.S', {
              readFile: () => {
                throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
              },
            });
          } catch (e) {
            if (!(e instanceof AsmError)) throw e;
            failed++;
            expect(e.file === 'f.S' || e.file === 'x').toBe(true);
            expect(e.line).toBeGreaterThanOrEqual(0);
            expect(e.message.startsWith(e.line > 0 ? `${e.file}:${e.line}: ` : `${e.file}: `)).toBe(true);
          }
        },
      ),
      { numRuns: 400, seed: 42 },
    );
    expect(failed).toBeGreaterThan(100);
    expect(process.exitCode).toBe(exitCode);
  }, 60_000);
});
