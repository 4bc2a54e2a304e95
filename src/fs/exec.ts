/**
 * execve of a static ELF (fs/binfmt_elf.c load_elf_binary, fs/exec.c): a fresh mm, PT_LOAD
 * segments as private file mappings (text/rodata fault in through the page cache), bss as
 * anonymous memory, brk after it, the [vvar]/[vdso] special mappings, and the initial stack
 * exactly as create_elf_tables builds it (strings, AT_RANDOM, argc/argv/envp/auxv).
 */
import { Cpu } from '../hw/cpu.js';
import type { ElfImage } from './binfmt_elf.js';
import { handle_mm_fault } from '../mm/memory.js';
import {
  doBrk,
  do_mmap,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_ANONYMOUS,
  mmapBase,
  pageAlign,
  pageDown,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  setupStackVma,
  STACK_TOP,
} from '../mm/mmap.js';
import { PAGE_SIZE } from '../include/linux/mmzone.js';
import { type KernelState } from '../include/faultpath/kernel_state.js';
import type { ModelFile } from '../include/linux/fs.js';
import type { MmStruct, Vma } from '../include/linux/mm_types.js';
import type { Task } from '../include/linux/sched.js';
import { SLAB_VM_AREA_STRUCT } from '../mm/slab.js';
import { find_vma } from '../mm/mmap.js';
import { memcg_slab_post_alloc_hook } from '../mm/slab.js';
import { mm_alloc } from '../kernel/fork.js';
import { mmput } from '../kernel/fork.js';
import { VM_FAULT_OOM } from '../include/linux/mm_types.js';
import { errno, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { E2BIG, EFAULT, ENOENT, ENOEXEC, ENOMEM } from '../include/uapi/asm-generic/errno.js';
import { strncpy_from_user } from '../lib/strncpy_from_user.js';
import { memdup_user } from '../mm/util.js';

export const AT = {
  NULL: 0,
  PHDR: 3,
  PHENT: 4,
  PHNUM: 5,
  PAGESZ: 6,
  BASE: 7,
  FLAGS: 8,
  ENTRY: 9,
  UID: 11,
  EUID: 12,
  GID: 13,
  EGID: 14,
  PLATFORM: 15,
  HWCAP: 16,
  CLKTCK: 17,
  SECURE: 23,
  RANDOM: 25,
  HWCAP2: 26,
  EXECFN: 31,
  SYSINFO_EHDR: 33,
  MINSIGSTKSZ: 51,
} as const;

/** HWCAPs a Neoverse-N1 (arm64) / qemu64 (x86: CPUID.1 EDX) guest reports. */
const HWCAP = { aarch64: 0x887fffn, x86_64: 0x78bfbfdn } as const;
const HWCAP2 = { aarch64: 0x0n, x86_64: 0x2n } as const;
/** get_sigframe_size(): arm64 signal frame with SVE absent / x86 xsave frame on qemu64. */
const MINSIGSTKSZ = { aarch64: 4720n, x86_64: 1440n } as const;
/** vvar + vdso pages: arm64 6.1 maps 2 + 1, x86-64 6.1 maps 4 + 2 (oracle README). */
const VDSO_PAGES = { aarch64: { vvar: 2, vdso: 1 }, x86_64: { vvar: 4, vdso: 2 } } as const;
const PLATFORM = { aarch64: 'aarch64', x86_64: 'x86_64' } as const;

export class ExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecError';
  }
}

export interface ExecArgs {
  file: ModelFile;
  image: ElfImage;
  argv: string[];
  envp: string[];
}

/** Total size limit of argv+envp strings (MAX_ARG_STRLEN-ish; the kernel's stack/4 rule). */
export const MAX_ARG_BYTES = 2 * 1024 * 1024;

/** A kernel-mode write to a user page of `mm` (copy_strings / clear_user through GUP). */
function kernelTouch(k: KernelState, t: Task, mm: MmStruct, vma: Vma, address: number): void {
  const prev = k.sched.current;
  const prevMm = t.mm;
  const w = mm.pgtable.walk(pageDown(address));
  if (w.level === 4 && mm.pgtable.fmt.permits(w.lo, w.hi, 'write')) return;
  // get_user_pages() on bprm->mm: the fault is not FAULT_FLAG_USER and current->mm differs.
  k.sched.current = t;
  t.mm = mm;
  t.flags.add('GUP_REMOTE');
  try {
    const F = k.profile.faultFlags;
    // get_arg_page() → faultin_page(): FOLL_WRITE|FOLL_REMOTE give FAULT_FLAG_WRITE|FAULT_FLAG_REMOTE
    // (4.19, 6.1); 3.12's __get_user_pages() passes FAULT_FLAG_WRITE alone (REMOTE is 0 there).
    const r = handle_mm_fault(k, vma, address, F.WRITE | F.REMOTE);
    if (r & VM_FAULT_OOM) throw new ExecError('out of memory while setting up the new program');
  } finally {
    t.flags.delete('GUP_REMOTE');
    t.mm = prevMm;
    k.sched.current = prev;
  }
}

/** Writes bytes into the user address space of mm through kernelTouch (copy_to_user). */
function copy_to_user(k: KernelState, t: Task, mm: MmStruct, address: number, data: Uint8Array): void {
  for (let off = 0; off < data.length; ) {
    const a = address + off;
    const vma = find_vma(mm, a);
    if (!vma || vma.start > a) throw new ExecError(`exec: stack write outside the stack at 0x${a.toString(16)}`);
    kernelTouch(k, t, mm, vma, a);
    const n = Math.min(data.length - off, PAGE_SIZE - (a % PAGE_SIZE));
    vma.mem.set(data.subarray(off, off + n), a - vma.start);
    off += n;
  }
}

/**
 * load_elf_binary(): builds the new mm for task t and returns it with the entry point and
 * initial stack pointer.  The caller installs it (exec_mmap) and sets the registers.
 */
export function load_elf_binary(k: KernelState, t: Task, a: ExecArgs): { mm: MmStruct; entry: number; sp: number } {
  const arch = k.arch;
  if (a.image.arch !== arch)
    throw new ExecError(
      `${a.file.path}: ${a.image.arch} executable cannot run on a ${arch} machine (Exec format error)`,
    );
  const strBytes = [...a.argv, ...a.envp, a.file.path].reduce((n, s) => n + Buffer.byteLength(s) + 1, 0);
  if (strBytes > MAX_ARG_BYTES)
    throw new ExecError(`${a.file.path}: argument list too long (${strBytes} bytes; E2BIG)`);
  const cpu = new Cpu(arch);
  const mm = mm_alloc(k, cpu);
  mm.ownerPid = t.pid;
  mm.mmapBase = mmapBase(arch);
  mm.exe = a.file;
  try {
    // --- copy_strings into the (still small) stack VMA: [vm_end - PAGE, vm_end) grown as needed.
    const top = STACK_TOP[arch];
    let p = top - 8;
    const enc = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)]);
    const execfn = enc(a.file.path);
    p -= execfn.length;
    const execfnAddr = p;
    const envAddrs: number[] = [];
    const envBufs = a.envp.map(enc);
    for (let i = envBufs.length - 1; i >= 0; i--) {
      p -= envBufs[i]!.length;
      envAddrs[i] = p;
    }
    const argAddrs: number[] = [];
    const argBufs = a.argv.map(enc);
    for (let i = argBufs.length - 1; i >= 0; i--) {
      p -= argBufs[i]!.length;
      argAddrs[i] = p;
    }
    // setup_arg_pages(): the VMA covers the strings' pages plus stack_expand (128 KiB).
    const vmStart = pageDown(p) - 128 * 1024;
    const stack = setupStackVma(k, mm, vmStart);
    if (!stack) throw new ExecError('cannot map the stack (engine region limit)');
    mm.startStack = p;
    mm.argStart = argAddrs[0] ?? p;
    mm.argEnd = envAddrs[0] ?? execfnAddr;
    mm.envStart = envAddrs[0] ?? execfnAddr;
    mm.envEnd = execfnAddr;
    copy_to_user(k, t, mm, execfnAddr, execfn);
    envBufs.forEach((b, i) => copy_to_user(k, t, mm, envAddrs[i]!, b));
    argBufs.forEach((b, i) => copy_to_user(k, t, mm, argAddrs[i]!, b));

    // --- PT_LOAD segments (elf_map), bss and brk.
    const img = a.image;
    let loadBias = 0;
    if (img.type === 'dyn') {
      // Static PIE without an interpreter: load_bias 0, mmap picks the place top-down.
      const lo = Math.min(...img.loads.map((s: { vaddr: number }) => pageDown(s.vaddr)));
      const hi = Math.max(...img.loads.map((s: { vaddr: number; memsz: number }) => s.vaddr + s.memsz));
      const span = pageAlign(hi) - lo;
      // the first (topmost) free area below mmap_base: the vdso is mapped after the binary
      loadBias = pageDown(mm.mmapBase - span - lo);
    }
    let elfBss = 0;
    let elfBrk = 0;
    for (const seg of img.loads) {
      const vaddr = seg.vaddr + loadBias;
      const start = pageDown(vaddr);
      const off = seg.offset - (vaddr - start);
      const fileEnd = pageAlign(vaddr + seg.filesz);
      const prot = (seg.flags & 4 ? PROT_READ : 0) | (seg.flags & 2 ? PROT_WRITE : 0) | (seg.flags & 1 ? PROT_EXEC : 0);
      if (fileEnd > start) {
        const r = do_mmap(k, mm, {
          addr: start,
          len: fileEnd - start,
          prot,
          flags: MAP_PRIVATE | MAP_FIXED,
          file: a.file,
          pgoff: off / PAGE_SIZE,
        });
        if (r < 0) throw new ExecError(`cannot map segment at 0x${start.toString(16)} (errno ${-r})`);
      }
      const segEnd = vaddr + seg.memsz;
      if (seg.memsz > seg.filesz) {
        const fileBytesEnd = vaddr + seg.filesz;
        if (fileBytesEnd % PAGE_SIZE && fileEnd > start) {
          // padzero(): clear the rest of the last file page (a write: the page becomes anon).
          const vma = find_vma(mm, fileBytesEnd)!;
          kernelTouch(k, t, mm, vma, fileBytesEnd);
          vma.mem.fill(0, fileBytesEnd - vma.start, fileEnd - vma.start);
        }
        if (pageAlign(segEnd) > fileEnd) {
          const r = do_mmap(k, mm, {
            addr: Math.max(fileEnd, start),
            len: pageAlign(segEnd) - Math.max(fileEnd, start),
            prot,
            flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
          });
          if (r < 0) throw new ExecError(`cannot map bss at 0x${fileEnd.toString(16)} (errno ${-r})`);
        }
      }
      elfBss = Math.max(elfBss, vaddr + seg.filesz);
      elfBrk = Math.max(elfBrk, segEnd);
    }
    void elfBss;
    mm.startBrk = mm.brk = pageAlign(elfBrk);
    doBrk(k, mm, mm.brk);

    // --- arch_setup_additional_pages(): [vvar] then [vdso], top-down below mmap_base.
    const vd = VDSO_PAGES[arch];
    const vvarAddr = do_mmap(k, mm, {
      addr: 0,
      len: (vd.vvar + vd.vdso) * PAGE_SIZE,
      prot: PROT_READ,
      flags: MAP_PRIVATE | MAP_ANONYMOUS,
      name: '[vvar]',
      special: true,
    });
    if (vvarAddr < 0) throw new ExecError('cannot map the vdso');
    const vdsoAddr = vvarAddr + vd.vvar * PAGE_SIZE;
    splitSpecial(k, mm, vdsoAddr);

    // --- create_elf_tables().
    const tbl = k.arch;
    p = mm.startStack;
    // arch_align_stack(): both arches round down to 16 bytes (no randomization).
    p = Math.floor(p / 16) * 16;
    void tbl;
    const plat = enc(PLATFORM[arch]);
    p -= plat.length;
    const platAddr = p;
    copy_to_user(k, t, mm, platAddr, plat);
    p -= 16;
    const randAddr = p;
    copy_to_user(k, t, mm, randAddr, k.random.bytes(16));
    const phdrAddr = (img.phdrAddr ?? 0) + (img.phdrAddr === null ? 0 : loadBias);
    const aux: [number, bigint][] = [
      [AT.SYSINFO_EHDR, BigInt(vdsoAddr)],
      [AT.MINSIGSTKSZ, MINSIGSTKSZ[arch]],
      [AT.HWCAP, HWCAP[arch]],
      [AT.PAGESZ, 4096n],
      [AT.CLKTCK, 100n],
      [AT.PHDR, BigInt(phdrAddr)],
      [AT.PHENT, BigInt(img.phentsize)],
      [AT.PHNUM, BigInt(img.phnum)],
      [AT.BASE, 0n],
      [AT.FLAGS, 0n],
      [AT.ENTRY, BigInt(img.entry + loadBias)],
      [AT.UID, 0n],
      [AT.EUID, 0n],
      [AT.GID, 0n],
      [AT.EGID, 0n],
      [AT.SECURE, 0n],
      [AT.RANDOM, BigInt(randAddr)],
      [AT.HWCAP2, HWCAP2[arch]],
      [AT.EXECFN, BigInt(execfnAddr)],
      [AT.PLATFORM, BigInt(platAddr)],
      [AT.NULL, 0n],
    ];
    const eiWords = aux.length * 2;
    const items = a.argv.length + 1 + (a.envp.length + 1) + 1;
    let sp = p - eiWords * 8;
    sp = Math.floor((sp - items * 8) / 16) * 16;
    const words: bigint[] = [BigInt(a.argv.length), ...argAddrs.map(BigInt), 0n, ...envAddrs.map(BigInt), 0n];
    for (const [key, v] of aux) words.push(BigInt(key), v);
    const buf = Buffer.alloc(words.length * 8);
    words.forEach((w, i) => buf.writeBigUInt64LE(BigInt.asUintN(64, w), i * 8));
    copy_to_user(k, t, mm, sp, buf);
    return { mm, entry: img.entry + loadBias, sp };
  } catch (e) {
    // Undo the half-built mm: nothing of it may leak (pages, charges, engine).
    tearDown(k, t, mm);
    throw e;
  }
}

function splitSpecial(k: KernelState, mm: MmStruct, vdsoAddr: number): void {
  memcg_slab_post_alloc_hook(k, mm, SLAB_VM_AREA_STRUCT);
  const v = mm.vmas.find((x) => x.start < vdsoAddr && x.end > vdsoAddr)!;
  const tail: Vma = {
    ...v,
    start: vdsoAddr,
    name: '[vdso]',
    flags: v.flags | 0x4,
    mem: v.mem.subarray(vdsoAddr - v.start),
  };
  v.end = vdsoAddr;
  v.mem = v.mem.subarray(0, vdsoAddr - v.start);
  mm.vmas.push(tail);
  mm.vmas.sort((x, y) => x.start - y.start);
}

function tearDown(k: KernelState, _t: Task, mm: MmStruct): void {
  // exit_mmap releases every page, charge and table of the failed image.
  k.mm.mms.delete(mm.id);
  mmput(k, mm);
  mm.cpu.close();
}

// ---------------------------------------------------------------- execve(2)

/** MAX_ARG_STRLEN (include/uapi/linux/binfmts.h): PAGE_SIZE * 32. */
const MAX_ARG_STRLEN = 32 * PAGE_SIZE;
/** PATH_MAX */
const PATH_MAX = 4096;

/**
 * count() + copy_strings(): each string is bounded by MAX_ARG_STRLEN and the whole argv+envp,
 * pointers included, by the stack/4 rule (MAX_ARG_BYTES, bprm_stack_limits); either overrun is
 * -E2BIG, an unreadable pointer or string -EFAULT.  `budget` carries the bytes left across argv
 * and envp.  A NULL array is empty.
 */
function copy_strings(c: SyscallContext, addr: bigint, budget: { left: number }): string[] | number {
  const out: string[] = [];
  if (addr === 0n) return out;
  for (let i = 0; ; i++) {
    budget.left -= 8;
    if (budget.left < 0) return -E2BIG;
    const p = memdup_user(c, addr + BigInt(i * 8), 8);
    if (!p) return -EFAULT;
    const v = p.readBigUInt64LE(0);
    if (v === 0n) return out;
    const s = strncpy_from_user(c, v, MAX_ARG_STRLEN);
    if (typeof s !== 'string') return s < 0 ? s : -E2BIG;
    budget.left -= Buffer.byteLength(s) + 1;
    if (budget.left < 0) return -E2BIG;
    out.push(s);
  }
}

/** The errno of a failed load: too long → E2BIG, not an ELF this model runs → ENOEXEC, else ENOMEM. */
function execErrno(e: unknown): number {
  if (e instanceof ExecError) return /too long/.test(e.message) ? E2BIG : /format/.test(e.message) ? ENOEXEC : ENOMEM;
  if ((e as Error).name === 'ElfError') return ENOEXEC;
  throw e;
}

/**
 * do_execveat_common(): the path, argv and envp from user memory, the file, then the machine loads
 * the image into the task (load_elf_binary + exec_mmap); a successful exec does not return.
 */
function do_execve(c: SyscallContext, filename: bigint, argvAddr: bigint, envpAddr: bigint): SyscallRet {
  const path = strncpy_from_user(c, filename, PATH_MAX);
  if (typeof path !== 'string') return errno(EFAULT);
  const budget = { left: MAX_ARG_BYTES };
  const argv = copy_strings(c, argvAddr, budget);
  if (typeof argv === 'number') return BigInt(argv);
  const envp = copy_strings(c, envpAddr, budget);
  if (typeof envp === 'number') return BigInt(envp);
  const file = c.vfs.d_lookup(path);
  if (!file) return errno(ENOENT);
  try {
    c.loader.execInto(c.t, file, argv, envp);
  } catch (e) {
    return errno(execErrno(e));
  }
  return null;
}

/** execve(filename, argv, envp) */
export function sys_execve(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return do_execve(c, a[0]!, a[1]!, a[2]!);
}
