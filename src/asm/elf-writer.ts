/**
 * ELF64 writer for small static executables (the output side of `src/asm/assemble.ts`).
 *
 * A pure function: segments + sections + symbols + entry point in, file bytes out.  The file
 * looks like what GNU ld produces for a classic non-PIE static executable (compare
 * /work/shared/oracle/programs/oracle.ld):
 *
 *   offset 0            ELF header, then the program header table ...
 *   ...                 ... inside the first PT_LOAD (R+X), which then holds .text
 *   page-aligned        next PT_LOAD segments (.rodata R, .data/.bss RW)
 *   after the segments  .symtab, .strtab, .shstrtab, then the section header table
 *
 * Why the headers live inside the first PT_LOAD: that is what ld does by default (FILEHDR PHDRS),
 * and Linux's binfmt_elf derives AT_PHDR from the mapped program headers, so a loader that
 * follows the kernel needs them mapped.
 *
 * Every PT_LOAD gets p_offset ≡ p_vaddr (mod 4096) — the ELF spec (gABI "Program Loading")
 * requires congruence modulo p_align, and the kernel's elf_map() mmaps whole pages, so file and
 * memory must share the page offset.  The writer pads the file with zeros to get there.
 *
 * Misuse by the caller (overlapping or unsorted segments, a first segment with no room for the
 * headers) is a programming error and throws a plain Error; the assembler never does that.
 */

export type ElfMachine = 'aarch64' | 'x86_64';

// e_machine values (gABI / <elf.h>).
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

// Program header types and flags (gABI; PT_GNU_STACK is the GNU extension Linux honours).
export const PT_LOAD = 1;
export const PT_GNU_STACK = 0x6474e551;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

// Section header types and flags.
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHF_WRITE = 1;
export const SHF_ALLOC = 2;
export const SHF_EXECINSTR = 4;
const SHN_ABS = 0xfff1;

const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STT_NOTYPE = 0;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_FILE = 4;

export const PAGE_SIZE = 4096;
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;

export interface WriterSegment {
  /** Address of the first byte of `data`.  For the first segment this is after the headers. */
  vaddr: bigint;
  /** The bytes stored in the file (p_filesz covers them). */
  data: Uint8Array;
  /** Bytes of memory from `vaddr`; >= data.length, the rest is zero-filled (.bss). */
  memsz: bigint;
  /** PF_R | PF_W | PF_X */
  flags: number;
}

export interface WriterSection {
  name: string;
  /** SHT_NOBITS (.bss): occupies memory, not file. */
  nobits: boolean;
  /** SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR */
  flags: number;
  addr: bigint;
  size: bigint;
  align: number;
}

export interface WriterSymbol {
  name: string;
  value: bigint;
  size: bigint;
  type: 'notype' | 'func' | 'object';
  global: boolean;
  /** Name of the WriterSection the symbol is defined in, or null for an absolute symbol. */
  section: string | null;
}

export interface ElfWriterInput {
  machine: ElfMachine;
  entry: bigint;
  /** PT_LOAD segments in ascending address order; the first one also maps the headers. */
  segments: WriterSegment[];
  /** Allocated sections (.text, .rodata, .data, .bss); each must lie inside a segment. */
  sections: WriterSection[];
  symbols: WriterSymbol[];
  /** Source file name for the STT_FILE symbol, as `as` emits it. */
  sourceFile?: string;
}

/** Size of the ELF header + program header table for `loadSegments` PT_LOADs (+ PT_GNU_STACK). */
export function elfHeadersSize(loadSegments: number): number {
  return EHDR_SIZE + PHDR_SIZE * (loadSegments + 1);
}

const pageDown = (a: bigint): bigint => a & ~BigInt(PAGE_SIZE - 1);

/** Growable little-endian byte buffer. */
class ByteSink {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  padTo(offset: number): void {
    if (offset < this.length) throw new Error(`elf-writer: cannot pad backwards to ${offset}`);
    this.reserve(offset - this.length);
    this.buf.fill(0, this.length, offset);
    this.length = offset;
  }
  align(n: number): void {
    this.padTo(Math.ceil(this.length / n) * n);
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  u64(v: bigint | number): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt.asUintN(64, BigInt(v)), true);
    this.length += 8;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A string table: NUL first (index 0 = empty name), then NUL-terminated names. */
class StringTable {
  private parts: string[] = [''];
  private size = 1;
  private index = new Map<string, number>([['', 0]]);
  add(s: string): number {
    const known = this.index.get(s);
    if (known !== undefined) return known;
    const at = this.size;
    this.parts.push(s);
    this.size += Buffer.byteLength(s) + 1;
    this.index.set(s, at);
    return at;
  }
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.from(this.parts.map((p) => p + '\0').join(''), 'utf8'));
  }
}

interface PlacedSegment {
  seg: WriterSegment;
  /** p_vaddr / p_offset / sizes as written to the program header. */
  pVaddr: bigint;
  pOffset: number;
  pFilesz: bigint;
  pMemsz: bigint;
  /** File offset of seg.data[0]. */
  dataOffset: number;
}

/** Serialise a static ELF64 executable.  See the file comment for the layout. */
export function writeElf(input: ElfWriterInput): Uint8Array {
  const { segments } = input;
  if (segments.length === 0) throw new Error('elf-writer: no segments');
  const headers = elfHeadersSize(segments.length);
  const out = new ByteSink();

  // ---- place the segments in the file --------------------------------------------------------
  const placed: PlacedSegment[] = [];
  let fileEnd = headers;
  let prevEnd = -1n;
  segments.forEach((seg, i) => {
    if (seg.memsz < BigInt(seg.data.length)) throw new Error(`elf-writer: segment ${i} memsz < data`);
    if (seg.vaddr < prevEnd) throw new Error(`elf-writer: segment ${i} overlaps or is out of order`);
    prevEnd = seg.vaddr + seg.memsz;
    if (i === 0) {
      // The first PT_LOAD starts at the page holding the ELF header (file offset 0).
      // When the first section is page aligned, the headers take the page before it (like ld).
      let pVaddr = pageDown(seg.vaddr);
      if (Number(seg.vaddr - pVaddr) < headers) pVaddr = pageDown(seg.vaddr - BigInt(headers));
      const lead = Number(seg.vaddr - pVaddr);
      placed.push({
        seg,
        pVaddr,
        pOffset: 0,
        pFilesz: BigInt(lead + seg.data.length),
        pMemsz: BigInt(lead) + seg.memsz,
        dataOffset: lead,
      });
      fileEnd = lead + seg.data.length;
    } else {
      // Smallest offset >= fileEnd with offset ≡ vaddr (mod page).
      const want = Number(seg.vaddr % BigInt(PAGE_SIZE));
      let off = fileEnd - (fileEnd % PAGE_SIZE) + want;
      if (off < fileEnd) off += PAGE_SIZE;
      placed.push({
        seg,
        pVaddr: seg.vaddr,
        pOffset: off,
        pFilesz: BigInt(seg.data.length),
        pMemsz: seg.memsz,
        dataOffset: off,
      });
      fileEnd = off + seg.data.length;
    }
  });

  // File offset of an address inside a segment (for section headers).
  const offsetOf = (addr: bigint): number => {
    for (const p of placed) {
      if (addr >= p.seg.vaddr && addr <= p.seg.vaddr + p.seg.memsz) return p.dataOffset + Number(addr - p.seg.vaddr);
    }
    throw new Error(`elf-writer: address 0x${addr.toString(16)} is not inside any segment`);
  };

  // ---- section header string table and symbol table -------------------------------------------
  const shstr = new StringTable();
  const strtab = new StringTable();
  // Section indices: 0 = NULL, 1.. = the allocated sections, then .symtab, .strtab, .shstrtab.
  const secIndex = new Map<string, number>();
  input.sections.forEach((s, i) => secIndex.set(s.name, i + 1));
  const symtabIdx = input.sections.length + 1;
  const strtabIdx = symtabIdx + 1;
  const shstrtabIdx = strtabIdx + 1;

  // gABI: all STB_LOCAL symbols precede the others; sh_info = index of the first non-local.
  const syms = new ByteSink();
  const putSym = (name: number, info: number, shndx: number, value: bigint, size: bigint): void => {
    syms.u32(name);
    syms.u8(info);
    syms.u8(0); // st_other: STV_DEFAULT
    syms.u16(shndx);
    syms.u64(value);
    syms.u64(size);
  };
  putSym(0, 0, 0, 0n, 0n);
  let nsyms = 1;
  if (input.sourceFile) {
    putSym(strtab.add(input.sourceFile), (STB_LOCAL << 4) | STT_FILE, SHN_ABS, 0n, 0n);
    nsyms++;
  }
  const typeCode = { notype: STT_NOTYPE, func: STT_FUNC, object: STT_OBJECT } as const;
  const ordered = [...input.symbols.filter((s) => !s.global), ...input.symbols.filter((s) => s.global)];
  let firstGlobal = -1;
  for (const s of ordered) {
    if (s.global && firstGlobal < 0) firstGlobal = nsyms;
    let shndx = SHN_ABS;
    if (s.section !== null) {
      const idx = secIndex.get(s.section);
      if (idx === undefined) throw new Error(`elf-writer: symbol ${s.name} in unknown section ${s.section}`);
      shndx = idx;
    }
    putSym(strtab.add(s.name), ((s.global ? STB_GLOBAL : STB_LOCAL) << 4) | typeCode[s.type], shndx, s.value, s.size);
    nsyms++;
  }
  if (firstGlobal < 0) firstGlobal = nsyms;
  const sectionNames = input.sections.map((s) => shstr.add(s.name));
  const symtabName = shstr.add('.symtab');
  const strtabName = shstr.add('.strtab');
  const shstrtabName = shstr.add('.shstrtab');

  // ---- write: headers, segment contents, tables, section headers --------------------------------
  const symBytes = syms.result();
  const strBytes = strtab.bytes();
  let afterSegments = fileEnd;
  const symtabOff = Math.ceil(afterSegments / 8) * 8;
  afterSegments = symtabOff + symBytes.length;
  const strtabOff = afterSegments;
  afterSegments += strBytes.length;
  const shstrBytes = shstr.bytes();
  const shstrOff = afterSegments;
  afterSegments += shstrBytes.length;
  const shoff = Math.ceil(afterSegments / 8) * 8;
  const shnum = shstrtabIdx + 1;

  // ELF header (gABI "ELF Header").
  out.bytes(
    new Uint8Array([
      0x7f, 0x45, 0x4c, 0x46, 2 /* ELFCLASS64 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */, 0 /* ELFOSABI_SYSV */,
    ]),
  );
  out.padTo(16);
  out.u16(2); // e_type ET_EXEC
  out.u16(input.machine === 'aarch64' ? EM_AARCH64 : EM_X86_64);
  out.u32(1); // e_version
  out.u64(input.entry);
  out.u64(EHDR_SIZE); // e_phoff: program headers right after the ELF header
  out.u64(shoff);
  out.u32(0); // e_flags
  out.u16(EHDR_SIZE);
  out.u16(PHDR_SIZE);
  out.u16(segments.length + 1);
  out.u16(SHDR_SIZE);
  out.u16(shnum);
  out.u16(shstrtabIdx);

  // Program headers.
  for (const p of placed) {
    out.u32(PT_LOAD);
    out.u32(p.seg.flags);
    out.u64(p.pOffset);
    out.u64(p.pVaddr);
    out.u64(p.pVaddr); // p_paddr: same as p_vaddr, as ld does
    out.u64(p.pFilesz);
    out.u64(p.pMemsz);
    out.u64(PAGE_SIZE);
  }
  // PT_GNU_STACK RW: tells the kernel the stack need not be executable (no READ_IMPLIES_EXEC).
  out.u32(PT_GNU_STACK);
  out.u32(PF_R | PF_W);
  for (let i = 0; i < 5; i++) out.u64(0);
  out.u64(16);

  for (const p of placed) {
    out.padTo(p.dataOffset);
    out.bytes(p.seg.data);
  }
  out.padTo(symtabOff);
  out.bytes(symBytes);
  out.bytes(strBytes);
  out.bytes(shstrBytes);
  out.padTo(shoff);

  const shdr = (
    name: number,
    type: number,
    flags: number,
    addr: bigint,
    offset: number,
    size: bigint | number,
    link: number,
    info: number,
    align: number,
    entsize: number,
  ): void => {
    out.u32(name);
    out.u32(type);
    out.u64(flags);
    out.u64(addr);
    out.u64(offset);
    out.u64(size);
    out.u32(link);
    out.u32(info);
    out.u64(align);
    out.u64(entsize);
  };
  shdr(0, 0, 0, 0n, 0, 0, 0, 0, 0, 0);
  input.sections.forEach((s, i) => {
    shdr(
      sectionNames[i] ?? 0,
      s.nobits ? SHT_NOBITS : SHT_PROGBITS,
      s.flags,
      s.addr,
      offsetOf(s.addr),
      s.size,
      0,
      0,
      s.align,
      0,
    );
  });
  shdr(symtabName, SHT_SYMTAB, 0, 0n, symtabOff, symBytes.length, strtabIdx, firstGlobal, 8, SYM_SIZE);
  shdr(strtabName, SHT_STRTAB, 0, 0n, strtabOff, strBytes.length, 0, 0, 1, 0);
  shdr(shstrtabName, SHT_STRTAB, 0, 0n, shstrOff, shstrBytes.length, 0, 0, 1, 0);
  return out.result();
}
