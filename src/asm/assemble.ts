/**
 * In-process assembler for faultpath guest programs: GNU-as-like source → static ELF64 executable.
 *
 * Source language (a practical subset of GNU as):
 *
 *  - AArch64: GNU as syntax (`mov x0, #1`, `adrp x0, sym` + `add x0, x0, :lo12:sym`, `ldr x0, =value`).
 *  - x86-64: **Intel syntax** (`mov eax, 1`, `lea rsi, [rip + msg]`, `mov rax, OFFSET msg`), as with
 *    GNU as's `.intel_syntax noprefix` (accepted and ignored).  AT&T syntax is not supported.  In
 *    Intel syntax a bare label operand is a memory load in GNU as, so outside branches and `[...]`
 *    a label must be written `OFFSET label` (its address) or `[rip + label]` (memory) — anything
 *    else is reported as ambiguous rather than silently guessed.
 *  - Comments: `//` and `/* … *\/` on both architectures; `#` to end of line on x86-64, and on
 *    AArch64 only as the first character of a line (elsewhere `#` introduces an immediate).
 *    `;` separates statements on one line.
 *  - Labels `name:` (several per line allowed), numeric local labels `1:` with `1b` / `1f`.
 *  - Sections `.text`, `.section .rodata`, `.data`, `.bss` (also `.section .text.x` etc.,
 *    `.previous`, `.pushsection`/`.popsection`); `.note.GNU-stack` is accepted and dropped.
 *  - Data: `.byte .2byte .short .hword .value .word .4byte .long .int .8byte .quad .xword
 *    .dword(aarch64) .inst(aarch64) .ascii .asciz .string .skip .space .zero .fill`.
 *    `.word` is 4 bytes on AArch64 and 2 bytes on x86-64, like GNU as.
 *  - Alignment: `.balign`, `.p2align`, `.align` (power of two on AArch64, bytes on x86-64, like
 *    GNU as).  Code is padded with NOPs, data with zeros (or the given fill byte).
 *  - Symbols: `.equ`/`.set`/`name = expr` (redefinable, GNU semantics: a use before the
 *    definition sees the final value), `.equiv`, `.global`/`.globl`, `.type`, `.size`.
 *  - Expressions: GNU precedence, `.` (location counter), char constants `'a'`, octal `017`,
 *    `0x`, `0b`.  label − label is a constant; label ± constant is an address.
 *  - `.macro name args` … `.endm` (`\arg`, defaults, `:req`, `\@`, `\()`), `.rept n` … `.endr`,
 *    `.include "file"` (relative to the including file).
 *  - AArch64 `ldr xN, =expr` literal pools, placed at `.ltorg`/`.pool` or at the end of the section.
 *
 * Layout (like a classic `ld` script for a static executable, see oracle/programs/oracle.ld):
 *   PT_LOAD R+X at 0x400000: ELF header + program headers, then .text right after them;
 *   PT_LOAD R   on the next page: .rodata;
 *   PT_LOAD RW  on the next page: .data then .bss (memsz > filesz);
 *   PT_GNU_STACK RW.  Empty segments are left out.  Entry = `_start`, else the start of .text.
 *
 * How it works, and why.  Keystone (LLVM MC compiled to WASM) is used only as an *instruction
 * encoder*: it gets one instruction at a time, with every symbol already replaced by a number.
 * This module does everything else — parsing, macros, sections, symbols, expressions, data,
 * alignment, layout — because Keystone's own handling of those is not usable here (measured with
 * keystone-js 0.9.2): section directives crash the WASM module, `:lo12:` of a label aborts the
 * process with "LLVM ERROR", `adrp` to a label encodes the absolute page, out-of-range
 * AArch64 branches silently encode offset 0, and it never reports line numbers.  So:
 *
 *   - AArch64 pc-relative instructions (b, bl, b.cond, cbz/cbnz, tbz/tbnz, adr, adrp, ldr literal)
 *     are encoded with target `.` and the offset field is patched here, with range checks;
 *   - x86-64 branches get an absolute target (Keystone computes rel8/rel32 from the address) and
 *     the displacement is verified after encoding; `[rip + label]` is turned into a numeric
 *     displacement computed from the instruction length;
 *   - integer literals reach Keystone in hex only (its x86 Intel mode reads `10` as 0x10), and
 *     x86 immediates are range-checked against their operand size (Keystone truncates silently);
 *   - symbol values come from an iterative layout: every pass assembles all statements at their
 *     current addresses; passes repeat until no symbol moves (x86 instruction sizes depend on
 *     values).  From the 4th pass on, instruction sizes may only grow (padded with NOPs), which
 *     guarantees termination;
 *   - every error carries the statement's file:line, so locating a failing line needs no search;
 *   - a Keystone crash (ExitStatus / WASM trap) is caught, reported for that statement, and the
 *     WASM module is re-instantiated; `process.exitCode` (which Emscripten's exit() sets) is restored.
 *
 * Checked against the GNU toolchain: the AArch64 oracle programs (../shared/oracle/programs)
 * assemble to byte-identical images, and an Intel-syntax x86-64 program matches GNU as + ld
 * (test/asm/oracle-programs.test.ts).
 *
 * Not supported: AT&T syntax, conditional assembly (.if/.ifdef), .irp, .org, floating-point data
 * directives, relocation operators other than :lo12: and :abs_gN[_nc]:, symbols in other
 * sections than the four above.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import MKeystone from '@alexaltea/keystone-js';
import {
  elfHeadersSize,
  PAGE_SIZE,
  PF_R,
  PF_W,
  PF_X,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  writeElf,
  type WriterSection,
  type WriterSegment,
  type WriterSymbol,
} from './elf-writer.js';

// =================================================================================================
// Public API
// =================================================================================================

export type AsmArch = 'aarch64' | 'x86_64';
export type AsmSectionName = '.text' | '.rodata' | '.data' | '.bss';

/**
 * An assembly error at a source location.  `message` is the full `file:line: reason` text
 * (`file: reason` when the problem concerns the whole program; `line` is then 0).
 */
export class AsmError extends Error {
  readonly file: string;
  readonly line: number;
  /** The reason alone, without the location. */
  readonly reason: string;
  constructor(file: string, line: number, reason: string) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
    this.name = 'AsmError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

export interface AsmSymbol {
  name: string;
  address: number;
  section: AsmSectionName;
  global: boolean;
}

export interface AsmSectionInfo {
  name: AsmSectionName;
  address: number;
  /** Bytes (for .bss: bytes of memory). */
  size: number;
}

export interface AsmResult {
  arch: AsmArch;
  file: string;
  /** The static ELF64 executable. */
  elf: Uint8Array;
  entry: number;
  /** Output sections in address order (.text always; the others when non-empty). */
  sections: AsmSectionInfo[];
  /** Every named label (numeric local labels excluded), with its final address. */
  symbols: Map<string, AsmSymbol>;
  /** Final values of `.set`/`.equ` symbols. */
  constants: Map<string, bigint>;
}

export interface AsmOptions {
  /** Reads `.include` files (default: fs.readFileSync as UTF-8). */
  readFile?: (file: string) => string;
}

/** Where the first segment (and the ELF header) goes: the traditional x86-64/AArch64 ld default. */
export const TEXT_BASE = 0x400000n;

/**
 * Assemble a guest program into a static ELF64 executable.
 * @param file used for error messages (`file:line: …`) and to resolve `.include`.
 * @throws AsmError for every problem in the source.
 */
export async function assemble(
  arch: AsmArch,
  source: string,
  file: string,
  options: AsmOptions = {},
): Promise<AsmResult> {
  if (arch !== 'aarch64' && arch !== 'x86_64')
    throw new AsmError(file, 0, `unsupported architecture \`${String(arch)}\``);
  const readFile = options.readFile ?? ((f: string) => fs.readFileSync(f, 'utf8'));
  const expander = new Expander(arch, readFile);
  expander.expandFile(file, source, 0);
  const program = parseProgram(arch, expander.out);
  const asm = new Assembler(arch, program, file);
  return asm.run();
}

// =================================================================================================
// Keystone: one-instruction encoder with crash isolation
// =================================================================================================

interface KsOutput {
  mc: Uint8Array;
  count: number;
  failed: boolean;
}
interface KsEngine {
  asm(src: string, address?: bigint): KsOutput;
  errno(): number;
  option(opt: number, value: number): void;
}
interface KsModule {
  Keystone: new (arch: number, mode: number) => KsEngine;
  ARCH_ARM64: number;
  ARCH_X86: number;
  MODE_LITTLE_ENDIAN: number;
  MODE_64: number;
  OPT_SYNTAX: number;
  OPT_SYNTAX_INTEL: number;
  strerror(code: number): string;
}

type Encoded = { ok: true; bytes: Uint8Array } | { ok: false; code: number; detail: string };

// Keystone error numbers (keystone.h) that get a friendlier message.
const KS_ERR_ASM_SYMBOL_MISSING = 144;
const KS_ERR_ASM_INVALIDOPERAND = 512;
const KS_ERR_ASM_MISSINGFEATURE = 513;
const KS_ERR_ASM_MNEMONICFAIL = 514;

/** Text printed by the WASM module (LLVM diagnostics such as "LLVM ERROR: …"). */
let ksDiagnostics: string[] = [];
let ksState: { mod: KsModule; engines: Partial<Record<AsmArch, KsEngine>> } | null = null;

async function keystoneEngine(arch: AsmArch): Promise<KsEngine> {
  if (!ksState) {
    // The typings in src/types declare a no-argument factory; Emscripten factories accept a
    // Module object, used here to capture stdout/stderr instead of printing them.
    const factory = MKeystone as unknown as (m: object) => Promise<KsModule>;
    const mod = await factory({
      print: (s: string) => ksDiagnostics.push(s),
      printErr: (s: string) => ksDiagnostics.push(s),
    });
    ksState = { mod, engines: {} };
  }
  const state = ksState;
  let engine = state.engines[arch];
  if (!engine) {
    const { mod } = state;
    engine =
      arch === 'aarch64'
        ? new mod.Keystone(mod.ARCH_ARM64, mod.MODE_LITTLE_ENDIAN)
        : new mod.Keystone(mod.ARCH_X86, mod.MODE_64);
    if (arch === 'x86_64') engine.option(mod.OPT_SYNTAX, mod.OPT_SYNTAX_INTEL);
    state.engines[arch] = engine;
  }
  return engine;
}

/** Encode one instruction (no labels, no directives) at `address`.  Exported for tests. */
export async function keystoneEncode(arch: AsmArch, text: string, address: bigint): Promise<Encoded> {
  const engine = await keystoneEngine(arch);
  const state = ksState;
  ksDiagnostics = [];
  const savedExitCode = process.exitCode;
  let out: KsOutput;
  try {
    out = engine.asm(text, address);
  } catch (e) {
    // LLVM's report_fatal_error → exit(1) → Emscripten throws ExitStatus (and sets
    // process.exitCode); a C++ throw → abort() → WebAssembly.RuntimeError.  The module's state is
    // unknown afterwards: drop it, the next call instantiates a fresh one.
    process.exitCode = savedExitCode;
    if (ksState === state) ksState = null;
    const diag = ksDiagnostics
      .join(' ')
      .replace(/^LLVM ERROR:\s*/, '')
      .trim();
    return { ok: false, code: -1, detail: diag || (e instanceof Error ? e.message : String(e)) };
  }
  const diag = ksDiagnostics
    .filter((d) => /error/i.test(d))
    .join(' ')
    .trim();
  if (out.failed) {
    const code = engine.errno();
    return { ok: false, code, detail: diag || state?.mod.strerror(code) || `keystone error ${code}` };
  }
  // Keystone sometimes prints a diagnostic and still "succeeds" with no output.
  if (diag || out.mc.length === 0) return { ok: false, code: -2, detail: diag || 'no bytes produced' };
  return { ok: true, bytes: out.mc };
}

// =================================================================================================
// Source: comments, statements, .include, .macro, .rept
// =================================================================================================

interface Loc {
  file: string;
  line: number;
  /** Set for statements produced by a macro expansion (loc is then the invocation). */
  macro?: string;
}

interface RawStmt {
  loc: Loc;
  text: string;
}

function locError(loc: Loc, reason: string): AsmError {
  return new AsmError(loc.file, loc.line, loc.macro ? `${reason} (in expansion of macro \`${loc.macro}\`)` : reason);
}

/**
 * Replace comments by spaces (newlines kept, so line numbers stay right).  Strings and character
 * constants are skipped so that `"//"` or `'#'` are not taken for comments.
 */
function stripComments(text: string, arch: AsmArch, file: string): string {
  let out = '';
  let i = 0;
  let line = 1;
  let lineStart = true; // only blanks so far on this line
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\n') {
      out += c;
      line++;
      lineStart = true;
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      if (j < n && text[j] === '"') j++;
      out += text.slice(i, j);
      i = j;
      lineStart = false;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      if (text[j] === '\\') j += 2;
      else if (j < n && text[j] !== '\n') j += 1;
      if (text[j] === "'") j++;
      out += text.slice(i, j);
      i = j;
      lineStart = false;
      continue;
    }
    if ((c === '/' && next === '/') || (c === '#' && (arch === 'x86_64' || lineStart))) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const startLine = line;
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new AsmError(file, startLine, 'unterminated /* comment');
      for (let j = i; j < end + 2; j++) {
        if (text[j] === '\n') {
          out += '\n';
          line++;
        }
      }
      out += ' ';
      i = end + 2;
      continue;
    }
    out += c;
    if (c !== ' ' && c !== '\t' && c !== '\r') lineStart = false;
    i++;
  }
  return out;
}

/** Split `text` at `sep` characters that are outside strings, char constants and brackets. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === "'") {
      i += text[i + 1] === '\\' ? 2 : 1;
      if (text[i + 1] === "'") i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Comma-separated arguments; an empty string gives no arguments. */
function splitArgs(text: string): string[] {
  if (text.trim() === '') return [];
  return splitTopLevel(text, ',').map((s) => s.trim());
}

const LABEL_RE = /^\s*([A-Za-z_.$][\w.$]*|\d+)\s*:(?!:)/;
const DIRECTIVE_RE = /^\s*(\.[A-Za-z_][\w.]*)\s*(.*)$/s;
const ASSIGN_RE = /^\s*([A-Za-z_.$][\w.$]*)\s*=(?!=)\s*(.*)$/s;
const MAX_STATEMENTS = 2_000_000;
const MAX_NESTING = 64;

interface Macro {
  name: string;
  params: { name: string; def: string; req: boolean; vararg: boolean }[];
  body: RawStmt[];
}

/** Flattens the source: reads includes, expands macros and .rept blocks. */
class Expander {
  readonly out: RawStmt[] = [];
  private readonly macros = new Map<string, Macro>();
  /** Constant `.set` values known while expanding, for `.rept` counts. */
  private readonly consts = new Map<string, bigint>();
  private counter = 0;
  private readonly including: string[] = [];

  constructor(
    private readonly arch: AsmArch,
    private readonly readFile: (f: string) => string,
  ) {}

  expandFile(file: string, source: string, depth: number): void {
    const clean = stripComments(source, this.arch, file);
    const stmts: RawStmt[] = [];
    clean.split('\n').forEach((lineText, i) => {
      for (const part of splitTopLevel(lineText, ';')) {
        if (part.trim() !== '') stmts.push({ loc: { file, line: i + 1 }, text: part.trim() });
      }
    });
    this.including.push(path.resolve(file));
    this.process(stmts, depth);
    this.including.pop();
  }

  private emit(s: RawStmt): void {
    if (this.out.length >= MAX_STATEMENTS)
      throw locError(s.loc, `program too large (more than ${MAX_STATEMENTS} statements after expansion)`);
    this.out.push(s);
  }

  private process(stmts: RawStmt[], depth: number): void {
    if (depth > MAX_NESTING)
      throw locError(
        stmts[0]?.loc ?? { file: '?', line: 0 },
        `.include/.macro/.rept nested more than ${MAX_NESTING} levels deep`,
      );
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i]!;
      let text = s.text;
      // Peel labels off so that `foo: mymacro x` expands the macro.
      let m: RegExpExecArray | null;
      while ((m = LABEL_RE.exec(text))) {
        this.emit({ loc: s.loc, text: `${m[1]}:` });
        text = text.slice(m[0].length).trim();
      }
      if (text === '') continue;
      const dir = DIRECTIVE_RE.exec(text);
      const name = dir ? dir[1]!.toLowerCase() : '';
      const args = dir ? dir[2]!.trim() : '';
      if (name === '.macro') {
        const end = this.findEnd(stmts, i, ['.macro'], '.endm', s.loc);
        this.defineMacro(s.loc, args, stmts.slice(i + 1, end));
        i = end;
        continue;
      }
      if (name === '.rept') {
        const end = this.findEnd(stmts, i, ['.rept', '.irp', '.irpc'], '.endr', s.loc);
        const count = this.constValue(args, s.loc, '.rept count');
        if (count < 0n || count > 100_000n) throw locError(s.loc, `.rept count ${count} is out of range (0..100000)`);
        const body = stmts.slice(i + 1, end);
        for (let k = 0n; k < count; k++) this.process(body, depth + 1);
        i = end;
        continue;
      }
      if (name === '.endm' || name === '.endr')
        throw locError(s.loc, `\`${name}\` without a matching \`${name === '.endm' ? '.macro' : '.rept'}\``);
      if (name === '.include') {
        this.include(s.loc, args, depth);
        continue;
      }
      if (name === '.set' || name === '.equ' || name === '.equiv') {
        const [sym, expr] = splitArgs(args);
        if (sym && expr) this.noteConst(sym, expr);
      } else if (!dir) {
        const a = ASSIGN_RE.exec(text);
        if (a) this.noteConst(a[1]!, a[2]!);
      }
      const word = /^\S+/.exec(text)?.[0] ?? '';
      const macro = dir ? undefined : this.macros.get(word);
      if (macro) {
        this.expandMacro(macro, { ...s, text }, text.slice(word.length).trim(), depth);
        continue;
      }
      this.emit({ loc: s.loc, text });
    }
  }

  /** Index of the statement closing the block opened at stmts[start]. */
  private findEnd(stmts: RawStmt[], start: number, openers: string[], closer: string, loc: Loc): number {
    let level = 0;
    for (let j = start + 1; j < stmts.length; j++) {
      const d = DIRECTIVE_RE.exec(stmts[j]!.text.replace(LABEL_RE, ''));
      const n = d ? d[1]!.toLowerCase() : '';
      if (openers.includes(n)) level++;
      else if (n === closer) {
        if (level === 0) return j;
        level--;
      }
    }
    throw locError(loc, `missing \`${closer}\` for this \`${openers[0]}\``);
  }

  private defineMacro(loc: Loc, args: string, body: RawStmt[]): void {
    const m = /^([A-Za-z_.$][\w.$]*)\s*,?\s*(.*)$/s.exec(args);
    if (!m) throw locError(loc, '.macro needs a name');
    const name = m[1]!;
    let paramText = splitArgs(m[2]!);
    if (paramText.length === 1 && /\s/.test(paramText[0]!)) paramText = paramText[0]!.split(/\s+/);
    const params = paramText.map((p) => {
      const pm = /^([A-Za-z_][\w]*)(?::(req|vararg))?(?:\s*=\s*(.*))?$/s.exec(p);
      if (!pm) throw locError(loc, `bad macro parameter \`${p}\``);
      return { name: pm[1]!, def: pm[3]?.trim() ?? '', req: pm[2] === 'req', vararg: pm[2] === 'vararg' };
    });
    this.macros.set(name, { name, params, body });
  }

  private expandMacro(macro: Macro, call: RawStmt, argText: string, depth: number): void {
    let args = splitArgs(argText);
    if (args.length === 1 && macro.params.length > 1 && /\s/.test(args[0]!)) args = args[0]!.split(/\s+/);
    const values = new Map<string, string>();
    macro.params.forEach((p, k) => {
      let v = args[k];
      if (p.vararg) v = args.slice(k).join(', ');
      if (v === undefined || v === '') {
        if (p.req) throw locError(call.loc, `missing argument \`${p.name}\` for macro \`${macro.name}\``);
        v = p.def;
      }
      values.set(p.name, v);
    });
    const last = macro.params[macro.params.length - 1];
    if (args.length > macro.params.length && !last?.vararg) {
      throw locError(
        call.loc,
        `too many arguments for macro \`${macro.name}\` (expected ${macro.params.length}, got ${args.length})`,
      );
    }
    const id = String(this.counter++);
    const body = macro.body.map((b) => ({
      loc: { ...call.loc, macro: call.loc.macro ? `${call.loc.macro} > ${macro.name}` : macro.name },
      text: b.text.replace(/\\(\(\)|@|[A-Za-z_]\w*)/g, (all, key: string) => {
        if (key === '()') return '';
        if (key === '@') return id;
        return values.get(key) ?? all;
      }),
    }));
    this.process(body, depth + 1);
  }

  private include(loc: Loc, args: string, depth: number): void {
    const m = /^"([^"]*)"$/.exec(args);
    if (!m) throw locError(loc, '.include needs a quoted file name');
    const target = path.isAbsolute(m[1]!) ? m[1]! : path.join(path.dirname(loc.file), m[1]!);
    if (this.including.includes(path.resolve(target))) throw locError(loc, `\`${target}\` includes itself`);
    let text: string;
    try {
      text = this.readFile(target);
    } catch (e) {
      const why =
        e instanceof Error && 'code' in e
          ? String((e as NodeJS.ErrnoException).code)
          : e instanceof Error
            ? e.message
            : String(e);
      throw locError(loc, `cannot read include file \`${target}\` (${why})`);
    }
    this.expandFile(target, text, depth + 1);
  }

  private noteConst(name: string, expr: string): void {
    try {
      const v = evaluate(
        expr,
        (n) => {
          const c = this.consts.get(n);
          return c === undefined ? undefined : { v: c, addr: false };
        },
        null,
      );
      if (!v.addr) this.consts.set(name, v.v);
    } catch {
      this.consts.delete(name); // not a constant known at this point
    }
  }

  private constValue(expr: string, loc: Loc, what: string): bigint {
    try {
      const v = evaluate(
        expr,
        (n) => {
          const c = this.consts.get(n);
          return c === undefined ? undefined : { v: c, addr: false };
        },
        null,
      );
      if (v.addr) throw new ExprError(`${what} must be a constant`);
      return v.v;
    } catch (e) {
      throw locError(
        loc,
        `${what}: ${e instanceof Error ? e.message : String(e)} (it must use numbers and earlier .set constants)`,
      );
    }
  }
}

// =================================================================================================
// Expressions (GNU as semantics)
// =================================================================================================

/** A value: a 64-bit number, flagged when it is an address (derived from a label). */
interface Val {
  v: bigint;
  addr: boolean;
}

class ExprError extends Error {
  constructor(
    message: string,
    /** 'syntax' errors let callers pass text they do not understand (e.g. `#1.5`) to Keystone. */
    readonly kind: 'syntax' | 'undefined' | 'value' = 'value',
  ) {
    super(message);
  }
}

type Lookup = (name: string) => Val | undefined;

type Tok = { t: 'num'; v: bigint } | { t: 'id'; s: string } | { t: 'op'; s: string };

function parseCharConst(text: string, i: number): { value: number; end: number } {
  // text[i] === "'"; GNU as also accepts a missing closing quote.
  let j = i + 1;
  let value: number;
  if (text[j] === '\\') {
    const e = parseEscape(text, j);
    value = e.value;
    j = e.end;
  } else {
    const cp = text.codePointAt(j);
    if (cp === undefined) throw new ExprError('bad character constant', 'syntax');
    value = cp;
    j += cp > 0xffff ? 2 : 1;
  }
  if (text[j] === "'") j++;
  return { value, end: j };
}

/** Backslash escape at text[i] === '\\' (GNU as set). */
function parseEscape(text: string, i: number): { value: number; end: number } {
  const c = text[i + 1];
  if (c === undefined) throw new ExprError('backslash at end of string', 'syntax');
  const simple: Record<string, number> = {
    n: 10,
    t: 9,
    r: 13,
    b: 8,
    f: 12,
    v: 11,
    a: 7,
    e: 27,
    '\\': 92,
    '"': 34,
    "'": 39,
  };
  if (c in simple) return { value: simple[c]!, end: i + 2 };
  if (c === 'x' || c === 'X') {
    const m = /^[0-9a-fA-F]+/.exec(text.slice(i + 2));
    if (!m) throw new ExprError('\\x needs hex digits', 'syntax');
    return { value: Number(BigInt('0x' + m[0]) & 0xffn), end: i + 2 + m[0].length };
  }
  const oct = /^[0-7]{1,3}/.exec(text.slice(i + 1));
  if (oct) return { value: parseInt(oct[0], 8) & 0xff, end: i + 1 + oct[0].length };
  return { value: c.charCodeAt(0), end: i + 2 };
}

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/\d/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)(?![\w.$])/.exec(text.slice(i));
      if (!m) throw new ExprError(`bad number \`${/^[\w.$]+/.exec(text.slice(i))?.[0] ?? c}\``, 'syntax');
      const s = m[0];
      let v: bigint;
      if (/^0[0-7]+$/.test(s))
        v = BigInt('0o' + s.slice(1)); // GNU as: a leading 0 means octal
      else if (/^0\d+$/.test(s)) throw new ExprError(`bad octal number \`${s}\``, 'syntax');
      else v = BigInt(s);
      toks.push({ t: 'num', v });
      i += s.length;
      continue;
    }
    if (c === "'") {
      const ch = parseCharConst(text, i);
      toks.push({ t: 'num', v: BigInt(ch.value) });
      i = ch.end;
      continue;
    }
    const id = /^[A-Za-z_.$][\w.$]*/.exec(text.slice(i));
    if (id) {
      toks.push({ t: 'id', s: id[0] });
      i += id[0].length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (['<<', '>>', '==', '!=', '<>', '<=', '>=', '&&', '||'].includes(two)) {
      toks.push({ t: 'op', s: two === '<>' ? '!=' : two });
      i += 2;
      continue;
    }
    if ('+-*/%|&^!~<>()'.includes(c)) {
      toks.push({ t: 'op', s: c });
      i++;
      continue;
    }
    throw new ExprError(`unexpected \`${c}\` in expression`, 'syntax');
  }
  return toks;
}

// GNU as precedence (as(1) "Infix Operators"), loosest first.
const PRECEDENCE: string[][] = [
  ['||'],
  ['&&'],
  ['+', '-', '==', '!=', '<', '>', '<=', '>='],
  ['|', '&', '^'],
  ['*', '/', '%', '<<', '>>'],
];

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);

/**
 * Evaluate a GNU-as expression.  `dot` is the location counter (null where `.` is meaningless).
 * Addresses may only be added to / subtracted from constants, or subtracted from each other.
 */
function evaluate(text: string, lookup: Lookup, dot: bigint | null): Val {
  const toks = tokenize(text);
  if (toks.length === 0) throw new ExprError('missing expression', 'syntax');
  let pos = 0;
  const peek = (): Tok | undefined => toks[pos];

  const binary = (op: string, a: Val, b: Val): Val => {
    if (op === '+') {
      if (a.addr && b.addr) throw new ExprError('cannot add two addresses');
      return { v: wrap(a.v + b.v), addr: a.addr || b.addr };
    }
    if (op === '-') {
      if (!a.addr && b.addr) throw new ExprError('cannot subtract an address from a constant');
      return { v: wrap(a.v - b.v), addr: a.addr && !b.addr };
    }
    if (a.addr || b.addr) throw new ExprError(`operator \`${op}\` cannot be applied to an address`);
    const x = a.v;
    const y = b.v;
    switch (op) {
      case '*':
        return { v: wrap(x * y), addr: false };
      case '/':
      case '%':
        if (y === 0n) throw new ExprError('division by zero');
        return { v: wrap(op === '/' ? x / y : x % y), addr: false };
      case '<<':
      case '>>':
        if (y < 0n) throw new ExprError('negative shift count');
        if (y >= 64n) return { v: op === '>>' && x < 0n ? -1n : 0n, addr: false };
        return { v: wrap(op === '<<' ? x << y : x >> y), addr: false };
      case '|':
        return { v: wrap(x | y), addr: false };
      case '&':
        return { v: wrap(x & y), addr: false };
      case '^':
        return { v: wrap(x ^ y), addr: false };
      // GNU as: comparisons give -1 for true, 0 for false; && and || give 1 / 0.
      case '==':
        return { v: x === y ? -1n : 0n, addr: false };
      case '!=':
        return { v: x !== y ? -1n : 0n, addr: false };
      case '<':
        return { v: x < y ? -1n : 0n, addr: false };
      case '>':
        return { v: x > y ? -1n : 0n, addr: false };
      case '<=':
        return { v: x <= y ? -1n : 0n, addr: false };
      case '>=':
        return { v: x >= y ? -1n : 0n, addr: false };
      case '&&':
        return { v: x !== 0n && y !== 0n ? 1n : 0n, addr: false };
      case '||':
        return { v: x !== 0n || y !== 0n ? 1n : 0n, addr: false };
    }
    throw new ExprError(`unknown operator \`${op}\``, 'syntax');
  };

  const primary = (): Val => {
    const t = toks[pos++];
    if (!t) throw new ExprError('expression ends too early', 'syntax');
    if (t.t === 'num') return { v: wrap(t.v), addr: false };
    if (t.t === 'id') {
      if (t.s === '.') {
        if (dot === null) throw new ExprError('`.` cannot be used here');
        return { v: dot, addr: true };
      }
      const v = lookup(t.s);
      if (!v) throw new ExprError(`undefined symbol \`${displayName(t.s)}\``, 'undefined');
      return v;
    }
    if (t.s === '(') {
      const v = level(0);
      const close = toks[pos++];
      if (!close || close.t !== 'op' || close.s !== ')') throw new ExprError('missing `)`', 'syntax');
      return v;
    }
    if (t.s === '-' || t.s === '+' || t.s === '~' || t.s === '!') {
      const v = primary();
      if (t.s === '+') return v;
      if (v.addr) throw new ExprError(`operator \`${t.s}\` cannot be applied to an address`);
      if (t.s === '-') return { v: wrap(-v.v), addr: false };
      if (t.s === '~') return { v: wrap(~v.v), addr: false };
      return { v: v.v === 0n ? 1n : 0n, addr: false };
    }
    throw new ExprError(`unexpected \`${t.s}\` in expression`, 'syntax');
  };

  const level = (n: number): Val => {
    if (n >= PRECEDENCE.length) return primary();
    let left = level(n + 1);
    for (;;) {
      const t = peek();
      if (!t || t.t !== 'op' || !PRECEDENCE[n]!.includes(t.s)) return left;
      pos++;
      left = binary(t.s, left, level(n + 1));
    }
  };

  const v = level(0);
  const rest = peek();
  if (rest)
    throw new ExprError(`unexpected \`${rest.t === 'num' ? rest.v.toString() : rest.s}\` in expression`, 'syntax');
  return v;
}

/** Internal names of numeric local labels (`1:` → `.Lnum$1$0`) shown the way the user wrote them. */
function displayName(name: string): string {
  const m = /^\.Lnum\$(\d+)\$\d+$/.exec(name);
  return m ? `${m[1]}` : name;
}

/** Parse one or more comma/blank separated string literals into bytes. */
function parseStrings(text: string): number[] {
  const out: number[] = [];
  let i = 0;
  const enc = new TextEncoder();
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === ',') {
      i++;
      continue;
    }
    if (c !== '"') throw new ExprError(`expected a string in double quotes, found \`${text.slice(i)}\``, 'syntax');
    i++;
    for (;;) {
      if (i >= text.length) throw new ExprError('unterminated string', 'syntax');
      const d = text[i]!;
      if (d === '"') {
        i++;
        break;
      }
      if (d === '\\') {
        const e = parseEscape(text, i);
        out.push(e.value);
        i = e.end;
        continue;
      }
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      out.push(...enc.encode(ch));
      i += ch.length;
    }
  }
  return out;
}

// =================================================================================================
// Statements → items (sections, symbols, numeric labels)
// =================================================================================================

type Sec = 'text' | 'rodata' | 'data' | 'bss';
const SECS: Sec[] = ['text', 'rodata', 'data', 'bss'];
const SEC_NAME: Record<Sec, AsmSectionName> = { text: '.text', rodata: '.rodata', data: '.data', bss: '.bss' };

type ItemBody =
  | { k: 'label'; name: string }
  | { k: 'set'; name: string; expr: string }
  | { k: 'data'; width: 1 | 2 | 4 | 8; exprs: string[] }
  | { k: 'bytes'; bytes: Uint8Array }
  | { k: 'skip'; count: string; fill: string | null }
  | { k: 'fill'; repeat: string; size: string | null; value: string | null }
  | { k: 'align'; pow2: boolean; amount: string; fill: string | null; max: string | null }
  | { k: 'insn'; mnemonic: string; operands: string }
  | { k: 'size'; name: string; expr: string }
  | { k: 'pool' };
type Item = ItemBody & { loc: Loc; sec: Sec };

interface Program {
  items: Item[];
  /** label name → defining item */
  labels: Map<string, Item & { k: 'label' }>;
  /** names given a value by .set/.equ/= */
  sets: Set<string>;
  globals: Map<string, Loc>;
  types: Map<string, 'func' | 'object' | 'notype'>;
}

const DATA_WIDTH: Record<AsmArch, Record<string, 1 | 2 | 4 | 8>> = {
  aarch64: {
    '.byte': 1,
    '.2byte': 2,
    '.short': 2,
    '.hword': 2,
    '.word': 4,
    '.4byte': 4,
    '.long': 4,
    '.int': 4,
    '.inst': 4,
    '.8byte': 8,
    '.quad': 8,
    '.xword': 8,
    '.dword': 8,
  },
  x86_64: {
    '.byte': 1,
    '.2byte': 2,
    '.short': 2,
    '.hword': 2,
    '.value': 2,
    '.word': 2,
    '.4byte': 4,
    '.long': 4,
    '.int': 4,
    '.8byte': 8,
    '.quad': 8,
  },
};

/** Directives accepted and ignored (debug info, CPU selection, syntax selection). */
function ignoredDirective(arch: AsmArch, name: string, args: string): boolean {
  if (name.startsWith('.cfi_')) return true;
  if (['.file', '.ident', '.local', '.hidden', '.protected', '.loc'].includes(name)) return true;
  if (arch === 'aarch64' && ['.arch', '.cpu', '.arch_extension', '.variant_pcs'].includes(name)) return true;
  if (arch === 'x86_64' && name === '.code64') return true;
  if (arch === 'x86_64' && name === '.intel_syntax') return args === '' || /^(no)?prefix$/.test(args);
  return false;
}

function mapSection(name: string): Sec | 'discard' | null {
  if (/^\.text(\..*)?$/.test(name)) return 'text';
  if (/^\.rodata(\..*)?$/.test(name)) return 'rodata';
  if (/^\.data(\..*)?$/.test(name)) return 'data';
  if (/^\.bss(\..*)?$/.test(name)) return 'bss';
  if (name.startsWith('.note') || name === '.comment') return 'discard';
  return null;
}

function parseProgram(arch: AsmArch, stmts: RawStmt[]): Program {
  const items: Item[] = [];
  const labels = new Map<string, Item & { k: 'label' }>();
  const sets = new Set<string>();
  const setLocs = new Map<string, Loc>();
  const globals = new Map<string, Loc>();
  const types = new Map<string, 'func' | 'object' | 'notype'>();
  let sec: Sec | 'discard' = 'text';
  let previous: Sec | 'discard' = 'text';
  const stack: (Sec | 'discard')[] = [];

  const switchTo = (s: Sec | 'discard'): void => {
    previous = sec;
    sec = s;
  };
  const push = (loc: Loc, body: ItemBody): void => {
    if (sec === 'discard') {
      if (body.k === 'set' || body.k === 'size') {
        items.push({ ...body, loc, sec: 'text' });
        return;
      }
      throw locError(
        loc,
        'a .note/.comment section cannot hold code, data or labels (only .text, .rodata, .data and .bss are loaded)',
      );
    }
    items.push({ ...body, loc, sec });
  };
  const defineCheck = (loc: Loc, name: string, label: boolean): void => {
    const prev = labels.get(name);
    if (prev)
      throw locError(loc, `symbol \`${displayName(name)}\` is already defined at ${prev.loc.file}:${prev.loc.line}`);
    if (label && sets.has(name)) {
      const at = setLocs.get(name)!;
      throw locError(loc, `symbol \`${name}\` is already defined at ${at.file}:${at.line}`);
    }
  };
  const sectionArg = (loc: Loc, args: string): Sec | 'discard' => {
    const nm = /^("([^"]*)"|[^\s,]+)/.exec(args);
    const name = nm ? (nm[2] ?? nm[1]!) : '';
    const s = mapSection(name);
    if (!s) throw locError(loc, `unsupported section \`${name}\` (use .text, .rodata, .data or .bss)`);
    return s;
  };

  for (const { loc, text } of stmts) {
    const lab = LABEL_RE.exec(text);
    if (lab && text.slice(lab[0].length).trim() === '') {
      const name = lab[1]!;
      if (!/^\d+$/.test(name)) defineCheck(loc, name, true);
      push(loc, { k: 'label', name }); // throws in a discarded section
      const item = items[items.length - 1] as Item & { k: 'label' };
      if (!/^\d+$/.test(name)) labels.set(name, item);
      continue;
    }
    const assign = ASSIGN_RE.exec(text);
    const dir = DIRECTIVE_RE.exec(text);
    if (assign && !dir) {
      const name = assign[1]!;
      defineCheck(loc, name, false);
      sets.add(name);
      if (!setLocs.has(name)) setLocs.set(name, loc);
      push(loc, { k: 'set', name, expr: assign[2]!.trim() });
      continue;
    }
    if (!dir) {
      const m = /^([A-Za-z][\w.]*)(?:\s+(.*))?$/s.exec(text);
      if (!m) throw locError(loc, `cannot parse \`${text}\``);
      push(loc, { k: 'insn', mnemonic: m[1]!, operands: (m[2] ?? '').trim() });
      continue;
    }
    const name = dir[1]!.toLowerCase();
    const args = dir[2]!.trim();
    const argv = (): string[] => splitArgs(args);
    const width = DATA_WIDTH[arch][name];
    if (width) {
      if (args === '') throw locError(loc, `\`${name}\` needs at least one value`);
      push(loc, { k: 'data', width, exprs: argv() });
      continue;
    }
    switch (name) {
      case '.text':
      case '.data':
      case '.bss':
        switchTo(name.slice(1) as Sec);
        break;
      case '.rodata':
        switchTo('rodata');
        break;
      case '.section':
        switchTo(sectionArg(loc, args));
        break;
      case '.pushsection':
        stack.push(sec);
        switchTo(sectionArg(loc, args));
        break;
      case '.popsection': {
        const s = stack.pop();
        if (s === undefined) throw locError(loc, '.popsection without .pushsection');
        switchTo(s);
        break;
      }
      case '.previous':
        switchTo(previous);
        break;
      case '.ascii':
      case '.asciz':
      case '.string': {
        let bytes: number[];
        try {
          bytes = [];
          for (const s of argv()) {
            bytes.push(...parseStrings(s));
            if (name !== '.ascii') bytes.push(0);
          }
        } catch (e) {
          throw locError(loc, e instanceof Error ? e.message : String(e));
        }
        push(loc, { k: 'bytes', bytes: Uint8Array.from(bytes) });
        break;
      }
      case '.skip':
      case '.space':
      case '.zero': {
        const a = argv();
        if (a.length < 1 || a.length > (name === '.zero' ? 1 : 2))
          throw locError(loc, `\`${name}\` takes ${name === '.zero' ? 'a size' : 'a size and an optional fill byte'}`);
        push(loc, { k: 'skip', count: a[0]!, fill: a[1] ?? null });
        break;
      }
      case '.fill': {
        const a = argv();
        if (a.length < 1 || a.length > 3) throw locError(loc, '`.fill` takes repeat[, size[, value]]');
        push(loc, { k: 'fill', repeat: a[0]!, size: a[1] ?? null, value: a[2] ?? null });
        break;
      }
      case '.align':
      case '.balign':
      case '.p2align': {
        const a = argv();
        if (a.length < 1 || a.length > 3) throw locError(loc, `\`${name}\` takes alignment[, fill[, max]]`);
        const pow2 = name === '.p2align' || (name === '.align' && arch === 'aarch64');
        push(loc, { k: 'align', pow2, amount: a[0]!, fill: a[1] || null, max: a[2] ?? null });
        break;
      }
      case '.set':
      case '.equ':
      case '.equiv': {
        const a = argv();
        if (a.length !== 2 || !/^[A-Za-z_.$][\w.$]*$/.test(a[0]!))
          throw locError(loc, `\`${name}\` takes a symbol name and a value`);
        const sym = a[0]!;
        if (name === '.equiv' && sets.has(sym)) {
          const at = setLocs.get(sym)!;
          throw locError(loc, `symbol \`${sym}\` is already defined at ${at.file}:${at.line}`);
        }
        defineCheck(loc, sym, false);
        sets.add(sym);
        if (!setLocs.has(sym)) setLocs.set(sym, loc);
        push(loc, { k: 'set', name: sym, expr: a[1]! });
        break;
      }
      case '.global':
      case '.globl':
        for (const g of argv()) {
          if (!/^[A-Za-z_.$][\w.$]*$/.test(g)) throw locError(loc, `bad symbol name \`${g}\``);
          if (!globals.has(g)) globals.set(g, loc);
        }
        break;
      case '.type': {
        const a = argv();
        const kind = (a[1] ?? '')
          .replace(/^[@%#]/, '')
          .replace(/^STT_/i, '')
          .toLowerCase();
        if (a.length !== 2 || !['function', 'func', 'object', 'notype'].includes(kind))
          throw locError(loc, '`.type` takes a symbol and %function, %object or %notype');
        types.set(a[0]!, kind === 'object' ? 'object' : kind === 'notype' ? 'notype' : 'func');
        break;
      }
      case '.size': {
        const a = argv();
        if (a.length !== 2) throw locError(loc, '`.size` takes a symbol and a size');
        push(loc, { k: 'size', name: a[0]!, expr: a[1]! });
        break;
      }
      case '.ltorg':
      case '.pool':
        if (arch !== 'aarch64') throw locError(loc, `unknown directive \`${name}\``);
        push(loc, { k: 'pool' });
        break;
      case '.end':
        return finishProgram(items, labels, sets, globals, types);
      case '.att_syntax':
        if (arch === 'x86_64')
          throw locError(loc, 'AT&T syntax is not supported: x86-64 guest programs are written in Intel syntax');
        throw locError(loc, `unknown directive \`${name}\``);
      default:
        if (ignoredDirective(arch, name, args)) break;
        throw locError(loc, `unknown directive \`${name}\``);
    }
  }
  return finishProgram(items, labels, sets, globals, types);
}

/** Rename numeric local labels and their `Nb`/`Nf` references; add the implicit literal pools. */
function finishProgram(
  items: Item[],
  labels: Map<string, Item & { k: 'label' }>,
  sets: Set<string>,
  globals: Map<string, Loc>,
  types: Map<string, 'func' | 'object' | 'notype'>,
): Program {
  // AArch64 literal pools that were not flushed by .ltorg go at the end of their section.
  const needsPool = new Set<Sec>();
  for (const it of items) {
    if (it.k === 'insn' && /^\s*\S+\s*,\s*=/.test(it.operands)) needsPool.add(it.sec);
  }
  for (const s of needsPool) items.push({ k: 'pool', loc: items[items.length - 1]!.loc, sec: s });

  // GNU as semantics: `1b` is the closest `1:` before the reference, `1f` the closest after it,
  // in source order (across sections).
  const defs = new Map<string, number[]>(); // "1" → item indices of its definitions
  items.forEach((it, idx) => {
    if (it.k === 'label' && /^\d+$/.test(it.name)) {
      const list = defs.get(it.name) ?? [];
      list.push(idx);
      defs.set(it.name, list);
    }
  });
  const internal = (n: string, k: number): string => `.Lnum$${n}$${k}`;
  const counters = new Map<string, number>();
  items.forEach((it, idx) => {
    if (it.k === 'label' && /^\d+$/.test(it.name)) {
      const k = counters.get(it.name) ?? 0;
      counters.set(it.name, k + 1);
      it.name = internal(it.name, k);
      labels.set(it.name, it);
      return;
    }
    const rename = (text: string): string =>
      mapCode(text, (seg) =>
        seg.replace(/(?<![\w.$])(\d+)([bf])(?![\w.$])/g, (_all, n: string, dir: string) => {
          const list = defs.get(n) ?? [];
          let k = -1;
          if (dir === 'b') {
            for (let j = list.length - 1; j >= 0; j--)
              if (list[j]! < idx) {
                k = j;
                break;
              }
          } else {
            k = list.findIndex((d) => d > idx);
          }
          if (k < 0)
            throw locError(
              it.loc,
              `undefined local label \`${n}${dir}\` (no \`${n}:\` ${dir === 'b' ? 'before' : 'after'} this line)`,
            );
          return internal(n, k);
        }),
      );
    switch (it.k) {
      case 'insn':
        it.operands = rename(it.operands);
        break;
      case 'data':
        it.exprs = it.exprs.map(rename);
        break;
      case 'set':
      case 'size':
        it.expr = rename(it.expr);
        break;
      case 'skip':
        it.count = rename(it.count);
        break;
      default:
        break;
    }
  });
  return { items, labels, sets, globals, types };
}

/** Apply `fn` to the parts of `text` outside string literals and character constants. */
function mapCode(text: string, fn: (code: string) => string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '"' && c !== "'") continue;
    out += fn(text.slice(start, i));
    let j = i + 1;
    if (c === '"') {
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      j++;
    } else {
      j += text[j] === '\\' ? 2 : 1;
      if (text[j] === "'") j++;
    }
    out += text.slice(i, j);
    start = j;
    i = j - 1;
  }
  return out + fn(text.slice(start));
}

// =================================================================================================
// Operand rewriting helpers
// =================================================================================================

const A64_RESERVED =
  /^(?:[xw](?:[12]?\d|30)|[xw]zr|w?sp|lr|fp|[bhsdqvz](?:[12]?\d|3[01])(?:\.\w+)?|p(?:1[0-5]|\d)|lsl|lsr|asr|ror|msl|[su]xt[bhwx]|eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al|nv)$/i;
const X86_RESERVED =
  /^(?:[re]?(?:ax|bx|cx|dx|si|di|sp|bp)|[abcd][lh]|(?:si|di|sp|bp)l|r(?:[89]|1[0-5])[dwb]?|[re]?ip|[cdefgs]s|[xyz]mm(?:[12]?\d|3[01])|mm[0-7]|st|k[0-7]|cr\d+|dr\d+|byte|word|dword|qword|tbyte|oword|xmmword|ymmword|zmmword|fword|ptr|offset|flat|short|near|far)$/i;

const A64_COND = 'eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al|nv';
const A64_BCOND = new RegExp(`^b\\.?(?:${A64_COND})$`);
const X86_BRANCH =
  /^(?:jmp|call|j(?:a|ae|b|be|c|e|g|ge|l|le|na|nae|nb|nbe|nc|ne|ng|nge|nl|nle|no|np|ns|nz|o|p|pe|po|s|z)|jcxz|jecxz|jrcxz|loop|loope|loopne|loopz|loopnz|xbegin)$/;

/**
 * Replace identifier tokens (outside strings/char constants/numbers) via `fn` (null = keep).
 * With `numbers`, integer literals are also rewritten via that function (null = keep).
 */
function mapIdentifiers(
  text: string,
  fn: (id: string) => string | null,
  numbers?: (num: string) => string | null,
): string {
  return mapCode(text, (code) => {
    let out = '';
    let i = 0;
    while (i < code.length) {
      const rest = code.slice(i);
      const num = /^\d[\w.$]*/.exec(rest);
      if (num) {
        out += (numbers && numbers(num[0])) ?? num[0];
        i += num[0].length;
        continue;
      }
      const id = /^[A-Za-z_.$][\w.$]*/.exec(rest);
      if (id) {
        out += fn(id[0]) ?? id[0];
        i += id[0].length;
        continue;
      }
      out += code[i];
      i++;
    }
    return out;
  });
}

/** Identifiers in `text` (outside strings etc.). */
function identifiers(text: string): string[] {
  const ids: string[] = [];
  mapIdentifiers(text, (id) => {
    ids.push(id);
    return null;
  });
  return ids;
}

/** Index where an operand sub-expression starting at `from` ends (`,` `]` `}` `!` at depth 0). */
function exprEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      i += text[i + 1] === '\\' ? 2 : 1;
      if (text[i + 1] === "'") i++;
    } else if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) return i;
      depth--;
    } else if (depth === 0 && (c === ',' || c === ']' || c === '}' || c === '!')) return i;
  }
  return text.length;
}

const fmt = (v: bigint): string => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);
const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

// =================================================================================================
// The assembler: iterative layout + encoding
// =================================================================================================

interface PassResult {
  values: Map<string, Val>;
  sizes: Record<Sec, bigint>;
  aligns: Record<Sec, number>;
  bytes: Record<Exclude<Sec, 'bss'>, Uint8Array>;
  itemSizes: number[];
  poolSlots: Map<number, bigint>;
  symSizes: Map<string, bigint>;
  error: AsmError | null;
}

type Bases = Record<Sec, bigint> & { loadSegments: number };

const MAX_PASSES = 40;
/** From this pass on, instruction sizes never shrink (guarantees the layout converges). */
const GROW_ONLY_PASS = 3;
const MAX_FILE_SECTION = 64n << 20n; // bytes of .text/.rodata/.data each
const MAX_MEMORY = 1n << 30n; // whole image, like the loader's limit

/** Growable byte buffer for one section. */
class SectionBuffer {
  private buf = new Uint8Array(256);
  length = 0;
  push(bytes: ArrayLike<number>): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  fill(value: number, count: number): void {
    this.reserve(count);
    this.buf.fill(value, this.length, this.length + count);
    this.length += count;
  }
  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function alignUp(v: bigint, a: bigint): bigint {
  return ((v + a - 1n) / a) * a;
}

function layout(sizes: Record<Sec, bigint>, aligns: Record<Sec, number>): Bases {
  const page = BigInt(PAGE_SIZE);
  const loadSegments = 1 + (sizes.rodata > 0n ? 1 : 0) + (sizes.data > 0n || sizes.bss > 0n ? 1 : 0);
  const text = alignUp(TEXT_BASE + BigInt(elfHeadersSize(loadSegments)), BigInt(aligns.text));
  const textEnd = text + sizes.text;
  const rodata = alignUp(textEnd, page);
  const data = alignUp(sizes.rodata > 0n ? rodata + sizes.rodata : textEnd, page);
  const bss = sizes.data > 0n ? alignUp(data + sizes.data, BigInt(aligns.bss)) : data;
  return { text, rodata, data, bss, loadSegments };
}

class Assembler {
  private readonly cache = new Map<string, Encoded>();
  /** Instruction size floors (grow-only phase). */
  private readonly floors = new Map<number, number>();
  private readonly defined: Set<string>;

  constructor(
    private readonly arch: AsmArch,
    private readonly prog: Program,
    private readonly file: string,
  ) {
    this.defined = new Set([...prog.labels.keys(), ...prog.sets]);
  }

  async run(): Promise<AsmResult> {
    const { prog } = this;
    for (const [g, loc] of prog.globals) {
      if (!this.defined.has(g)) throw locError(loc, `\`.globl ${g}\`: symbol \`${g}\` is never defined`);
    }
    const start = prog.labels.get('_start');
    if (start && start.sec !== 'text')
      throw locError(start.loc, `\`_start\` is in ${SEC_NAME[start.sec]}; the entry point must be in .text`);

    // Pass 0 starts from a layout with empty sections; every pass re-lays out from the sizes of
    // the previous one until no symbol, section base or literal-pool slot changes.
    let bases = layout({ text: 0n, rodata: 0n, data: 0n, bss: 0n }, { text: 1, rodata: 1, data: 1, bss: 1 });
    let prev: PassResult | null = null;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const r = await this.pass(pass, bases, prev);
      const next = layout(r.sizes, r.aligns);
      const stable =
        prev !== null &&
        sameVals(r.values, prev.values) &&
        sameBases(next, bases) &&
        sameMap(r.poolSlots, prev.poolSlots);
      if (stable) {
        if (r.error) throw r.error;
        return this.finish(r, bases);
      }
      prev = r;
      bases = next;
    }
    throw prev?.error ?? new AsmError(this.file, 0, `layout did not converge after ${MAX_PASSES} passes`);
  }

  /** One pass over all items at the addresses given by `bases`. */
  private async pass(passNo: number, bases: Bases, prev: PassResult | null): Promise<PassResult> {
    const { arch, prog } = this;
    const values = new Map<string, Val>();
    const off: Record<Sec, bigint> = { text: 0n, rodata: 0n, data: 0n, bss: 0n };
    const aligns: Record<Sec, number> = { text: arch === 'aarch64' ? 4 : 1, rodata: 1, data: 1, bss: 1 };
    const bufs = { text: new SectionBuffer(), rodata: new SectionBuffer(), data: new SectionBuffer() };
    const itemSizes: number[] = [];
    const poolSlots = new Map<number, bigint>();
    const pending: Record<Sec, { item: number; value: bigint; width: 4 | 8 }[]> = {
      text: [],
      rodata: [],
      data: [],
      bss: [],
    };
    const symSizes = new Map<string, bigint>();
    let error: AsmError | null = null;

    const lookup: Lookup = (name) => {
      const v = values.get(name) ?? prev?.values.get(name);
      if (v) return v;
      if (!this.defined.has(name)) return undefined;
      // First pass, forward reference: estimate (label → its section base; constant → 0).
      const lab = prog.labels.get(name);
      return lab ? { v: bases[lab.sec], addr: true } : { v: 0n, addr: false };
    };

    for (let idx = 0; idx < prog.items.length; idx++) {
      const it = prog.items[idx]!;
      const sec = it.sec;
      const addr = bases[sec] + off[sec];
      const ev = (text: string): Val => evaluate(text, lookup, addr);
      const evConst = (text: string, what: string): bigint => {
        const v = ev(text);
        if (v.addr) throw new ExprError(`${what} must be a constant, not an address`);
        return v.v;
      };
      let emitted: ArrayLike<number> | null = null;
      let zeros = 0n; // bytes of zero fill (may be huge in .bss)
      let fillByte = 0;
      try {
        switch (it.k) {
          case 'label':
            values.set(it.name, { v: addr, addr: true });
            break;
          case 'set':
            values.set(it.name, ev(it.expr));
            break;
          case 'size': {
            const v = evConst(it.expr, '.size');
            if (v < 0n) throw new ExprError('.size is negative');
            symSizes.set(it.name, v);
            break;
          }
          case 'data': {
            if (sec === 'bss') throw new ExprError('.bss can only hold labels, .skip/.zero/.space and alignment');
            const out: number[] = [];
            for (const e of it.exprs) {
              const v = ev(e).v;
              const bits = BigInt(it.width * 8);
              if (it.width < 8 && (v < -(1n << (bits - 1n)) || v >= 1n << bits)) {
                throw new ExprError(`value ${fmt(v)} does not fit in ${it.width} byte${it.width > 1 ? 's' : ''}`);
              }
              const u = BigInt.asUintN(it.width * 8, v);
              for (let b = 0; b < it.width; b++) out.push(Number((u >> BigInt(8 * b)) & 0xffn));
            }
            emitted = out;
            break;
          }
          case 'bytes':
            if (sec === 'bss') throw new ExprError('.bss can only hold labels, .skip/.zero/.space and alignment');
            emitted = it.bytes;
            break;
          case 'skip': {
            const n = evConst(it.count, 'the size');
            if (n < 0n) throw new ExprError(`negative size ${n}`);
            fillByte = it.fill === null ? 0 : Number(evConst(it.fill, 'the fill value') & 0xffn);
            if (sec === 'bss' && fillByte !== 0) throw new ExprError('.bss can only be filled with zeros');
            zeros = n;
            break;
          }
          case 'fill': {
            const repeat = evConst(it.repeat, 'the repeat count');
            const size = it.size === null ? 1n : evConst(it.size, 'the size');
            const value = it.value === null ? 0n : evConst(it.value, 'the value');
            if (repeat < 0n) throw new ExprError(`negative repeat count ${repeat}`);
            if (size < 0n || size > 8n) throw new ExprError(`.fill size ${size} is out of range (0..8)`);
            if (sec === 'bss') {
              if (value !== 0n) throw new ExprError('.bss can only be filled with zeros');
              zeros = repeat * size;
              break;
            }
            if (repeat * size > MAX_FILE_SECTION) throw new ExprError('.fill is too large');
            const unit: number[] = [];
            const u = BigInt.asUintN(64, value);
            for (let b = 0n; b < size; b++) unit.push(b < 4n ? Number((u >> (8n * b)) & 0xffn) : 0); // GNU: high bytes are 0
            const out = new Uint8Array(Number(repeat * size));
            if (out.length > 0) {
              out.set(unit, 0);
              for (let have = unit.length; have < out.length; have *= 2)
                out.copyWithin(have, 0, Math.min(have, out.length - have));
            }
            emitted = out;
            break;
          }
          case 'align': {
            const amount = evConst(it.amount, 'the alignment');
            if (amount < 0n || (it.pow2 && amount > 12n))
              throw new ExprError(
                `alignment ${it.pow2 ? `2^${amount}` : amount} is out of range (at most the page size, 4096)`,
              );
            const a = it.pow2 ? 1n << amount : amount === 0n ? 1n : amount;
            if ((a & (a - 1n)) !== 0n) throw new ExprError(`alignment ${a} is not a power of two`);
            if (a > BigInt(PAGE_SIZE)) throw new ExprError(`alignment ${a} is larger than the page size (4096)`);
            const pad = alignUp(addr, a) - addr;
            const max = it.max === null ? null : evConst(it.max, 'the maximum');
            if (max !== null && pad > max) break;
            if (Number(a) > aligns[sec]) aligns[sec] = Number(a);
            if (it.fill !== null) {
              fillByte = Number(evConst(it.fill, 'the fill value') & 0xffn);
              if (sec === 'bss' && fillByte !== 0) throw new ExprError('.bss can only be filled with zeros');
              zeros = pad;
            } else if (sec === 'text') {
              emitted = nopFill(arch, addr, Number(pad));
            } else {
              zeros = pad;
            }
            break;
          }
          case 'pool': {
            const entries = pending[sec];
            pending[sec] = [];
            if (entries.length === 0) break;
            // Like GNU as: each literal has its natural size and alignment (4 for `ldr wN`, 8 for
            // `ldr xN`), identical literals share a slot, the pool starts aligned for its widest one.
            const out: number[] = [];
            const widest = entries.some((e) => e.width === 8) ? 8n : 4n;
            let at = addr;
            const pad = (to: bigint): void => {
              for (; at < to; at++) out.push(0);
            };
            pad(alignUp(addr, widest));
            const shared = new Map<string, bigint>();
            for (const e of entries) {
              const key = `${e.width}:${BigInt.asUintN(e.width * 8, e.value)}`;
              const known = shared.get(key);
              if (known !== undefined) {
                poolSlots.set(e.item, known);
                continue;
              }
              pad(alignUp(at, BigInt(e.width)));
              poolSlots.set(e.item, at);
              shared.set(key, at);
              const u = BigInt.asUintN(64, e.value);
              for (let b = 0n; b < BigInt(e.width); b++) out.push(Number((u >> (8n * b)) & 0xffn));
              at += BigInt(e.width);
            }
            if (BigInt(aligns[sec]) < widest) aligns[sec] = Number(widest);
            emitted = out;
            break;
          }
          case 'insn': {
            if (sec === 'bss') throw new ExprError('.bss cannot hold instructions');
            const bytes = await this.encodeInsn(it, idx, addr, lookup, prev, pending[sec]);
            let size = bytes.length;
            if (passNo >= GROW_ONLY_PASS) size = Math.max(size, this.floors.get(idx) ?? 0);
            this.floors.set(idx, size);
            emitted =
              size === bytes.length
                ? bytes
                : [...bytes, ...nopFill(arch, addr + BigInt(bytes.length), size - bytes.length)];
            break;
          }
        }
      } catch (e) {
        if (!(e instanceof ExprError || e instanceof AsmError)) throw e;
        error ??= e instanceof AsmError ? e : locError(it.loc, e.message);
        // Keep the layout stable: reuse the size this item had in the previous pass.
        const keep = prev?.itemSizes[idx] ?? 0;
        emitted = null;
        zeros = BigInt(keep);
        fillByte = 0;
      }
      let size = emitted ? BigInt(emitted.length) : zeros;
      const limit = sec === 'bss' ? MAX_MEMORY : MAX_FILE_SECTION;
      if (off[sec] + size > limit) {
        // Stop growing (a .rept of .fill could otherwise eat all memory).  After the first pass
        // the sizes no longer rest on estimates, so the error is final.
        const tooLarge = locError(it.loc, `${SEC_NAME[sec]} would be larger than ${limit >> 20n} MiB`);
        if (passNo > 0) throw tooLarge;
        error ??= tooLarge;
        size = 0n;
      } else if (sec !== 'bss') {
        if (emitted) bufs[sec].push(emitted);
        else if (zeros > 0n) bufs[sec].fill(fillByte, Number(zeros));
      }
      itemSizes[idx] = Number(size);
      off[sec] += size;
    }
    const total = off.text + off.rodata + off.data + off.bss;
    if (total > MAX_MEMORY) error ??= new AsmError(this.file, 0, 'the program needs more than 1 GiB of memory');
    return {
      values,
      sizes: off,
      aligns,
      bytes: { text: bufs.text.result(), rodata: bufs.rodata.result(), data: bufs.data.result() },
      itemSizes,
      poolSlots,
      symSizes,
      error,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Instructions
  // ---------------------------------------------------------------------------------------------

  private async encodeInsn(
    it: Item & { k: 'insn' },
    idx: number,
    addr: bigint,
    lookup: Lookup,
    prev: PassResult | null,
    pool: { item: number; value: bigint; width: 4 | 8 }[],
  ): Promise<Uint8Array> {
    const mnemonic = it.mnemonic.toLowerCase();
    const ops = splitArgs(it.operands);
    const ev = (text: string): Val => evaluate(text, lookup, addr);
    if (this.arch === 'aarch64') return this.encodeA64(it, idx, mnemonic, ops, addr, ev, lookup, prev, pool);
    return this.encodeX86(it, mnemonic, ops, addr, ev, lookup);
  }

  /** Run Keystone (cached) and turn a failure into an AsmError naming the statement. */
  private async ks(it: Item & { k: 'insn' }, text: string, addr: bigint): Promise<Uint8Array> {
    const key = `${addr}:${text}`;
    let r = this.cache.get(key);
    if (!r) {
      r = await keystoneEncode(this.arch, text, addr);
      this.cache.set(key, r);
    }
    if (r.ok) return r.bytes;
    const m = it.mnemonic;
    const original = `${it.mnemonic} ${it.operands}`.trim();
    if (r.code === KS_ERR_ASM_SYMBOL_MISSING) {
      const unknown = identifiers(it.operands).find((id) => !this.defined.has(id) && !this.reserved(id));
      if (unknown) throw locError(it.loc, `undefined symbol \`${unknown}\``);
    }
    if (r.code === KS_ERR_ASM_MNEMONICFAIL) throw locError(it.loc, `unknown instruction \`${m}\``);
    if (r.code === KS_ERR_ASM_INVALIDOPERAND || r.code > KS_ERR_ASM_MNEMONICFAIL)
      throw locError(it.loc, `invalid operands for \`${m}\`: \`${original}\``);
    if (r.code === KS_ERR_ASM_MISSINGFEATURE)
      throw locError(it.loc, `\`${original}\` needs a CPU feature the assembler does not enable`);
    // Keystone fails silently (no error number, no bytes) on some malformed statements.
    if (r.code === -2 && r.detail === 'no bytes produced') throw locError(it.loc, `syntax error in \`${original}\``);
    if (r.code >= 128 && r.code < 512)
      throw locError(it.loc, `syntax error in \`${original}\` (${r.detail.replace(/\s*\(KS_ERR_\w+\)/, '')})`);
    throw locError(it.loc, `cannot assemble \`${original}\` (${r.detail.replace(/\s*\(KS_ERR_\w+\)/, '')})`);
  }

  private reserved(id: string): boolean {
    return (this.arch === 'aarch64' ? A64_RESERVED : X86_RESERVED).test(id);
  }

  /**
   * Replace known symbols by numbers in text Keystone will evaluate itself, and write every
   * integer literal in hex: Keystone's x86 Intel mode reads a plain `10` as 0x10 (measured),
   * so no decimal literal may reach it.
   */
  private substitute(text: string, lookup: Lookup, addr: bigint, onAddress?: (id: string) => void): string {
    const hexified = mapCode(text, (code) =>
      code.replace(/'(\\.|[^\\'])'?/g, (c) => fmt(BigInt(parseCharConst(c, 0).value))),
    );
    return mapIdentifiers(
      hexified,
      (id) => {
        if (id === '.') return fmt(addr);
        if (this.reserved(id) || !this.defined.has(id)) return null;
        const v = lookup(id)!;
        if (v.addr && onAddress) onAddress(id);
        return fmt(v.v);
      },
      (num) => {
        try {
          const t = tokenize(num);
          return t.length === 1 && t[0]!.t === 'num' ? fmt(t[0]!.v) : null;
        } catch {
          return null; // e.g. `1.5` (fmov) — left to Keystone
        }
      },
    );
  }

  // ---- AArch64 ----------------------------------------------------------------------------------

  private async encodeA64(
    it: Item & { k: 'insn' },
    idx: number,
    m: string,
    ops: string[],
    addr: bigint,
    ev: (t: string) => Val,
    lookup: Lookup,
    prev: PassResult | null,
    pool: { item: number; value: bigint; width: 4 | 8 }[],
  ): Promise<Uint8Array> {
    // ldr Rt, =expr: the value goes to the section's literal pool; the instruction becomes a
    // pc-relative literal load of that slot (slot address from the previous pass).
    if ((m === 'ldr' || m === 'ldrsw') && ops.length === 2 && ops[1]!.startsWith('=')) {
      const value = ev(ops[1]!.slice(1)).v;
      const w: 4 | 8 = /^[ws]/i.test(ops[0]!) ? 4 : 8;
      if (w === 4 && (value < -(1n << 31n) || value >= 1n << 32n))
        throw new ExprError(`literal ${fmt(value)} does not fit in 32 bits`);
      pool.push({ item: idx, value, width: w });
      const slot = prev?.poolSlots.get(idx) ?? addr;
      const word = await this.ks(it, `${m} ${ops[0]}, .`, addr);
      return this.patchA64(it, word, addr, slot, m);
    }
    const target = this.a64TargetIndex(m, ops);
    const out = ops.map((op, k) => (k === target ? '.' : this.a64Operand(op, lookup, addr, ev)));
    const text = `${m} ${out.join(', ')}`.trim();
    const bytes = await this.ks(it, text, addr);
    if (target < 0) return bytes;
    return this.patchA64(it, bytes, addr, ev(ops[target]!).v, m);
  }

  /** Which operand of a pc-relative instruction is the target (-1 if none). */
  private a64TargetIndex(m: string, ops: string[]): number {
    // A target is an expression; a register name there is left to Keystone to reject, unless
    // the program defines a symbol of that name (only a symbol makes sense as a target).
    const isExpr = (op: string | undefined): boolean =>
      op !== undefined && !/^[[#={:]/.test(op) && (!A64_RESERVED.test(op) || this.defined.has(op));
    let k = -1;
    if (m === 'b' || m === 'bl' || A64_BCOND.test(m)) k = 0;
    else if (m === 'cbz' || m === 'cbnz' || m === 'adr' || m === 'adrp') k = 1;
    else if (m === 'tbz' || m === 'tbnz') k = 2;
    else if ((m === 'ldr' || m === 'ldrsw' || m === 'prfm') && ops.length === 2) k = 1;
    return k >= 0 && isExpr(ops[k]) ? k : -1;
  }

  /** Rewrite one AArch64 operand: relocation modifiers, `#expr`, then remaining symbols. */
  private a64Operand(op: string, lookup: Lookup, addr: bigint, ev: (t: string) => Val): string {
    let text = op;
    // :lo12:expr, :abs_gN[_nc]:expr → immediates (what the linker would have put there).
    for (;;) {
      const m = /#?:([A-Za-z0-9_]+):/.exec(text);
      if (!m) break;
      const mod = m[1]!.toLowerCase();
      const end = exprEnd(text, m.index + m[0].length);
      const v = ev(text.slice(m.index + m[0].length, end)).v;
      let rep: string;
      const g = /^abs_g([0-3])(_nc)?$/.exec(mod);
      if (mod === 'lo12') rep = `#${fmt(BigInt.asUintN(64, v) & 0xfffn)}`;
      else if (g) {
        const shift = 16n * BigInt(g[1]!);
        const part = (BigInt.asUintN(64, v) >> shift) & 0xffffn;
        if (!g[2] && g[1] !== '3' && BigInt.asUintN(64, v) >> (shift + 16n) !== 0n)
          throw new ExprError(`value ${fmt(v)} does not fit :${mod}: (use :${mod}_nc:)`);
        rep = `#${fmt(part)}, lsl #${shift}`;
      } else throw new ExprError(`unsupported relocation operator \`:${m[1]}:\``);
      text = text.slice(0, m.index) + rep + text.slice(end);
    }
    // #expr → #number (GNU expression semantics, symbols resolved here).
    let out = '';
    let i = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '#') {
        const end = exprEnd(text, i + 1);
        const expr = text.slice(i + 1, end);
        let rep = `#${expr}`;
        try {
          rep = `#${fmt(ev(expr).v)}`;
        } catch (e) {
          // Not an expression this module understands (e.g. `#1.5` for fmov): Keystone decides.
          if (!(e instanceof ExprError) || e.kind !== 'syntax') throw e;
          const ids = identifiers(expr).filter((id) => this.defined.has(id));
          if (ids.length) throw e;
        }
        out += rep;
        i = end;
        continue;
      }
      out += c;
      i++;
    }
    return this.substitute(out, lookup, addr);
  }

  /** Put the pc-relative offset into an instruction Keystone encoded with target `.`. */
  private patchA64(it: Item & { k: 'insn' }, bytes: Uint8Array, pc: bigint, target: bigint, m: string): Uint8Array {
    if (bytes.length !== 4) throw locError(it.loc, `internal error: \`${m}\` encoded to ${bytes.length} bytes`);
    let w = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
    const off = target - pc;
    const rangeErr = (span: string): AsmError =>
      locError(
        it.loc,
        `target ${hex(BigInt.asUintN(64, target))} is out of range for \`${m}\` (${span} from ${hex(pc)})`,
      );
    const field = (bits: number, shift: number, span: string): void => {
      if (off % 4n !== 0n)
        throw locError(it.loc, `target ${hex(BigInt.asUintN(64, target))} of \`${m}\` is not 4-byte aligned`);
      const q = off >> 2n;
      if (q < -(1n << BigInt(bits - 1)) || q >= 1n << BigInt(bits - 1)) throw rangeErr(span);
      const mask = ((1 << bits) - 1) >>> 0;
      w = ((w & ~(mask << shift)) | ((Number(BigInt.asUintN(bits, q)) & mask) << shift)) >>> 0;
    };
    const adrField = (v: bigint, span: string): void => {
      if (v < -(1n << 20n) || v >= 1n << 20n) throw rangeErr(span);
      const u = Number(BigInt.asUintN(21, v));
      w = ((w & ~((3 << 29) | (0x7ffff << 5))) | ((u & 3) << 29) | (((u >>> 2) & 0x7ffff) << 5)) >>> 0;
    };
    const is = (mask: number, value: number): boolean => (w & mask) >>> 0 === value;
    // Encodings: Arm ARM C4.1 (branches, exception generating; loads and stores; data processing).
    if (is(0x7c000000, 0x14000000))
      field(26, 0, '±128 MiB'); // B, BL
    else if (is(0xff000010, 0x54000000))
      field(19, 5, '±1 MiB'); // B.cond
    else if (is(0x7e000000, 0x34000000))
      field(19, 5, '±1 MiB'); // CBZ, CBNZ
    else if (is(0x7e000000, 0x36000000))
      field(14, 5, '±32 KiB'); // TBZ, TBNZ
    else if (is(0x3b000000, 0x18000000))
      field(19, 5, '±1 MiB'); // LDR (literal), LDRSW, PRFM
    else if (is(0x9f000000, 0x10000000))
      adrField(off, '±1 MiB'); // ADR
    else if (is(0x9f000000, 0x90000000))
      adrField((target >> 12n) - (pc >> 12n), '±4 GiB'); // ADRP: page delta
    else throw locError(it.loc, `internal error: unexpected encoding ${hex(w)} for \`${m}\``);
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, w, true);
    return out;
  }

  // ---- x86-64 -----------------------------------------------------------------------------------

  private async encodeX86(
    it: Item & { k: 'insn' },
    m: string,
    ops: string[],
    addr: bigint,
    ev: (t: string) => Val,
    lookup: Lookup,
  ): Promise<Uint8Array> {
    // Direct branches: give Keystone the absolute target, then check the displacement it chose.
    if (X86_BRANCH.test(m) && ops.length === 1) {
      const op = ops[0]!.replace(/^(short|near)\s+/i, '');
      if (!/[[\]*]|\bptr\b/i.test(op) && !X86_RESERVED.test(op)) {
        const target = ev(op).v;
        const bytes = await this.ks(it, `${m} ${fmt(BigInt.asUintN(64, target))}`, addr);
        checkX86Branch(it, bytes, addr, target, m);
        return bytes;
      }
    }
    const rip: { expr: string | null } = { expr: null };
    const out = ops.map((op) => {
      // OFFSET expr (also gcc's OFFSET FLAT:expr) → the value as an immediate.
      const off = /^(.*?)\boffset\s+(?:flat:)?(.+)$/is.exec(op);
      if (off) return `${off[1]}${fmt(ev(off[2]!).v)}`;
      const br = /^(.*?)\[(.*)\](.*)$/s.exec(op);
      if (br) {
        const inner = br[2]!;
        const hasRip = identifiers(inner).some((id) => id.toLowerCase() === 'rip');
        let newInner: string;
        if (hasRip) {
          // [rip + expr]: GNU semantics — an address means "that address, rip-relative"; a plain
          // number is the raw displacement.  Remove the `rip` term to get the expression.
          const rest = inner
            .replace(/^\s*rip\s*(?=[+-]|$)/i, '')
            .replace(/[+]\s*rip\s*(?=[+-]|$)/i, '')
            .trim();
          rip.expr = rest === '' ? '0' : rest.startsWith('+') || rest.startsWith('-') ? `0 ${rest}` : rest;
          newInner = 'rip + RIPDISP';
        } else {
          newInner = this.substitute(inner, lookup, addr);
        }
        return `${this.x86Bare(br[1]!, lookup, addr)}[${newInner}]${this.x86Bare(br[3]!, lookup, addr)}`;
      }
      return this.x86Bare(op, lookup, addr);
    });
    this.checkX86Immediate(m, ops, ev);
    const join = (disp: bigint): string => `${m} ${out.join(', ')}`.replace('RIPDISP', fmt(disp)).trim();
    if (rip.expr === null) return this.ks(it, join(0n), addr);
    const e = ev(rip.expr);
    if (!e.addr) return this.ks(it, join(e.v), addr);
    // rip-relative displacements are always 32 bits, so the length does not depend on them.
    const first = await this.ks(it, join(0n), addr);
    const disp = e.v - (addr + BigInt(first.length));
    if (disp < -(1n << 31n) || disp >= 1n << 31n)
      throw locError(it.loc, `rip-relative target ${hex(BigInt.asUintN(64, e.v))} is out of range (±2 GiB)`);
    const bytes = await this.ks(it, join(disp), addr);
    if (bytes.length !== first.length)
      throw locError(it.loc, 'internal error: rip-relative instruction changed length');
    return bytes;
  }

  /**
   * Keystone silently truncates an immediate that does not fit its operand (`mov al, 300` →
   * `mov al, 44`, `push 0x100000000` → `push word 0`); GNU as warns.  Check the common forms:
   * the last operand is a constant, the size comes from the first operand's register or
   * `byte/word/dword/qword ptr`.  64-bit forms are left to Keystone, which rejects them.
   */
  private checkX86Immediate(m: string, ops: string[], ev: (t: string) => Val): void {
    const checked = /^(?:mov|add|sub|and|or|xor|cmp|test|adc|sbb|imul|push)$/.test(m);
    const imm = ops[ops.length - 1];
    if (
      !checked ||
      imm === undefined ||
      (m !== 'push' && ops.length < 2) ||
      /[[\]:]|\bptr\b|\boffset\b/i.test(imm) ||
      X86_RESERVED.test(imm)
    )
      return;
    let v: Val;
    try {
      v = ev(imm);
    } catch {
      return; // not a plain constant (a register expression, …): Keystone decides
    }
    if (v.addr) return;
    let bits = m === 'push' ? 32 : 0;
    const dest = (ops[0] ?? '').trim().toLowerCase();
    const ptr = /^(byte|word|dword|qword)\s+ptr\b/.exec(dest);
    if (m !== 'push') {
      if (ptr) bits = { byte: 8, word: 16, dword: 32, qword: 64 }[ptr[1] as 'byte' | 'word' | 'dword' | 'qword'];
      else if (/^(?:[abcd]l|[abcd]h|(?:si|di|sp|bp)l|r(?:[89]|1[0-5])b)$/.test(dest)) bits = 8;
      else if (/^(?:[abcd]x|si|di|sp|bp|r(?:[89]|1[0-5])w)$/.test(dest)) bits = 16;
      else if (/^(?:e(?:[abcd]x|si|di|sp|bp)|r(?:[89]|1[0-5])d)$/.test(dest)) bits = 32;
    }
    if (bits === 0 || bits === 64) return;
    const lo = -(1n << BigInt(bits - 1));
    const hi = m === 'push' ? 1n << 31n : 1n << BigInt(bits);
    if (v.v < lo || v.v >= hi)
      throw new ExprError(
        `immediate ${v.v} (${fmt(v.v)}) does not fit in ${bits === 8 ? 'an' : 'a'} ${bits}-bit operand`,
      );
  }

  /** Operand text outside brackets: constants become numbers; labels are ambiguous in Intel syntax. */
  private x86Bare(text: string, lookup: Lookup, addr: bigint): string {
    return this.substitute(text, lookup, addr, (id) => {
      throw new ExprError(
        `ambiguous use of label \`${displayName(id)}\` in Intel syntax: write \`OFFSET ${displayName(id)}\` for its address or \`[rip + ${displayName(id)}]\` for the memory at it`,
      );
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Output
  // ---------------------------------------------------------------------------------------------

  private finish(r: PassResult, bases: Bases): AsmResult {
    const { prog, arch } = this;
    const num = (v: bigint): number => Number(v);
    const present = (s: Sec): boolean => s === 'text' || r.sizes[s] > 0n;

    const sections: AsmSectionInfo[] = SECS.filter(present).map((s) => ({
      name: SEC_NAME[s],
      address: num(bases[s]),
      size: num(r.sizes[s]),
    }));
    const symbols = new Map<string, AsmSymbol>();
    const writerSyms: WriterSymbol[] = [];
    for (const [name, item] of prog.labels) {
      if (name.startsWith('.Lnum$')) continue;
      const v = r.values.get(name)!.v;
      const global = prog.globals.has(name);
      symbols.set(name, { name, address: num(v), section: SEC_NAME[item.sec], global });
      if (name.startsWith('.L')) continue; // assembler-local, as in GNU as
      // A label in a section that has no bytes (and so no section header) becomes absolute.
      const section = present(item.sec) ? SEC_NAME[item.sec] : null;
      writerSyms.push({
        name,
        value: v,
        size: r.symSizes.get(name) ?? 0n,
        type: prog.types.get(name) ?? 'notype',
        global,
        section,
      });
    }
    const constants = new Map<string, bigint>();
    for (const name of prog.sets) {
      const v = r.values.get(name);
      if (v) constants.set(name, v.v);
    }

    const segments: WriterSegment[] = [
      { vaddr: bases.text, data: r.bytes.text, memsz: r.sizes.text, flags: PF_R | PF_X },
    ];
    const wsections: WriterSection[] = [
      {
        name: '.text',
        nobits: false,
        flags: SHF_ALLOC | SHF_EXECINSTR,
        addr: bases.text,
        size: r.sizes.text,
        align: r.aligns.text,
      },
    ];
    if (present('rodata')) {
      segments.push({ vaddr: bases.rodata, data: r.bytes.rodata, memsz: r.sizes.rodata, flags: PF_R });
      wsections.push({
        name: '.rodata',
        nobits: false,
        flags: SHF_ALLOC,
        addr: bases.rodata,
        size: r.sizes.rodata,
        align: r.aligns.rodata,
      });
    }
    if (present('data') || present('bss')) {
      const start = present('data') ? bases.data : bases.bss;
      const end = present('bss') ? bases.bss + r.sizes.bss : bases.data + r.sizes.data;
      segments.push({ vaddr: start, data: r.bytes.data, memsz: end - start, flags: PF_R | PF_W });
      if (present('data'))
        wsections.push({
          name: '.data',
          nobits: false,
          flags: SHF_ALLOC | SHF_WRITE,
          addr: bases.data,
          size: r.sizes.data,
          align: r.aligns.data,
        });
      if (present('bss'))
        wsections.push({
          name: '.bss',
          nobits: true,
          flags: SHF_ALLOC | SHF_WRITE,
          addr: bases.bss,
          size: r.sizes.bss,
          align: r.aligns.bss,
        });
    }
    const entry = r.values.get('_start')?.v ?? bases.text;
    // The loader requires the entry point to be inside the executable segment.
    if (entry >= bases.text + r.sizes.text) {
      const start = prog.labels.get('_start');
      if (start) throw locError(start.loc, '`_start` is at the end of .text: no instruction follows it');
      throw new AsmError(this.file, 0, 'the program has no instructions (.text is empty)');
    }
    const elf = writeElf({
      machine: arch,
      entry,
      segments,
      sections: wsections,
      symbols: writerSyms,
      sourceFile: path.basename(this.file),
    });
    return { arch, file: this.file, elf, entry: num(entry), sections, symbols, constants };
  }
}

/**
 * x86 multi-byte NOPs, 1..11 bytes (the forms recommended by the Intel SDM, "NOP", plus the
 * 10- and 11-byte variants with extra prefixes that GNU as also uses).
 */
const X86_NOPS: number[][] = [
  [0x90],
  [0x66, 0x90],
  [0x0f, 0x1f, 0x00],
  [0x0f, 0x1f, 0x40, 0x00],
  [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
  [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];

/** NOP padding for code: AArch64 `nop` words (zeros up to 4-byte alignment first), x86 long NOPs. */
function nopFill(arch: AsmArch, addr: bigint, n: number): number[] {
  const out: number[] = [];
  if (arch === 'x86_64') {
    while (out.length < n) out.push(...X86_NOPS[Math.min(n - out.length, X86_NOPS.length) - 1]!);
    return out;
  }
  let a = addr;
  while (out.length < n && a % 4n !== 0n) {
    out.push(0);
    a++;
  }
  while (out.length + 4 <= n) out.push(0x1f, 0x20, 0x03, 0xd5);
  while (out.length < n) out.push(0);
  return out;
}

/**
 * Check the displacement of an x86 direct branch Keystone produced: Keystone silently truncates
 * out-of-range targets, so decode rel8/rel32 and compare with the intended target.
 */
function checkX86Branch(it: Item & { k: 'insn' }, b: Uint8Array, pc: bigint, target: bigint, m: string): void {
  let i = 0;
  while (
    i < b.length &&
    (b[i] === 0x66 ||
      b[i] === 0x67 ||
      b[i] === 0xf2 ||
      b[i] === 0xf3 ||
      b[i] === 0x2e ||
      b[i] === 0x3e ||
      (b[i]! & 0xf0) === 0x40)
  )
    i++;
  const op = b[i];
  let at = -1;
  let size = 0;
  if (op === 0xeb || (op !== undefined && ((op >= 0x70 && op <= 0x7f) || (op >= 0xe0 && op <= 0xe3)))) {
    at = i + 1;
    size = 1;
  } else if (op === 0xe8 || op === 0xe9) {
    at = i + 1;
    size = 4;
  } else if (
    (op === 0x0f && b[i + 1] !== undefined && b[i + 1]! >= 0x80 && b[i + 1]! <= 0x8f) ||
    (op === 0xc7 && b[i + 1] === 0xf8)
  ) {
    at = i + 2;
    size = 4;
  }
  if (at < 0 || at + size !== b.length) return; // not a form we know: trust Keystone
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const disp = size === 1 ? view.getInt8(at) : view.getInt32(at, true);
  const reached = BigInt.asUintN(64, pc + BigInt(b.length) + BigInt(disp));
  if (reached !== BigInt.asUintN(64, target)) {
    throw locError(
      it.loc,
      `branch target ${hex(BigInt.asUintN(64, target))} is out of range for \`${m}\` (±2 GiB from ${hex(pc)})`,
    );
  }
}

function sameVals(a: Map<string, Val>, b: Map<string, Val>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.v !== v.v || w.addr !== v.addr) return false;
  }
  return true;
}

function sameBases(a: Bases, b: Bases): boolean {
  return SECS.every((s) => a[s] === b[s]) && a.loadSegments === b.loadSegments;
}

function sameMap<K, V>(a: Map<K, V>, b: Map<K, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
