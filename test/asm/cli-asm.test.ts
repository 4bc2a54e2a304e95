import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { asmCommand, defaultOutput, inferArch } from '../../src/cli/asm.js';
import { AsmError } from '../../src/asm/assemble.js';
import { parseElf } from '../../src/fs/binfmt_elf.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-cli-asm-'));
afterEach(() => vi.restoreAllMocks());

function write(rel: string, text: string): string {
  const f = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

describe('faultpath asm', () => {
  it('infers the architecture from the path, writes an executable ELF and returns a summary', async () => {
    const src = write(
      'guest-programs/aarch64/hello.S',
      '.globl _start\n_start: mov x8, #93\n svc #0\n.section .rodata\nm: .asciz "hi"\n',
    );
    const out = path.join(tmp, 'hello.elf');
    const log = vi.spyOn(console, 'log');
    const summary = await asmCommand(src, { out });
    expect(summary).toBe(
      `wrote ${out}: aarch64 static executable, ${fs.statSync(out).size} bytes, entry 0x4000e8; .text 0x4000e8 r-x 8 B, .rodata 0x401000 r-- 3 B`,
    );
    expect(log).not.toHaveBeenCalled(); // src/cli/main.ts prints the returned line
    expect(fs.statSync(out).mode & 0o777).toBe(0o755);
    expect(parseElf(new Uint8Array(fs.readFileSync(out)), out).arch).toBe('aarch64');
  });

  it('defaults the output to FILE.elf and honours --arch', async () => {
    const src = write('misc/prog.S', '_start: mov eax, 60\n syscall\n');
    const summary = await asmCommand(src, { arch: 'x86_64' });
    expect(summary.startsWith(`wrote ${path.join(tmp, 'misc/prog.elf')}: x86_64 static executable`)).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'misc/prog.elf'))).toBe(true);
  });

  it('rewrites an existing output with mode 0755', async () => {
    const src = write('x86_64/p.S', '_start: ret\n');
    const out = write('p.out', 'old');
    fs.chmodSync(out, 0o600);
    await asmCommand(src, { out });
    expect(fs.statSync(out).mode & 0o777).toBe(0o755);
  });

  it('reports assembly errors as file:line', async () => {
    const src = write('guest-programs/x86_64/bad.S', '_start:\n  nop\n  frob eax\n');
    await expect(asmCommand(src)).rejects.toThrow(new AsmError(src, 3, 'unknown instruction `frob`'));
    await expect(asmCommand(src)).rejects.toThrow(`${src}:3: unknown instruction \`frob\``);
  });

  it('reports a missing input file as an AsmError', async () => {
    const missing = path.join(tmp, 'aarch64/missing.S');
    await expect(asmCommand(missing)).rejects.toThrow(new AsmError(missing, 0, 'cannot read the file (ENOENT)'));
  });

  it('explains how to choose an architecture', () => {
    expect(inferArch('guest-programs/aarch64/x.S')).toBe('aarch64');
    expect(inferArch('a/x86_64/b/c.S')).toBe('x86_64');
    expect(inferArch('x86_64/aarch64/c.S')).toBe('aarch64'); // innermost directory wins
    expect(inferArch('anything.S', 'arm64')).toBe('aarch64');
    expect(() => inferArch('/nowhere/prog.S')).toThrow(
      new AsmError(
        '/nowhere/prog.S',
        0,
        'cannot tell the architecture from the path (no aarch64/ or x86_64/ directory); pass --arch aarch64 or --arch x86_64',
      ),
    );
    expect(() => inferArch('x.S', 'mips')).toThrow('x.S: unknown architecture `mips` (expected aarch64 or x86_64)');
    expect(defaultOutput('dir/prog.S')).toBe('dir/prog.elf');
    expect(defaultOutput('prog')).toBe('prog.elf');
  });
});
