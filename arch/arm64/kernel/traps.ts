/**
 * Text of the arm64 "unhandled exception" report for user faults, per kernel version.
 *
 * Mirrors (each function names its kernel counterpart):
 *  - 6.1  arch/arm64/kernel/traps.c `arm64_show_signal()` (called by arm64_force_sig_fault()),
 *  - 4.19 arch/arm64/kernel/traps.c `arm64_force_sig_info()`,
 *  - 3.12 arch/arm64/mm/fault.c `__do_user_fault()` (+ `show_pte()`, `show_regs()`),
 *  - `__show_regs()` / `print_pstate()` of arch/arm64/kernel/process.c,
 *  - `dump_stack_print_info()` (lib/dump_stack.c; kernel/printk/printk.c in 3.12),
 *  - `print_vma_addr()` (mm/memory.c),
 *  - `show_pte()`, `mem_abort_decode()` / `data_abort_decode()` of arch/arm64/mm/fault.c.
 *
 * What real 6.1 prints for an unhandled user fault (oracle results/aarch64/sigsegv_*): the
 * "unhandled exception" line, the CPU/Hardware lines, pstate, pc/lr/sp and the register dump.
 * mem_abort_decode() and show_pte() are *not* part of a 6.1/4.19 user-fault report (they run
 * only for kernel faults via die_kernel_fault()/do_mem_abort()); they are exported separately.
 * 3.12 does print show_pte() for user faults.
 */
import type { KernelVersion } from '../../../src/include/faultpath/profile.js';
import {
  ESR_ELx_CM,
  ESR_ELx_EA,
  ESR_ELx_EC,
  ESR_ELx_EC_IABT_LOW,
  ESR_ELx_FnV,
  ESR_ELx_FSC,
  ESR_ELx_IL,
  ESR_ELx_ISS_MASK,
  ESR_ELx_ISV,
  ESR_ELx_S1PTW,
  ESR_ELx_SET_MASK,
  ESR_LNX_EXEC,
  esrFields,
  esrLow32,
  esr_get_class_string,
  esr_is_data_abort,
} from '../include/asm/esr.js';
import { faultInfo } from '../mm/fault_info.js';

export type Profile = KernelVersion;
export type Arch = 'aarch64' | 'x86_64';

// --- small printf helpers --------------------------------------------------------------------
const u64 = (v: bigint | number): bigint => BigInt.asUintN(64, BigInt(v));
/** `%0Nllx` */
const hexPad = (v: bigint | number, w: number): string => u64(v).toString(16).padStart(w, '0');
/** `%lx` */
const hex = (v: bigint | number): string => u64(v).toString(16);
/** `%-2d` */
const left2 = (n: number): string => String(n).padEnd(2, ' ');

// ---------------------------------------------------------------------------------------------
// debug.exception-trace (show_unhandled_signals) defaults — kernel-reference.md §1.10
// ---------------------------------------------------------------------------------------------

/**
 * Boot default of `/proc/sys/debug/exception-trace` (`show_unhandled_signals`):
 * arm64 traps.c initialises it to 0 in 4.19 and 6.1 and to 1 in 3.12; x86 fault.c to 1.
 */
export function exceptionTraceDefault(profile: Profile, arch: Arch = 'aarch64'): 0 | 1 {
  if (arch === 'x86_64') return 1;
  return profile === '3.12' ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// dump_stack_print_info()
// ---------------------------------------------------------------------------------------------

export interface DumpStackInfo {
  /** raw_smp_processor_id() */
  cpu?: number;
  /** current->pid (the thread id) */
  pid: number;
  comm: string;
  /** print_tainted(): "Not tainted" or "Tainted: …" */
  tainted?: string;
  /** kexec_crash_loaded() — adds "Kdump: loaded " (4.19, 6.1) */
  kdumpLoaded?: boolean;
  /** init_utsname()->release, e.g. "6.1.0-56-arm64" */
  release: string;
  /** init_utsname()->version; printed up to its first space, e.g. "#1 SMP Debian …" → "#1" */
  version: string;
  /**
   * Text the distribution's kernel appends after the version token.  Debian's kernels print
   * their package version there: the oracle's 6.1.0-56 shows "#1  Debian 6.1.192-2", i.e. a
   * suffix of "  Debian 6.1.192-2".  Empty for vanilla kernels.
   */
  versionSuffix?: string;
  /** 6.1 BUILD_ID_FMT (" %20phN", CONFIG_STACKTRACE_BUILD_ID only) — the already formatted text */
  buildId?: string;
  /** dump_stack_arch_desc_str; null/undefined/"" = no "Hardware name:" line */
  hardwareName?: string | null;
}

/** `"CPU: %d PID: %d Comm: %.20s %s%s %s %.*s"` (+ BUILD_ID_FMT in 6.1), then "Hardware name: %s". */
export function formatDumpStackInfo(d: DumpStackInfo, profile: Profile = '6.1'): string[] {
  const sp = d.version.indexOf(' ');
  const ver = sp < 0 ? d.version : d.version.slice(0, sp);
  const comm = d.comm.slice(0, 15); // tsk->comm holds at most 15 characters; "%.20s" never cuts further
  const tainted = d.tainted ?? 'Not tainted';
  const kdump = profile !== '3.12' && d.kdumpLoaded ? 'Kdump: loaded ' : '';
  let line = `CPU: ${d.cpu ?? 0} PID: ${d.pid} Comm: ${comm} ${kdump}${tainted} ${d.release} ${ver}${d.versionSuffix ?? ''}`;
  if (profile === '6.1') line += d.buildId ?? '';
  const out = [line];
  if (d.hardwareName) out.push(`Hardware name: ${d.hardwareName}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// print_pstate()
// ---------------------------------------------------------------------------------------------

export const PSR_F_BIT = 0x40;
export const PSR_I_BIT = 0x80;
export const PSR_A_BIT = 0x100;
export const PSR_D_BIT = 0x200;
export const PSR_BTYPE_MASK = 0xc00;
export const PSR_BTYPE_SHIFT = 10;
export const PSR_SSBS_BIT = 0x1000;
export const PSR_PAN_BIT = 0x400000;
export const PSR_UAO_BIT = 0x800000;
export const PSR_DIT_BIT = 0x1000000;
export const PSR_TCO_BIT = 0x2000000;
export const PSR_V_BIT = 0x10000000;
export const PSR_C_BIT = 0x20000000;
export const PSR_Z_BIT = 0x40000000;
export const PSR_N_BIT = 0x80000000;

/** btypes[] of process.c, indexed by PSTATE.BTYPE */
const BTYPES = ['--', 'jc', '-c', 'j-'] as const;

/** The text after "pstate: " that print_pstate() prints for an AArch64 task. */
export function formatPstate(pstateIn: bigint | number, profile: Profile = '6.1'): string {
  const p = u64(pstateIn);
  const b = (m: number, on: string, off: string) => ((p & BigInt(m)) !== 0n ? on : off);
  const nzcv = b(PSR_N_BIT, 'N', 'n') + b(PSR_Z_BIT, 'Z', 'z') + b(PSR_C_BIT, 'C', 'c') + b(PSR_V_BIT, 'V', 'v');
  const daif = b(PSR_D_BIT, 'D', 'd') + b(PSR_A_BIT, 'A', 'a') + b(PSR_I_BIT, 'I', 'i') + b(PSR_F_BIT, 'F', 'f');
  const head = `${hexPad(p, 8)} (${nzcv} ${daif} ${b(PSR_PAN_BIT, '+', '-')}PAN ${b(PSR_UAO_BIT, '+', '-')}UAO`;
  if (profile !== '6.1') return `${head})`;
  const btype = BTYPES[Number((p & BigInt(PSR_BTYPE_MASK)) >> BigInt(PSR_BTYPE_SHIFT))];
  return `${head} ${b(PSR_TCO_BIT, '+', '-')}TCO ${b(PSR_DIT_BIT, '+', '-')}DIT ${b(PSR_SSBS_BIT, '+', '-')}SSBS BTYPE=${btype})`;
}

// ---------------------------------------------------------------------------------------------
// __show_regs() for a user-mode AArch64 task
// ---------------------------------------------------------------------------------------------

export interface Arm64Regs {
  /** x0..x30 (x30 = lr); at least x0..x29 when `lr` is given separately */
  regs: readonly bigint[];
  lr?: bigint;
  sp: bigint;
  pc: bigint;
  pstate: bigint | number;
  /** 6.1 prints "pmr_save: %08llx" only with pseudo-NMI (system_uses_irq_prio_masking()) */
  pmrSave?: bigint;
}

function regAt(r: Arm64Regs, i: number): bigint {
  const v = i === 30 ? (r.lr ?? r.regs[30]) : r.regs[i];
  if (v === undefined) throw new RangeError(`register x${i} missing`);
  return v;
}

/** Register dump lines of __show_regs(): 6.1 three per line, 4.19/3.12 two per line with a trailing space. */
export function formatGprs(r: Arm64Regs, profile: Profile = '6.1'): string[] {
  const out: string[] = [];
  if (profile === '6.1') {
    // printk("x%-2d: %016llx", i, …); while (i-- % 3) pr_cont(" x%-2d: %016llx", i, …);
    let i = 29;
    while (i >= 0) {
      let line = `x${left2(i)}: ${hexPad(regAt(r, i), 16)}`;
      while (i-- % 3) line += ` x${left2(i)}: ${hexPad(regAt(r, i), 16)}`;
      out.push(line);
    }
    return out;
  }
  // 4.19: printk("x%-2d: %016llx ") then, when the next index is even, pr_cont the same; 3.12
  // prints one register per printk and a "\n" after each even index — same text.
  for (let i = 29; i >= 0; i -= 2) {
    out.push(`x${left2(i)}: ${hexPad(regAt(r, i), 16)} x${left2(i - 1)}: ${hexPad(regAt(r, i - 1), 16)} `);
  }
  return out;
}

/** __show_regs() for a user-mode AArch64 task (4.19 / 6.1 layout). */
export function formatShowRegs(d: DumpStackInfo, r: Arm64Regs, profile: Profile = '6.1'): string[] {
  if (profile === '3.12') throw new Error('3.12 __show_regs has a different layout; use formatArm64UnhandledFault');
  const out = formatDumpStackInfo(d, profile);
  out.push(`pstate: ${formatPstate(r.pstate, profile)}`);
  out.push(`pc : ${hexPad(r.pc, 16)}`);
  out.push(`lr : ${hexPad(regAt(r, 30), 16)}`);
  out.push(`sp : ${hexPad(r.sp, 16)}`);
  if (profile === '6.1' && r.pmrSave !== undefined) out.push(`pmr_save: ${hexPad(r.pmrSave, 8)}`);
  out.push(...formatGprs(r, profile));
  return out;
}

// ---------------------------------------------------------------------------------------------
// show_pte()
// ---------------------------------------------------------------------------------------------

/**
 * Descriptor values show_pte() reads, top-down.  With 4 KiB pages: 6.1/4.19 (48-bit VA, four
 * levels) `pgd` = level-0 entry, `pud` = level 1, `pmd` = level 2, `pte` = level 3.  3.12
 * (39-bit VA, three levels, pud folded into pgd) `pgd` = level-1 entry, `pmd` = level 2,
 * `pte` = level 3 (`pud` unused).  Entries below the first empty/non-table one may be omitted.
 */
export interface PteWalk {
  pgd: bigint;
  pud?: bigint;
  pmd?: bigint;
  pte?: bigint;
}

export interface ShowPteInput {
  addr: bigint;
  walk: PteWalk;
  /** 6.1: physical address of mm->pgd (printed as "pgdp=%016lx") */
  pgdPhys?: bigint;
  /** 4.19 "pgdp = %p" / 3.12 "pgd = %p": the pointer text; 4.19 hashes %p, pass its printed form */
  pgdPtrText?: string;
  /** mm == &init_mm ("swapper") rather than a user mm */
  swapper?: boolean;
  /** VA_BITS / vabits_actual (48 on the modeled kernels) */
  vaBits?: number;
}

const isNone = (v: bigint) => v === 0n;
const noTableBit = (v: bigint) => (v & 2n) === 0n; // pgd/p4d/pud/pmd_bad in 4.19 and 3.12; p4d_bad in 6.1
const notTable = (v: bigint) => (v & 3n) !== 3n; // 6.1 pud_bad/pmd_bad: !pud_table()/!pmd_table()

/** The show_pte() lines for a user (TTBR0) address. */
export function formatShowPte(inp: ShowPteInput, profile: Profile = '6.1'): string[] {
  const { addr, walk } = inp;
  const who = inp.swapper ? 'swapper' : 'user';
  const vaBits = inp.vaBits ?? 48;
  const pud = walk.pud ?? 0n;
  const pmd = walk.pmd ?? 0n;
  const pte = walk.pte ?? 0n;
  if (profile === '6.1') {
    const head = `${who} pgtable: 4k pages, ${vaBits}-bit VAs, pgdp=${hexPad(inp.pgdPhys ?? 0n, 16)}`;
    let line = `[${hexPad(addr, 16)}] pgd=${hexPad(walk.pgd, 16)}`;
    // the p4d level is folded into the pgd (pgd_none/pgd_bad are constant 0): p4d == pgd entry
    do {
      line += `, p4d=${hexPad(walk.pgd, 16)}`;
      if (isNone(walk.pgd) || noTableBit(walk.pgd)) break;
      line += `, pud=${hexPad(pud, 16)}`;
      if (isNone(pud) || notTable(pud)) break;
      line += `, pmd=${hexPad(pmd, 16)}`;
      if (isNone(pmd) || notTable(pmd)) break;
      line += `, pte=${hexPad(pte, 16)}`;
    } while (false);
    return [head, line];
  }
  if (profile === '4.19') {
    const head = `${who} pgtable: 4k pages, ${vaBits}-bit VAs, pgdp = ${inp.pgdPtrText ?? hexPad(inp.pgdPhys ?? 0n, 16)}`;
    let line = `[${hexPad(addr, 16)}] pgd=${hexPad(walk.pgd, 16)}`;
    do {
      if (isNone(walk.pgd) || noTableBit(walk.pgd)) break;
      line += `, pud=${hexPad(pud, 16)}`;
      if (isNone(pud) || noTableBit(pud)) break;
      line += `, pmd=${hexPad(pmd, 16)}`;
      if (isNone(pmd) || noTableBit(pmd)) break;
      line += `, pte=${hexPad(pte, 16)}`;
    } while (false);
    return [head, line];
  }
  // 3.12: "pgd = %p", "[%08lx] *pgd=%016llx"; the folded pud is checked but never printed.
  const head = `pgd = ${inp.pgdPtrText ?? hexPad(inp.pgdPhys ?? 0n, 16)}`;
  let line = `[${hexPad(addr, 8)}] *pgd=${hexPad(walk.pgd, 16)}`;
  do {
    if (isNone(walk.pgd) || noTableBit(walk.pgd)) break; // pud_none/pud_bad on the folded entry
    line += `, *pmd=${hexPad(pmd, 16)}`;
    if (isNone(pmd) || noTableBit(pmd)) break;
    line += `, *pte=${hexPad(pte, 16)}`;
  } while (false);
  return [head, line];
}

// ---------------------------------------------------------------------------------------------
// mem_abort_decode() / data_abort_decode()
// ---------------------------------------------------------------------------------------------

/**
 * The lines mem_abort_decode(esr) prints (pr_alert) — 6.1 and 4.19 formats.  3.12 has no
 * mem_abort_decode(); an empty array is returned for it.
 */
export function formatMemAbortDecode(esrIn: number | bigint, profile: Profile = '6.1'): string[] {
  if (profile === '3.12') return [];
  const e = esrLow32(esrIn);
  const f = esrFields(e);
  const out = ['Mem abort info:'];
  if (profile === '6.1') {
    out.push(`  ESR = 0x${hexPad(typeof esrIn === 'bigint' ? esrIn : e, 16)}`);
    out.push(
      `  EC = 0x${f.ec.toString(16).padStart(2, '0')}: ${esr_get_class_string(e, profile)}, IL = ${e & ESR_ELx_IL ? 32 : 16} bits`,
    );
  } else {
    out.push(`  ESR = 0x${hexPad(e, 8)}`);
    out.push(`  Exception class = ${esr_get_class_string(e, profile)}, IL = ${e & ESR_ELx_IL ? 32 : 16} bits`);
  }
  out.push(`  SET = ${(e & ESR_ELx_SET_MASK) >>> 11}, FnV = ${e & ESR_ELx_FnV ? 1 : 0}`);
  out.push(`  EA = ${e & ESR_ELx_EA ? 1 : 0}, S1PTW = ${e & ESR_ELx_S1PTW ? 1 : 0}`);
  if (profile === '6.1')
    out.push(`  FSC = 0x${(e & ESR_ELx_FSC).toString(16).padStart(2, '0')}: ${faultInfo(profile, e).name}`);
  if (esr_is_data_abort(e)) {
    out.push('Data abort info:');
    if (e & ESR_ELx_ISV) {
      out.push(`  Access size = ${1 << f.sas} byte(s)`);
      out.push(`  SSE = ${f.sse}, SRT = ${f.srt}`);
      out.push(`  SF = ${f.sf}, AR = ${f.ar}`);
    } else {
      out.push(`  ISV = 0, ISS = 0x${hexPad((e & ESR_ELx_ISS_MASK) >>> 0, 8)}`);
    }
    out.push(`  CM = ${e & ESR_ELx_CM ? 1 : 0}, WnR = ${f.wnr}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The unhandled user-fault report
// ---------------------------------------------------------------------------------------------

/** print_vma_addr() result for regs->pc (see printVmaAddrLookup in arch/x86/include/asm/trap_pf.ts). */
export interface VmaAddr {
  name: string;
  start: bigint;
  size: bigint;
}

export interface Arm64UnhandledFaultFields extends Arm64Regs {
  comm: string;
  /** task_pid_nr(tsk) */
  pid: number;
  /** current->pid for the CPU: line, defaults to pid */
  tid?: number;
  /**
   * thread.fault_code — the ESR after set_thread_esr()/__do_user_fault() sanitising (see
   * sanitizeUserFaultEsr); 0 suppresses the "<class>, ESR 0x…, " part (4.19/6.1).  For 3.12
   * this is the ESR do_mem_abort() received; ESR_LNX_EXEC is ORed in for IABT_LOW like el0_ia.
   */
  esr: number | bigint;
  /** the str argument: inf->name of the fault (6.1: from the original ESR; 4.19: from the sanitised one) */
  faultName?: string;
  /** print_vma_addr(" in ", regs->pc) result; null when pc is not in a file-backed VMA */
  vma?: VmaAddr | null;
  /** dump_stack_print_info() inputs other than pid/comm */
  cpu?: number;
  tainted?: string;
  kdumpLoaded?: boolean;
  release: string;
  version: string;
  versionSuffix?: string;
  buildId?: string;
  hardwareName?: string | null;
  /** 3.12 only: fault address, signal number and show_pte() inputs */
  addr?: bigint;
  sig?: number;
  pte?: Omit<ShowPteInput, 'addr'>;
  /** 3.12 only: the "task: %p ti: %p task.ti: %p" pointers (printed zero-padded) */
  taskPtr?: bigint;
  threadInfoPtr?: bigint;
}

function dumpInfoOf(f: Arm64UnhandledFaultFields): DumpStackInfo {
  return {
    pid: f.tid ?? f.pid,
    comm: f.comm,
    release: f.release,
    version: f.version,
    ...(f.cpu !== undefined ? { cpu: f.cpu } : {}),
    ...(f.tainted !== undefined ? { tainted: f.tainted } : {}),
    ...(f.kdumpLoaded !== undefined ? { kdumpLoaded: f.kdumpLoaded } : {}),
    ...(f.versionSuffix !== undefined ? { versionSuffix: f.versionSuffix } : {}),
    ...(f.buildId !== undefined ? { buildId: f.buildId } : {}),
    ...(f.hardwareName !== undefined ? { hardwareName: f.hardwareName } : {}),
  };
}

/**
 * Everything the kernel prints for an unhandled user fault when debug.exception-trace is on
 * (callers decide whether it is on, whether unhandled_signal() holds and the ratelimit).
 *
 * 6.1 example (oracle sigsegv_null_store):
 *   null_store[114]: unhandled exception: DABT (lower EL), ESR 0x0000000092000046, level 2 translation fault in null_store[400000+1000]
 *   CPU: 0 PID: 114 Comm: null_store Not tainted 6.1.0-56-arm64 #1  Debian 6.1.192-2
 *   Hardware name: linux,dummy-virt (DT)
 *   pstate: 00001000 (nzcv daif -PAN -UAO -TCO -DIT +SSBS BTYPE=--)
 *   pc : 00000000004002f8
 *   lr : 00000000004000f4
 *   sp : 0000fffffffffdf0
 *   x29: … x28: … x27: …   (ten lines, x2 x1 x0 last)
 */
export function formatArm64UnhandledFault(f: Arm64UnhandledFaultFields, profile: Profile = '6.1'): string[] {
  const comm = f.comm.slice(0, 15);
  if (profile === '3.12') return format312(f, comm);
  const esr = typeof f.esr === 'bigint' ? u64(f.esr) : BigInt(esrLow32(f.esr));
  const name = f.faultName ?? faultInfo(profile, esr).name;
  let line = `${comm}[${f.pid}]: unhandled exception: `;
  if (esr !== 0n) {
    const cls = esr_get_class_string(esr, profile);
    line +=
      profile === '6.1' ? `${cls}, ESR 0x${hexPad(esr, 16)}, ` : `${cls}, ESR 0x${hexPad(esr & 0xffffffffn, 8)}, `;
  }
  line += name;
  if (f.vma) line += ` in ${f.vma.name}[${hex(f.vma.start)}+${hex(f.vma.size)}]`;
  return [line, ...formatShowRegs(dumpInfoOf(f), f, profile)];
}

/** 3.12 __do_user_fault(): pr_info line, show_pte(), show_regs(). */
function format312(f: Arm64UnhandledFaultFields, comm: string): string[] {
  let esr = esrLow32(f.esr);
  if (ESR_ELx_EC(esr) === ESR_ELx_EC_IABT_LOW) esr = (esr | ESR_LNX_EXEC) >>> 0; // el0_ia's orr
  if (f.addr === undefined) throw new Error('3.12 report needs the fault address (addr)');
  const inf = faultInfo('3.12', esr);
  const sig = f.sig ?? inf.sig;
  const name = f.faultName ?? inf.name;
  const out = [
    `${comm}[${f.pid}]: unhandled ${name} (${sig}) at 0x${hexPad(f.addr, 8)}, esr 0x${esr.toString(16).padStart(3, '0')}`,
  ];
  out.push(...formatShowPte({ addr: f.addr, ...(f.pte ?? { walk: { pgd: 0n } }) }, '3.12'));
  // show_regs(): printk("\n") then __show_regs()
  out.push('');
  out.push(...formatDumpStackInfo(dumpInfoOf(f), '3.12'));
  out.push(
    `task: ${hexPad(f.taskPtr ?? 0n, 16)} ti: ${hexPad(f.threadInfoPtr ?? 0n, 16)} task.ti: ${hexPad(f.threadInfoPtr ?? 0n, 16)}`,
  );
  // print_symbol(): user addresses are not in kallsyms, so sprint_symbol() falls back to "0x%lx"
  out.push(`PC is at 0x${hex(f.pc)}`);
  out.push(`LR is at 0x${hex(regAt(f, 30))}`);
  out.push(`pc : [<${hexPad(f.pc, 16)}>] lr : [<${hexPad(regAt(f, 30), 16)}>] pstate: ${hexPad(f.pstate, 8)}`);
  out.push(`sp : ${hexPad(f.sp, 16)}`);
  out.push(...formatGprs(f, '3.12'));
  out.push(''); // the trailing printk("\n")
  return out;
}

/**
 * 3.12 do_mem_abort() for a handler that returned non-zero (do_bad rows): printed even for
 * user faults — `pr_alert("Unhandled fault: %s (0x%08x) at 0x%016lx\n", inf->name, esr, addr)`.
 * 4.19 prints "Unhandled fault at 0x%016lx" only for kernel mode; 6.1 nothing (die_kernel_fault).
 */
export function format312UnhandledFaultAlert(esrIn: number | bigint, addr: bigint): string {
  const esr = esrLow32(esrIn);
  return `Unhandled fault: ${faultInfo('3.12', esr).name} (0x${hexPad(esr, 8)}) at 0x${hexPad(addr, 16)}`;
}
