/**
 * x86 page-fault error code bits and the user-segfault report text.
 *
 * Mirrors arch/x86/include/asm/trap_pf.h (6.1; 4.19 keeps the enum in asm/traps.h, 3.12 in
 * arch/x86/mm/fault.c with PF_* names) and the printk formats of `show_signal_msg()`
 * (arch/x86/mm/fault.c), `show_opcodes()` (arch/x86/kernel/dumpstack.c), `print_vma_addr()`
 * (mm/memory.c) and `show_fault_oops()` (6.1, kernel-mode faults only).
 */
import type { KernelVersion } from '../../../../src/include/faultpath/profile.js';

export type Profile = KernelVersion;

export const X86_PF_PROT = 1 << 0;
export const X86_PF_WRITE = 1 << 1;
export const X86_PF_USER = 1 << 2;
export const X86_PF_RSVD = 1 << 3;
export const X86_PF_INSTR = 1 << 4;
/** protection keys (4.19 and 6.1; not in 3.12) */
export const X86_PF_PK = 1 << 5;
/** shadow-stack access — added in 6.6, absent from every modeled profile */
export const X86_PF_SHSTK = 1 << 6;
/** SGX EPCM fault (6.1; added in 5.11) */
export const X86_PF_SGX = 1 << 15;

/** X86_TRAP_PF, the IDT vector of #PF */
export const X86_TRAP_PF = 14;

/** TASK_SIZE_MAX on x86-64 with 4-level paging: (1 << 47) - PAGE_SIZE */
export const X86_TASK_SIZE_MAX = (1n << 47n) - 4096n;

export interface PfBit {
  bit: number;
  /** kernel constant name in this profile (3.12 spells them PF_*) */
  name: string;
  /** short meaning as the trap_pf.h comment states it, for set and clear */
  set: string;
  clear: string;
}

const BITS_ALL: readonly (PfBit & { profiles: readonly Profile[] })[] = [
  {
    bit: X86_PF_PROT,
    name: 'PROT',
    set: 'protection fault (page present)',
    clear: 'no page found (not present)',
    profiles: ['6.1', '4.19', '3.12'],
  },
  { bit: X86_PF_WRITE, name: 'WRITE', set: 'write access', clear: 'read access', profiles: ['6.1', '4.19', '3.12'] },
  {
    bit: X86_PF_USER,
    name: 'USER',
    set: 'user-mode access',
    clear: 'kernel-mode access',
    profiles: ['6.1', '4.19', '3.12'],
  },
  {
    bit: X86_PF_RSVD,
    name: 'RSVD',
    set: 'use of reserved bit detected',
    clear: 'no reserved bit set',
    profiles: ['6.1', '4.19', '3.12'],
  },
  {
    bit: X86_PF_INSTR,
    name: 'INSTR',
    set: 'fault was an instruction fetch',
    clear: 'not an instruction fetch',
    profiles: ['6.1', '4.19', '3.12'],
  },
  {
    bit: X86_PF_PK,
    name: 'PK',
    set: 'protection keys block access',
    clear: 'not a protection-key fault',
    profiles: ['6.1', '4.19'],
  },
  { bit: X86_PF_SGX, name: 'SGX', set: 'SGX MMU page-fault', clear: 'not an SGX fault', profiles: ['6.1'] },
];

/** The error-code bits a profile's kernel defines, with the profile's constant names. */
export function pfBits(profile: Profile = '6.1'): readonly PfBit[] {
  return BITS_ALL.filter((b) => b.profiles.includes(profile)).map(({ bit, name, set, clear }) => ({
    bit,
    name: (profile === '3.12' ? 'PF_' : 'X86_PF_') + name,
    set,
    clear,
  }));
}

export interface DecodedPf {
  code: number;
  prot: boolean;
  write: boolean;
  user: boolean;
  rsvd: boolean;
  instr: boolean;
  pk: boolean;
  shstk: boolean;
  sgx: boolean;
  /** names of the set bits known to the profile, e.g. ['X86_PF_WRITE', 'X86_PF_USER'] */
  names: string[];
  /** set bits the profile's kernel does not define */
  unknownBits: number;
}

export function decodePf(code: number, profile: Profile = '6.1'): DecodedPf {
  if (!Number.isInteger(code) || code < 0 || code > 0xffffffff)
    throw new RangeError(`x86 page-fault error code must be a 32-bit unsigned integer, got ${code}`);
  const bits = pfBits(profile);
  let known = 0;
  const names: string[] = [];
  for (const b of bits) {
    known |= b.bit;
    if (code & b.bit) names.push(b.name);
  }
  return {
    code,
    prot: !!(code & X86_PF_PROT),
    write: !!(code & X86_PF_WRITE),
    user: !!(code & X86_PF_USER),
    rsvd: !!(code & X86_PF_RSVD),
    instr: !!(code & X86_PF_INSTR),
    pk: !!(code & X86_PF_PK),
    shstk: !!(code & X86_PF_SHSTK),
    sgx: !!(code & X86_PF_SGX),
    names,
    unknownBits: (code & ~known) >>> 0,
  };
}

/**
 * `sanitize_error_code()` (6.1; open-coded in 4.19/3.12 __bad_area_nosemaphore): user-mode
 * accesses to kernel addresses always look like protection faults, so the page-table layout of
 * the kernel half does not leak.  3.12 compares against TASK_SIZE, which equals TASK_SIZE_MAX
 * for a 64-bit task.
 */
export function sanitize_error_code(
  address: bigint,
  errorCode: number,
  taskSizeMax: bigint = X86_TASK_SIZE_MAX,
): number {
  return address >= taskSizeMax ? (errorCode | X86_PF_PROT) >>> 0 : errorCode;
}

// ---------------------------------------------------------------------------------------------
// Report formatting
// ---------------------------------------------------------------------------------------------

const hex = (v: bigint | number): string => BigInt(v).toString(16);
const hexPad = (v: bigint | number, w: number): string => BigInt.asUintN(64, BigInt(v)).toString(16).padStart(w, '0');

/** What `print_vma_addr()` found: the file-backed VMA that `find_vma(mm, ip)` returned. */
export interface VmaAddr {
  /** kbasename() of the backing file's path */
  name: string;
  start: bigint;
  /** vm_end - vm_start */
  size: bigint;
}

/** A VMA as needed to emulate print_vma_addr()'s find_vma() lookup. */
export interface VmaDesc {
  start: bigint;
  end: bigint;
  /** path of the backing file; null/undefined for anonymous mappings */
  file?: string | null;
}

/**
 * `print_vma_addr(prefix, ip)` lookup (mm/memory.c): `find_vma()` returns the first VMA whose
 * vm_end is above ip — even when ip lies in the gap below it — and the text is printed only
 * if that VMA is file-backed.  Returns the pieces, or null when nothing is printed.
 */
export function printVmaAddrLookup(ip: bigint, vmas: readonly VmaDesc[]): VmaAddr | null {
  let best: VmaDesc | undefined;
  for (const v of vmas) if (v.end > ip && (!best || v.start < best.start)) best = v;
  if (!best || !best.file) return null;
  const base = best.file.slice(best.file.lastIndexOf('/') + 1);
  return { name: base, start: best.start, size: best.end - best.start };
}

/** `" in %s[%lx+%lx]"` as printed by print_vma_addr(KERN_CONT " in ", ip) */
export function formatVmaAddr(vma: VmaAddr | null | undefined): string {
  return vma ? ` in ${vma.name}[${hex(vma.start)}+${hex(vma.size)}]` : '';
}

/** What show_opcodes() could read: the 64 bytes at ip-42, a failed copy, or -EPERM. */
export type OpcodeDump =
  | { kind: 'bytes'; bytes: Uint8Array | readonly number[] }
  | { kind: 'fault' }
  | { kind: 'eperm' };

export interface X86SegfaultFields {
  /** task comm (truncated to TASK_COMM_LEN-1 = 15 characters like the kernel's) */
  comm: string;
  pid: number;
  /** CR2 */
  address: bigint;
  ip: bigint;
  sp: bigint;
  /** the error code show_signal_msg() receives, i.e. after sanitize_error_code() */
  errorCode: number;
  /** print_vma_addr() result for ip (see printVmaAddrLookup) */
  vma?: VmaAddr | null;
  /** 6.1 "likely on CPU" suffix: raw_smp_processor_id(), topology_core_id(), topology_physical_package_id() */
  cpu?: { cpu: number; core: number; socket: number };
  /** show_opcodes() input; omitted = no Code: line is produced */
  code?: OpcodeDump;
}

/** show_signal_msg() prints at KERN_INFO for pid > 1, KERN_EMERG for init. */
export function x86SegfaultLogLevel(pid: number): 'KERN_INFO' | 'KERN_EMERG' {
  return pid > 1 ? 'KERN_INFO' : 'KERN_EMERG';
}

const PROLOGUE_SIZE = 42;
const EPILOGUE_SIZE = 21;
const OPCODE_BUFSIZE = PROLOGUE_SIZE + 1 + EPILOGUE_SIZE;

/**
 * `show_opcodes(regs, loglvl)` for a user-mode ip: `"Code: %42ph <%02x> %21ph"`, or the
 * version's failure text (6.1 "Unable to access opcode bytes at 0x%lx." with ip-42; 4.19
 * "Bad RIP value." — also when ip-42..ip+21 is not below TASK_SIZE_MAX), or nothing (6.1 -EPERM,
 * and 3.12 whose show_signal_msg() has no Code: line at all).
 */
export function formatShowOpcodes(ip: bigint, dump: OpcodeDump, profile: Profile = '6.1'): string[] {
  if (profile === '3.12') return [];
  const prologue = BigInt.asUintN(64, ip - BigInt(PROLOGUE_SIZE));
  let bytes: readonly number[] | undefined;
  if (dump.kind === 'bytes') {
    bytes = Array.from(dump.bytes);
    if (bytes.length !== OPCODE_BUFSIZE)
      throw new RangeError(`show_opcodes needs exactly ${OPCODE_BUFSIZE} bytes (ip-42 .. ip+21), got ${bytes.length}`);
  }
  if (profile === '4.19') {
    // __chk_range_not_ok(prologue, OPCODE_BUFSIZE, TASK_SIZE_MAX): the range must end at or below the limit
    const badIp = prologue + BigInt(OPCODE_BUFSIZE) > X86_TASK_SIZE_MAX || prologue + BigInt(OPCODE_BUFSIZE) < prologue;
    if (badIp || !bytes) return ['Code: Bad RIP value.'];
  } else {
    if (dump.kind === 'eperm') return [];
    if (!bytes) return [`Code: Unable to access opcode bytes at 0x${hex(prologue)}.`];
  }
  const hb = (b: number) => (b & 0xff).toString(16).padStart(2, '0');
  const pro = bytes.slice(0, PROLOGUE_SIZE).map(hb).join(' ');
  const epi = bytes
    .slice(PROLOGUE_SIZE + 1)
    .map(hb)
    .join(' ');
  return [`Code: ${pro} <${hb(bytes[PROLOGUE_SIZE] ?? 0)}> ${epi}`];
}

/**
 * The lines `show_signal_msg()` prints for an unhandled user SIGSEGV from a page fault:
 * 6.1 `"%s%s[%d]: segfault at %lx ip %px sp %px error %lx"` + print_vma_addr +
 * `" likely on CPU %d (core %d, socket %d)"` + newline, then show_opcodes();
 * 4.19 the same without the CPU suffix; 3.12 `%p` (zero-padded like %px on 64-bit) and no
 * Code: line.  The log level prefix (see x86SegfaultLogLevel) is not part of the text.
 */
export function formatX86Segfault(f: X86SegfaultFields, profile: Profile = '6.1'): string[] {
  const comm = f.comm.slice(0, 15);
  let line = `${comm}[${f.pid}]: segfault at ${hex(BigInt.asUintN(64, f.address))} ip ${hexPad(f.ip, 16)} sp ${hexPad(f.sp, 16)} error ${hex(f.errorCode >>> 0)}`;
  line += formatVmaAddr(f.vma);
  if (profile === '6.1') {
    const c = f.cpu ?? { cpu: 0, core: 0, socket: 0 };
    line += ` likely on CPU ${c.cpu} (core ${c.core}, socket ${c.socket})`;
  }
  const out = [line];
  if (f.code) out.push(...formatShowOpcodes(f.ip, f.code, profile));
  return out;
}

/**
 * `show_fault_oops()` header lines for a kernel-mode fault (6.1), verbatim formats:
 * "BUG: kernel NULL pointer dereference, address: %px" / "BUG: unable to handle page fault for
 * address: %px", "#PF: %s %s in %s mode", "#PF: error_code(0x%04lx) - %s".  Only the two
 * #PF lines are derived from the error code; the rest of an oops is out of scope.
 */
export function formatPfOopsLines(address: bigint, errorCode: number, userModeRegs: boolean): string[] {
  const e = errorCode >>> 0;
  const first =
    address < 4096n && !userModeRegs
      ? `BUG: kernel NULL pointer dereference, address: ${hexPad(address, 16)}`
      : `BUG: unable to handle page fault for address: ${hexPad(address, 16)}`;
  const who = e & X86_PF_USER ? 'user' : 'supervisor';
  const what = e & X86_PF_INSTR ? 'instruction fetch' : e & X86_PF_WRITE ? 'write access' : 'read access';
  const why = !(e & X86_PF_PROT)
    ? 'not-present page'
    : e & X86_PF_RSVD
      ? 'reserved bit violation'
      : e & X86_PF_PK
        ? 'protection keys violation'
        : 'permissions violation';
  return [
    first,
    `#PF: ${who} ${what} in ${userModeRegs ? 'user' : 'kernel'} mode`,
    `#PF: error_code(0x${e.toString(16).padStart(4, '0')}) - ${why}`,
  ];
}
