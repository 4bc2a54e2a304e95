/** Builds small ELF64 images field by field, for parser tests (valid by default). */

export interface Phdr {
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align: bigint;
}

export interface ElfSpec {
  ident?: Partial<{ class: number; data: number; version: number; magic: number[] }>;
  type?: number;
  machine?: number;
  version?: number;
  entry?: bigint;
  phoff?: bigint;
  phentsize?: number;
  /** Defaults to phdrs.length. */
  phnum?: number;
  phdrs?: Phdr[];
  /** Total file size (default: large enough for the headers and all segments). */
  size?: number;
}

export const load = (
  vaddr: bigint,
  offset: bigint,
  filesz: bigint,
  memsz: bigint,
  flags: number,
  align = 0x1000n,
): Phdr => ({
  type: 1,
  flags,
  offset,
  vaddr,
  filesz,
  memsz,
  align,
});

export const phdr = (type: number, fields: Partial<Phdr> = {}): Phdr => ({
  type,
  flags: 0,
  offset: 0n,
  vaddr: 0n,
  filesz: 0n,
  memsz: 0n,
  align: 0n,
  ...fields,
});

/** A valid x86-64 static executable: R+X text at 0x400000 (with the headers), RW data, GNU_STACK. */
export function validSpec(): ElfSpec {
  return {
    type: 2,
    machine: 62,
    entry: 0x400100n,
    phdrs: [
      load(0x400000n, 0n, 0x200n, 0x200n, 5),
      load(0x401000n, 0x1000n, 0x10n, 0x2000n, 6),
      phdr(0x6474e551, { flags: 6, align: 16n }),
    ],
  };
}

export function buildElf(spec: ElfSpec): Uint8Array {
  const phdrs = spec.phdrs ?? [];
  const phoff = spec.phoff ?? 64n;
  let size = phoff < 1n << 32n ? Number(phoff) + 56 * phdrs.length : 64;
  for (const p of phdrs) {
    if (p.filesz > 0n && p.offset + p.filesz < 1n << 32n) size = Math.max(size, Number(p.offset + p.filesz));
  }
  size = Math.max(size, 64);
  const total = spec.size ?? size;
  const buf = new Uint8Array(Math.max(total, size));
  const v = new DataView(buf.buffer);
  const magic = spec.ident?.magic ?? [0x7f, 0x45, 0x4c, 0x46];
  magic.forEach((b, i) => (buf[i] = b));
  buf[4] = spec.ident?.class ?? 2;
  buf[5] = spec.ident?.data ?? 1;
  buf[6] = spec.ident?.version ?? 1;
  v.setUint16(16, spec.type ?? 2, true);
  v.setUint16(18, spec.machine ?? 62, true);
  v.setUint32(20, spec.version ?? 1, true);
  v.setBigUint64(24, spec.entry ?? 0x400100n, true);
  v.setBigUint64(32, phoff, true);
  v.setUint16(52, 64, true);
  v.setUint16(54, spec.phentsize ?? 56, true);
  v.setUint16(56, spec.phnum ?? phdrs.length, true);
  phdrs.forEach((p, i) => {
    const o = Number(phoff) + i * 56;
    if (o + 56 > buf.length) return;
    v.setUint32(o, p.type, true);
    v.setUint32(o + 4, p.flags, true);
    v.setBigUint64(o + 8, p.offset, true);
    v.setBigUint64(o + 16, p.vaddr, true);
    v.setBigUint64(o + 24, p.vaddr, true);
    v.setBigUint64(o + 32, p.filesz, true);
    v.setBigUint64(o + 40, p.memsz, true);
    v.setBigUint64(o + 48, p.align, true);
  });
  return buf.subarray(0, total);
}
