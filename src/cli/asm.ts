/**
 * `faultpath asm FILE.S [-o FILE.elf] [--arch aarch64|x86_64]`: assemble a guest program into a
 * static ELF executable.  The commander wiring lives in src/cli/main.ts; this module only exports
 * the action.
 *
 * The architecture comes from the path (`guest-programs/aarch64/…`, `…/x86_64/…`) unless --arch
 * is given.  The output is re-read with the loader's strict ELF parser before it is written, so a
 * file this command produces is always one `faultpath run` accepts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assemble, AsmError, type AsmArch } from '../asm/assemble.js';
import { parseElf, segmentPerms } from '../fs/binfmt_elf.js';

export interface AsmCommandOptions {
  /** Output path (default: the input path with its extension replaced by `.elf`). */
  out?: string;
  /** `aarch64` or `x86_64` (aliases: arm64, x86-64, amd64); default: inferred from the path. */
  arch?: string;
}

const ARCH_ALIASES: Record<string, AsmArch> = {
  aarch64: 'aarch64',
  arm64: 'aarch64',
  x86_64: 'x86_64',
  'x86-64': 'x86_64',
  amd64: 'x86_64',
};

/**
 * Architecture named by --arch or by a directory of the path (the innermost one wins).
 * Problems are file-level AsmErrors (`file: reason`), which the CLI reports like other input errors.
 */
export function inferArch(file: string, arch?: string): AsmArch {
  if (arch !== undefined) {
    const a = ARCH_ALIASES[arch.toLowerCase()];
    if (!a) throw new AsmError(file, 0, `unknown architecture \`${arch}\` (expected aarch64 or x86_64)`);
    return a;
  }
  const parts = path.resolve(file).split(path.sep).slice(0, -1).reverse();
  for (const p of parts) {
    const a = ARCH_ALIASES[p.toLowerCase()];
    if (a) return a;
  }
  throw new AsmError(
    file,
    0,
    'cannot tell the architecture from the path (no aarch64/ or x86_64/ directory); pass --arch aarch64 or --arch x86_64',
  );
}

/** Default output path: FILE.S → FILE.elf. */
export function defaultOutput(file: string): string {
  const ext = path.extname(file);
  return (ext ? file.slice(0, -ext.length) : file) + '.elf';
}

/**
 * Assemble `file`, write the executable (mode 0755) and return a one-line summary (the caller
 * prints it), e.g.
 * `wrote hello.elf: aarch64 static executable, 4776 bytes, entry 0x4000e8; .text 0x4000e8 r-x 648 B, .rodata 0x401000 r-- 146 B`.
 * @throws AsmError (message `file:line: reason`, or `file: reason`) for problems with the input;
 *         a plain Error if the output cannot be written.
 */
export async function asmCommand(file: string, opts: AsmCommandOptions = {}): Promise<string> {
  const arch = inferArch(file, opts.arch);
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new AsmError(file, 0, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const result = await assemble(arch, source, file);
  const out = opts.out ?? defaultOutput(file);
  const image = parseElf(result.elf, out); // the assembler's output must satisfy the loader
  fs.writeFileSync(out, result.elf, { mode: 0o755 });
  fs.chmodSync(out, 0o755); // writeFileSync's mode only applies when it creates the file

  const perms = new Map<string, string>();
  for (const s of result.sections) {
    const seg = image.loads.find((l) => s.address >= l.vaddr && s.address < l.vaddr + Math.max(l.memsz, 1));
    perms.set(s.name, seg ? segmentPerms(seg.flags) : '---');
  }
  const sections = result.sections
    .map((s) => `${s.name} 0x${s.address.toString(16)} ${perms.get(s.name)} ${s.size} B`)
    .join(', ');
  return `wrote ${out}: ${arch} static executable, ${result.elf.length} bytes, entry 0x${result.entry.toString(16)}; ${sections}`;
}
