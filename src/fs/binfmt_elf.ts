/**
 * Strict ELF64 parser for the static executables faultpath runs (x86-64 and AArch64).
 *
 * It reads what Linux's loader (fs/binfmt_elf.c, load_elf_binary) reads — the ELF header and the
 * program header table — and ignores section headers, which the kernel never looks at.  It is
 * stricter than the kernel in a few places (the kernel would load the file and let the program
 * crash; a simulator is more useful when it says what is wrong), and every rejection is an
 * `ElfError` whose message names the file and the offending field.  No other exception escapes.
 *
 * What is accepted:
 *  - ELFCLASS64, ELFDATA2LSB, EV_CURRENT, EM_X86_64 or EM_AARCH64;
 *  - ET_EXEC, or ET_DYN without PT_INTERP (a static-PIE; its addresses are relative to the load
 *    bias the loader chooses);
 *  - PT_LOAD segments that are sorted by p_vaddr (gABI: "Loadable segment entries in the program
 *    header table appear in ascending order, sorted on the p_vaddr member"), do not overlap, have
 *    p_filesz <= p_memsz, file bytes inside the file, p_vaddr ≡ p_offset modulo p_align and modulo
 *    the page size (elf_map() maps whole pages, so file and memory must share the page offset),
 *    and lie in the user address range of the architecture (x86-64: below TASK_SIZE_MAX =
 *    0x7ffffffff000; AArch64 with 48-bit VAs: below 2^48);
 *  - at most 1 GiB of PT_LOAD memory in total (a sanity limit of the simulator);
 *  - an entry point inside an executable PT_LOAD.
 * PT_INTERP is rejected: faultpath has no dynamic linker.
 */

export type ElfArch = 'aarch64' | 'x86_64';

export class ElfError extends Error {
  readonly file: string;
  /** What is wrong, without the file name. */
  readonly reason: string;
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'ElfError';
    this.file = file;
    this.reason = reason;
  }
}

// Program header types and flags (gABI, plus the GNU extensions Linux uses).
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
const ET_EXEC = 2;
const ET_DYN = 3;

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
/** binfmt_elf refuses program header tables larger than ELF_MIN_ALIGN (64 KiB). */
const MAX_PHDR_TABLE = 65536;
const PAGE_SIZE = 4096n;

/** First address above user space, per architecture (see the file comment). */
export const USER_ADDRESS_LIMIT: Record<ElfArch, bigint> = {
  x86_64: 0x7ffffffff000n,
  aarch64: 1n << 48n,
};
/** Most PT_LOAD memory an image may ask for. */
export const MAX_IMAGE_MEMORY = 1n << 30n;

export interface ElfLoadSegment {
  /** Index in the program header table. */
  index: number;
  vaddr: number;
  offset: number;
  filesz: number;
  memsz: number;
  /** PF_R | PF_W | PF_X bits as in the file. */
  flags: number;
  readable: boolean;
  writable: boolean;
  executable: boolean;
  align: number;
}

export interface ElfTls {
  vaddr: number;
  offset: number;
  filesz: number;
  memsz: number;
  align: number;
}

export interface ElfImage {
  file: string;
  /** The file contents (not copied). */
  bytes: Uint8Array;
  arch: ElfArch;
  /** ET_EXEC ('exec') or static-PIE ET_DYN ('dyn', addresses relative to the load bias). */
  type: 'exec' | 'dyn';
  entry: number;
  /** e_phoff / e_phentsize / e_phnum, for AT_PHENT / AT_PHNUM and to find AT_PHDR. */
  phoff: number;
  phentsize: number;
  phnum: number;
  /**
   * Address of the program header table in memory (AT_PHDR): PT_PHDR's p_vaddr, else the
   * address where the PT_LOAD containing file offset e_phoff maps it; null if it is not mapped.
   */
  phdrAddr: number | null;
  /** PT_LOAD segments in file order (which is ascending address order). */
  loads: ElfLoadSegment[];
  /** PT_GNU_STACK, if present.  Without it Linux assumes an executable stack on x86-64. */
  stack: { flags: number; executable: boolean } | null;
  tls: ElfTls | null;
}

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

const MACHINE_NAMES: Record<number, string> = {
  0: 'EM_NONE',
  3: 'EM_386',
  8: 'EM_MIPS',
  20: 'EM_PPC',
  21: 'EM_PPC64',
  22: 'EM_S390',
  40: 'EM_ARM',
  62: 'EM_X86_64',
  183: 'EM_AARCH64',
  243: 'EM_RISCV',
  258: 'EM_LOONGARCH',
};
const TYPE_NAMES: Record<number, string> = { 0: 'ET_NONE', 1: 'ET_REL', 2: 'ET_EXEC', 3: 'ET_DYN', 4: 'ET_CORE' };

/**
 * Parse and validate a static ELF64 executable.
 * @param name used in error messages (normally the path).
 * @throws ElfError — and nothing else — for every malformed or unsupported input.
 */
export function parseElf(bytes: Uint8Array, name: string): ElfImage {
  try {
    return parse(bytes, name);
  } catch (e) {
    if (e instanceof ElfError) throw e;
    // Defensive: the checks below are meant to make this unreachable.
    throw new ElfError(name, `malformed ELF file (${e instanceof Error ? e.message : String(e)})`);
  }
}

function parse(bytes: Uint8Array, file: string): ElfImage {
  const fail = (reason: string): never => {
    throw new ElfError(file, reason);
  };
  const size = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  // ---- e_ident ---------------------------------------------------------------------------------
  if (size < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46)
    fail('not an ELF file (bad magic)');
  if (size < 16) fail(`truncated ELF header (${size} bytes; the ELF64 header is ${EHDR_SIZE} bytes)`);
  if (bytes[4] !== 2) fail(`not a 64-bit ELF file (EI_CLASS is ${bytes[4]}; only ELFCLASS64 is supported)`);
  if (bytes[5] !== 1) fail(`not a little-endian ELF file (EI_DATA is ${bytes[5]}; only ELFDATA2LSB is supported)`);
  if (bytes[6] !== 1) fail(`unsupported ELF version ${bytes[6]} in EI_VERSION (expected 1)`);
  if (size < EHDR_SIZE) fail(`truncated ELF header (${size} bytes; the ELF64 header is ${EHDR_SIZE} bytes)`);

  // ---- ELF header ------------------------------------------------------------------------------
  const eType = view.getUint16(16, true);
  const eMachine = view.getUint16(18, true);
  const eVersion = view.getUint32(20, true);
  const eEntry = view.getBigUint64(24, true);
  const ePhoff = view.getBigUint64(32, true);
  const ePhentsize = view.getUint16(54, true);
  const ePhnum = view.getUint16(56, true);

  if (eType !== ET_EXEC && eType !== ET_DYN) {
    fail(
      `unsupported ELF type ${eType} (${TYPE_NAMES[eType] ?? 'unknown'}): only static executables (ET_EXEC, or static-PIE ET_DYN) can be run`,
    );
  }
  let arch: ElfArch;
  if (eMachine === EM_X86_64) arch = 'x86_64';
  else if (eMachine === EM_AARCH64) arch = 'aarch64';
  else
    return fail(
      `unsupported machine ${eMachine} (${MACHINE_NAMES[eMachine] ?? 'unknown'}): only EM_X86_64 (62) and EM_AARCH64 (183) are supported`,
    );
  if (eVersion !== 1) fail(`unsupported ELF version ${eVersion} in e_version (expected 1)`);

  // binfmt_elf: e_phentsize must be sizeof(struct elf_phdr); the table must be 1..64 KiB.
  if (ePhentsize !== PHDR_SIZE) fail(`e_phentsize is ${ePhentsize}; ELF64 program headers are ${PHDR_SIZE} bytes`);
  if (ePhnum === 0) fail('no program headers (e_phnum is 0)');
  const tableSize = ePhnum * PHDR_SIZE;
  if (tableSize > MAX_PHDR_TABLE)
    fail(`too many program headers (${ePhnum}; at most ${Math.floor(MAX_PHDR_TABLE / PHDR_SIZE)})`);
  if (ePhoff + BigInt(tableSize) > BigInt(size)) {
    fail(
      `program header table (offset ${hex(ePhoff)}, ${tableSize} bytes) extends past the end of the file (${size} bytes)`,
    );
  }
  const phoff = Number(ePhoff);
  const limit = USER_ADDRESS_LIMIT[arch];

  // ---- program headers -------------------------------------------------------------------------
  const loads: ElfLoadSegment[] = [];
  let stack: ElfImage['stack'] = null;
  let tls: ElfTls | null = null;
  let phdrVaddr: bigint | null = null;
  let total = 0n;

  for (let i = 0; i < ePhnum; i++) {
    const at = phoff + i * PHDR_SIZE;
    const pType = view.getUint32(at, true);
    const pFlags = view.getUint32(at + 4, true);
    const pOffset = view.getBigUint64(at + 8, true);
    const pVaddr = view.getBigUint64(at + 16, true);
    const pFilesz = view.getBigUint64(at + 32, true);
    const pMemsz = view.getBigUint64(at + 40, true);
    const pAlign = view.getBigUint64(at + 48, true);
    const what = (kind: string): string => `${kind} #${i}`;

    if (pType === PT_INTERP) fail('dynamically linked executables are not supported');
    if (pType === PT_GNU_STACK) stack = { flags: pFlags, executable: (pFlags & PF_X) !== 0 };
    if (pType === PT_PHDR) phdrVaddr = pVaddr;
    if (pType !== PT_LOAD && pType !== PT_TLS) continue;

    const seg = what(pType === PT_LOAD ? 'PT_LOAD' : 'PT_TLS');
    if (pFilesz > pMemsz) fail(`${seg}: p_filesz (${hex(pFilesz)}) is larger than p_memsz (${hex(pMemsz)})`);
    if (pFilesz > 0n && pOffset + pFilesz > BigInt(size)) {
      fail(
        `${seg}: file bytes ${hex(pOffset)}-${hex(pOffset + pFilesz)} extend past the end of the file (${size} bytes)`,
      );
    }
    if (pAlign > 1n && (pAlign & (pAlign - 1n)) !== 0n) fail(`${seg}: p_align ${hex(pAlign)} is not a power of two`);
    if (pVaddr + pMemsz > limit) {
      fail(
        `${seg}: ${hex(pVaddr)}-${hex(pVaddr + pMemsz)} is outside the ${arch} user address range (below ${hex(limit)})`,
      );
    }
    if (pType === PT_TLS) {
      tls = {
        vaddr: Number(pVaddr),
        offset: Number(pOffset),
        filesz: Number(pFilesz),
        memsz: Number(pMemsz),
        align: Number(pAlign),
      };
      continue;
    }
    // The gABI asks for congruence modulo p_align; mmap needs it modulo the page size.
    const modulus = pAlign > PAGE_SIZE ? pAlign : PAGE_SIZE;
    if (pVaddr % modulus !== pOffset % modulus) {
      fail(`${seg}: p_vaddr ${hex(pVaddr)} and p_offset ${hex(pOffset)} are not congruent modulo ${hex(modulus)}`);
    }
    total += pMemsz;
    loads.push({
      index: i,
      vaddr: Number(pVaddr),
      offset: Number(pOffset),
      filesz: Number(pFilesz),
      memsz: Number(pMemsz),
      flags: pFlags,
      readable: (pFlags & PF_R) !== 0,
      writable: (pFlags & PF_W) !== 0,
      executable: (pFlags & PF_X) !== 0,
      align: Number(pAlign),
    });
  }

  // ---- the image as a whole ---------------------------------------------------------------------
  if (loads.length === 0) fail('no PT_LOAD segments');
  for (let k = 1; k < loads.length; k++) {
    const a = loads[k - 1]!;
    const b = loads[k]!;
    const range = (s: ElfLoadSegment): string => `${hex(s.vaddr)}-${hex(s.vaddr + s.memsz)}`;
    if (b.vaddr < a.vaddr)
      fail(
        `PT_LOAD #${b.index} (${hex(b.vaddr)}) comes after PT_LOAD #${a.index} (${hex(a.vaddr)}): PT_LOAD segments must be sorted by p_vaddr`,
      );
    if (a.memsz > 0 && b.memsz > 0 && b.vaddr < a.vaddr + a.memsz)
      fail(`PT_LOAD #${b.index} (${range(b)}) overlaps PT_LOAD #${a.index} (${range(a)})`);
  }
  if (total > MAX_IMAGE_MEMORY)
    fail(`PT_LOAD segments need ${hex(total)} bytes of memory in total (the limit is 1 GiB)`);

  const entry = Number(eEntry);
  const entrySeg = loads.find(
    (s) => s.executable && eEntry >= BigInt(s.vaddr) && eEntry < BigInt(s.vaddr) + BigInt(s.memsz),
  );
  if (!entrySeg) fail(`entry point ${hex(eEntry)} is not inside an executable PT_LOAD segment`);

  let phdrAddr: number | null = null;
  if (phdrVaddr !== null) phdrAddr = Number(phdrVaddr);
  else {
    const holder = loads.find((s) => phoff >= s.offset && phoff + tableSize <= s.offset + s.filesz);
    if (holder) phdrAddr = holder.vaddr + (phoff - holder.offset);
  }

  return {
    file,
    bytes,
    arch,
    type: eType === ET_EXEC ? 'exec' : 'dyn',
    entry,
    phoff,
    phentsize: ePhentsize,
    phnum: ePhnum,
    phdrAddr,
    loads,
    stack,
    tls,
  };
}

/** `r-x`-style flags of a segment, for summaries. */
export function segmentPerms(flags: number): string {
  return `${flags & PF_R ? 'r' : '-'}${flags & PF_W ? 'w' : '-'}${flags & PF_X ? 'x' : '-'}`;
}
