/**
 * `faultpath explain`: human-readable decodes of an arm64 ESR value and an x86 page-fault error
 * code, saying what the modeled kernel does with them.  Pure functions returning text; the
 * commander wiring lives in src/cli/explain.ts.
 *
 * The arm64 decode embeds, verbatim, what the kernel's own mem_abort_decode() /
 * data_abort_decode() (arch/arm64/mm/fault.c) would print for the value; the x86 decode
 * follows do_user_addr_fault() / access_error() (arch/x86/mm/fault.c) per version.
 */
import {
  ESR_ELx_CM,
  ESR_ELx_EC,
  ESR_ELx_EC_BRK64,
  ESR_ELx_EC_DABT_CUR,
  ESR_ELx_EC_DABT_LOW,
  ESR_ELx_EC_IABT_CUR,
  ESR_ELx_EC_IABT_LOW,
  ESR_ELx_EC_SVC64,
  ESR_EC_NAMES,
  ESR_LNX_EXEC,
  esrFields,
  esr_get_class_string,
  esr_is_data_abort,
  esr_is_instr_abort,
  is_write_abort,
} from '../../arch/arm64/include/asm/esr.js';
import { faultInfo } from '../../arch/arm64/mm/fault_info.js';
import { mem_abort_decode as formatMemAbortDecode, sanitizeUserFaultEsr } from '../../arch/arm64/mm/fault.js';
import {
  X86_PF_INSTR,
  X86_PF_PK,
  X86_PF_PROT,
  X86_PF_SGX,
  X86_PF_SHSTK,
  X86_PF_USER,
  decodePf,
  pfBits,
  pfName,
} from '../../arch/x86/include/asm/trap_pf.js';
import { show_fault_oops as formatPfOopsLines } from '../../arch/x86/mm/fault.js';
import { type KernelProfile, PROFILES, type KernelVersion } from '../include/faultpath/profile.js';

export type Profile = KernelVersion;

function checkProfile(profile: string): Profile {
  if (!(profile in PROFILES))
    throw new Error(`unknown kernel profile '${profile}' (choose one of: ${Object.keys(PROFILES).join(', ')})`);
  return profile as Profile;
}

/**
 * Parse a register value given on the command line.  Strings are hexadecimal, with or without
 * "0x" (the kernel prints ESRs and x86 error codes in hex: "ESR 0x92000046", "error 15"), and may
 * contain "_" separators.  Numbers and bigints are taken as they are.
 */
function parseValue(value: string | bigint | number, what: string, maxBits: number): bigint {
  let v: bigint;
  if (typeof value === 'bigint') {
    v = value;
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`invalid ${what} ${value}: not an integer`);
    v = BigInt(value);
  } else if (typeof value === 'string') {
    const s = value.trim().replace(/_/g, '');
    if (s === '')
      throw new Error(
        `invalid ${what}: empty value (expected a hexadecimal number such as ${what === 'ESR' ? '0x92000046' : '0x6'})`,
      );
    const m = /^(?:0x)?([0-9a-f]+)$/i.exec(s);
    if (!m || m[1] === undefined)
      throw new Error(
        `invalid ${what} '${value}': expected a hexadecimal number such as ${what === 'ESR' ? '0x92000046' : '0x6'}`,
      );
    v = BigInt('0x' + m[1]);
  } else {
    throw new Error(`invalid ${what}: expected a string, number or bigint`);
  }
  if (v < 0n) throw new Error(`invalid ${what} ${value}: negative`);
  if (v >> BigInt(maxBits) !== 0n) throw new Error(`invalid ${what} 0x${v.toString(16)}: wider than ${maxBits} bits`);
  return v;
}

const hx = (v: number | bigint, w = 0) => '0x' + BigInt(v).toString(16).padStart(w, '0');

// ---------------------------------------------------------------------------------------------
// ESR
// ---------------------------------------------------------------------------------------------

/**
 * How the explanation describes each version's arm64 fault path where no profile field states the
 * difference: data per version (arch/arm64/kernel/entry.S, arch/arm64/mm/fault.c of each tree).
 */
interface Arm64Text {
  /** the EL0 abort path to do_mem_abort(), for instruction and data aborts */
  el0: { ia: string; da: string };
  /** the EL1 path (null ia: the version has no EL1 instruction-abort handler) and how unresolvable faults end */
  el1: { da: string; ia: string | null; die: string };
  /** the fault flags do_page_fault() starts from, by name */
  faultFlagsBase: string;
  /** el0_ia ORs ESR_LNX_EXEC into the ESR (3.12): do_page_fault() tests it for exec faults */
  esrLnxExec: boolean;
  /** do_page_fault() ORs in FAULT_FLAG_INSTRUCTION for instruction aborts (6.1) */
  execFaultFlag: boolean;
  /** the vm_flags a read fault requires */
  readVmFlags: string;
  /** do_translation_fault()'s test for a user address, or null: the 3.12 line names no signal */
  translationCheck: string | null;
  /** do_mem_abort() after do_bad() */
  doBad: 'arm64_notify_die' | 'die' | 'pr_alert';
  /** do_sea(): user mode tries apei_claim_sea() first (6.1) */
  seaApei: boolean;
  /** do_alignment_fault() may fix up AArch32 tasks (6.1 CONFIG_COMPAT_ALIGNMENT_FIXUPS) */
  alignmentFixups: boolean;
}

const ARM64_TEXT: Record<Profile, Arm64Text> = {
  '6.1': {
    el0: {
      ia: 'VBAR_EL1+0x400 el0t_64_sync -> el0t_64_sync_handler -> el0_ia -> do_mem_abort(far, esr, regs)',
      da: 'VBAR_EL1+0x400 el0t_64_sync -> el0t_64_sync_handler -> el0_da -> do_mem_abort(far, esr, regs)',
    },
    el1: {
      da: 'VBAR_EL1+0x200 el1h_64_sync -> el1h_64_sync_handler -> el1_abort',
      ia: 'VBAR_EL1+0x200 el1h_64_sync -> el1h_64_sync_handler -> el1_abort',
      die: 'die_kernel_fault()',
    },
    faultFlagsBase: 'FAULT_FLAG_DEFAULT|FAULT_FLAG_USER',
    esrLnxExec: false,
    execFaultFlag: true,
    readVmFlags: 'VM_READ|VM_WRITE (|VM_EXEC unless the CPU has ARM64_HAS_EPAN)',
    translationCheck: 'is_ttbr0_addr(untagged_addr(far))',
    doBad: 'arm64_notify_die',
    seaApei: true,
    alignmentFixups: true,
  },
  '4.19': {
    el0: {
      ia: 'VBAR_EL1+0x400 el0_sync -> el0_ia -> do_el0_ia_bp_hardening -> do_mem_abort(addr, esr, regs)',
      da: 'VBAR_EL1+0x400 el0_sync -> el0_da (clear_address_tag) -> do_mem_abort(addr, esr, regs)',
    },
    el1: { da: 'VBAR_EL1+0x200 el1_sync -> el1_da', ia: 'VBAR_EL1+0x200 el1_sync -> el1_ia', die: 'die()' },
    faultFlagsBase: 'FAULT_FLAG_ALLOW_RETRY|FAULT_FLAG_KILLABLE|FAULT_FLAG_USER',
    esrLnxExec: false,
    execFaultFlag: false,
    readVmFlags: 'VM_READ|VM_WRITE',
    translationCheck: 'addr < TASK_SIZE',
    doBad: 'die',
    seaApei: false,
    alignmentFixups: false,
  },
  '3.12': {
    el0: {
      ia: 'VBAR_EL1+0x400 el0_sync -> el0_ia (orr esr, #ESR_LNX_EXEC) -> do_mem_abort(addr, esr, regs)',
      da: 'VBAR_EL1+0x400 el0_sync -> el0_da (bic addr top byte) -> do_mem_abort(addr, esr, regs)',
    },
    el1: { da: 'VBAR_EL1+0x200 el1_sync -> el1_da', ia: null, die: 'die()' },
    faultFlagsBase: 'FAULT_FLAG_ALLOW_RETRY|FAULT_FLAG_KILLABLE|FAULT_FLAG_USER',
    esrLnxExec: true,
    execFaultFlag: false,
    readVmFlags: 'VM_READ|VM_WRITE|VM_EXEC',
    translationCheck: null,
    doBad: 'pr_alert',
    seaApei: false,
    alignmentFixups: false,
  },
};

function vectorPath(profile: Profile, ec: number): string {
  const el0 = ARM64_TEXT[profile].el0;
  return ec === ESR_ELx_EC_IABT_LOW ? el0.ia : el0.da;
}

/** vm_flags do_page_fault() requires of the VMA for this abort (arch/arm64/mm/fault.c). */
function requiredVmFlags(profile: Profile, esr: number): { vmFlags: string; mmFlags: string; kind: string } {
  const ec = ESR_ELx_EC(esr);
  const ff = PROFILES[profile].faultFlags;
  const text = ARM64_TEXT[profile];
  const base = text.faultFlagsBase;
  const baseVal = ff.DEFAULT | ff.USER;
  const exec = (text.esrLnxExec && (esr & ESR_LNX_EXEC) !== 0) || ec === ESR_ELx_EC_IABT_LOW;
  if (exec) {
    return text.execFaultFlag
      ? {
          kind: 'instruction fetch',
          vmFlags: 'VM_EXEC',
          mmFlags: `${base}|FAULT_FLAG_INSTRUCTION = ${hx(baseVal | ff.INSTRUCTION)}`,
        }
      : { kind: 'instruction fetch', vmFlags: 'VM_EXEC', mmFlags: `${base} = ${hx(baseVal)}` };
  }
  if (is_write_abort(esr))
    return {
      kind: 'write (WnR=1, CM=0)',
      vmFlags: 'VM_WRITE',
      mmFlags: `${base}|FAULT_FLAG_WRITE = ${hx(baseVal | ff.WRITE)}`,
    };
  const read = text.readVmFlags;
  return {
    kind: (esr & ESR_ELx_CM) !== 0 ? 'cache maintenance (CM=1: treated as a read)' : 'read',
    vmFlags: read,
    mmFlags: `${base} = ${hx(baseVal)}`,
  };
}

function handlerLines(profile: Profile, esr: number, userAbort: boolean): string[] {
  const inf = faultInfo(profile, esr);
  const text = ARM64_TEXT[profile];
  const out: string[] = [];
  const sig = `${inf.sigName} (${inf.sig}), si_code ${inf.codeName}${inf.codeName === '0' ? '' : ` (${inf.code === 0x80 ? '0x80' : inf.code})`}`;
  switch (inf.fn) {
    case 'do_translation_fault':
      out.push(
        text.translationCheck === null
          ? '  do_translation_fault(): addr < TASK_SIZE -> do_page_fault(); else do_bad_area() -> SIGSEGV SEGV_MAPERR'
          : `  do_translation_fault(): ${text.translationCheck} -> do_page_fault(); else do_bad_area() -> ${sig}`,
      );
      out.push(...pageFaultLines(profile, esr));
      break;
    case 'do_page_fault':
      out.push(...pageFaultLines(profile, esr));
      break;
    case 'do_bad':
      out.push('  do_bad() returns 1 ("unhandled"): do_mem_abort() then');
      if (text.doBad === 'arm64_notify_die')
        out.push(
          `    user mode: arm64_notify_die("${inf.name}", regs, ${inf.sigName}, ${inf.codeName}, addr, esr)${inf.sig === 9 ? ' -> force_sig(SIGKILL)' : ''}; kernel mode: die_kernel_fault()`,
        );
      else if (text.doBad === 'die')
        out.push(
          `    kernel mode: "Unhandled fault at 0x…", mem_abort_decode(), show_pte(), then die(); user mode: arm64_notify_die() with ${sig}`,
        );
      else
        out.push(
          `    pr_alert("Unhandled fault: ${inf.name} (0x${esr.toString(16).padStart(8, '0')}) at 0x…") even for user faults, then ${sig}`,
        );
      break;
    case 'do_sea':
      out.push(
        text.seaApei
          ? `  do_sea(): user mode tries apei_claim_sea() first; else arm64_notify_die("${inf.name}", ${sig}, si_addr = FnV ? 0 : untagged far)`
          : `  do_sea(): arm64_notify_die("${inf.name}") with ${sig}, si_addr = FnV ? NULL : addr`,
      );
      break;
    case 'do_alignment_fault':
      out.push(
        `  do_alignment_fault(): ${text.alignmentFixups ? 'AArch32 tasks may be fixed up (CONFIG_COMPAT_ALIGNMENT_FIXUPS); otherwise ' : ''}do_bad_area() -> ${sig}`,
      );
      break;
    case 'do_tag_check_fault':
      out.push(
        `  do_tag_check_fault(): restores FAR bits 63:60 from the untagged address, then do_bad_area() -> ${sig}`,
      );
      break;
  }
  if (userAbort && inf.fn !== 'do_bad' && inf.fn !== 'do_sea') {
    const prof = PROFILES[profile];
    if (prof.report.arm64.esrSanitize === 'none') {
      out.push(`  (${profile} does not sanitise the ESR of faults on kernel addresses)`);
    } else {
      // set_thread_esr() (6.1) / __do_user_fault() (4.19)
      const k = sanitizeUserFaultEsr(1n << 60n, esr, prof);
      out.push(
        `  kernel address from EL0: thread.fault_code and the printed ESR become ${hx(k.esr, prof.report.arm64.esrDigits)}; the printed name is "${faultInfo(profile, k.nameEsr).name}"`,
      );
    }
  }
  return out;
}

function pageFaultLines(profile: Profile, esr: number): string[] {
  const r = requiredVmFlags(profile, esr);
  return [
    `  do_page_fault(): ${r.kind} -> VMA must have ${r.vmFlags}; mm_flags ${r.mmFlags}`,
    '    no VMA (or below a non-growable VMA) -> VM_FAULT_BADMAP -> SIGSEGV SEGV_MAPERR',
    `    VMA lacks ${r.vmFlags} -> VM_FAULT_BADACCESS -> SIGSEGV SEGV_ACCERR`,
    '    otherwise handle_mm_fault(); VM_FAULT_OOM -> pagefault_out_of_memory(); VM_FAULT_SIGBUS -> SIGBUS BUS_ADRERR',
  ];
}

type EsrFields = ReturnType<typeof esrFields>;
type FaultInfoEntry = ReturnType<typeof faultInfo>;

/** The ISS fields of a data or instruction abort, and the fault_info[] entry its FSC selects. */
function abortFieldLines(p: Profile, esr: number, f: EsrFields, data: boolean): string[] {
  const out: string[] = [];
  if (data) {
    out.push(
      `    ISV   [24]    = ${f.isv}     ${f.isv ? 'instruction syndrome valid' : 'no instruction syndrome (SAS, SSE, SRT, SF, AR are not valid)'}`,
    );
    out.push(`    SAS   [23:22] = ${f.sas}     access size ${1 << f.sas} byte(s)${f.isv ? '' : ' (invalid)'}`);
    out.push(`    SSE   [21]    = ${f.sse}`);
    out.push(`    SRT   [20:16] = ${f.srt}${f.srt < 10 ? ' ' : ''}    register x${f.srt}${f.isv ? '' : ' (invalid)'}`);
    out.push(
      `    SF    [15]    = ${f.sf}     ${f.sf ? '64-bit register' : '32-bit register'}${f.isv ? '' : ' (invalid)'}`,
    );
    out.push(`    AR    [14]    = ${f.ar}     ${f.ar ? 'acquire/release' : 'no acquire/release semantics'}`);
  }
  out.push(`    SET   [12:11] = ${f.set}`);
  out.push(`    FnV   [10]    = ${f.fnv}     ${f.fnv ? 'FAR is not valid' : 'FAR is valid'}`);
  out.push(`    EA    [9]     = ${f.ea}     ${f.ea ? 'external abort' : 'not an external abort'}`);
  if (data)
    out.push(
      `    CM    [8]     = ${f.cm}     ${f.cm ? 'cache maintenance instruction' : 'not a cache maintenance instruction'}`,
    );
  out.push(
    `    S1PTW [7]     = ${f.s1ptw}     ${f.s1ptw ? 'fault on a stage-2 walk of a stage-1 translation table' : 'not a fault on a stage-1 table walk'}`,
  );
  if (data) out.push(`    WnR   [6]     = ${f.wnr}     ${f.wnr ? 'write' : 'read'}`);
  const inf = faultInfo(p, esr);
  out.push(`    ${data ? 'DFSC' : 'IFSC'}  [5:0]   = ${hx(f.fsc, 2)}  ${inf.name}`);
  out.push('');
  out.push(
    `fault_info[${inf.index}] (Linux ${p}): ${inf.fn}, ${inf.sigName} (${inf.sig}), ${inf.codeName}${inf.codeName === '0' ? '' : ` (${inf.code === 0x80 ? '0x80' : inf.code})`}, "${inf.name}"`,
  );
  return out;
}

/** The exception path of an abort from EL0 or EL1, then what the handler does. */
function abortPathLines(p: Profile, esr: number, f: EsrFields, inf: FaultInfoEntry, userAbort: boolean): string[] {
  const out: string[] = [];
  const text = ARM64_TEXT[p];
  if (userAbort) {
    out.push(`Kernel path (EL0): ${vectorPath(p, f.ec)} -> ${inf.fn}()`);
  } else if (f.ec === ESR_ELx_EC_DABT_CUR || f.ec === ESR_ELx_EC_IABT_CUR) {
    const el1 = f.ec === ESR_ELx_EC_DABT_CUR ? text.el1.da : text.el1.ia;
    if (el1 === null) {
      out.push(
        `Kernel path (EL1): VBAR_EL1+0x200 el1_sync -> el1_inv -> bad_mode(): ${p} has no EL1 instruction-abort handler`,
      );
    } else {
      out.push(
        `Kernel path (EL1): ${el1} -> do_mem_abort() -> ${inf.fn}(); unresolvable faults end in ${text.el1.die}`,
      );
    }
  }
  if (!(text.el1.ia === null && f.ec === ESR_ELx_EC_IABT_CUR)) out.push(...handlerLines(p, esr, userAbort));
  return out;
}

/** What the kernel prints for an unhandled user abort (when exception-trace is on). */
function userReportLines(p: Profile, v: bigint, esr: number, f: EsrFields, inf: FaultInfoEntry): string[] {
  const out: string[] = [''];
  const fmt = PROFILES[p].report.arm64;
  if (fmt.userFaultReport === '__do_user_fault' && inf.fn === 'do_bad') {
    out.push(
      `${p} prints only the do_mem_abort() "Unhandled fault:" alert for this entry (arm64_notify_die() shows no report).`,
    );
  } else if (fmt.userFaultReport === '__do_user_fault') {
    const e312 = f.ec === ESR_ELx_EC_IABT_LOW ? (esr | ESR_LNX_EXEC) >>> 0 : esr;
    out.push(
      `If the signal is unhandled (debug.exception-trace=${PROFILES[p].arm64ExceptionTraceDefault} by default in ${p}), __do_user_fault() prints:`,
    );
    out.push(
      `  <comm>[<pid>]: unhandled ${faultInfo(p, e312).name} (<sig>) at 0x<addr>, esr 0x${e312.toString(16).padStart(3, '0')}`,
    );
  } else {
    out.push(
      `If the signal is unhandled and debug.exception-trace=1 (default ${PROFILES[p].arm64ExceptionTraceDefault} on arm64 ${p}), ${fmt.userFaultReport}() prints:`,
    );
    const esrText = fmt.esrDigits === 16 ? hx(v, 16) : hx(esr, 8);
    out.push(
      `  <comm>[<pid>]: unhandled exception: ${esr_get_class_string(esr, p)}, ESR ${esrText}, ${inf.name} [in <file>[<start>+<len>]]`,
    );
  }
  return out;
}

/** A data or instruction abort: fields, fault_info[], path, user report, mem_abort_decode(). */
function abortLines(p: Profile, v: bigint, esr: number, f: EsrFields): string[] {
  const data = esr_is_data_abort(esr);
  const out = abortFieldLines(p, esr, f, data);
  const inf = faultInfo(p, esr);
  const userAbort = f.ec === ESR_ELx_EC_DABT_LOW || f.ec === ESR_ELx_EC_IABT_LOW;
  out.push(...abortPathLines(p, esr, f, inf, userAbort));
  if (userAbort) out.push(...userReportLines(p, v, esr, f, inf));
  out.push('');
  if (PROFILES[p].report.arm64.memAbortDecode === null) {
    out.push(`mem_abort_decode(): not present in Linux ${p}`);
  } else {
    out.push(`mem_abort_decode() output (Linux ${p}, printed for kernel-mode faults):`);
    for (const l of formatMemAbortDecode(v, PROFILES[p])) out.push(`  ${l}`);
  }
  return out;
}

/**
 * Field-by-field decode of an ESR_ELx value for a kernel profile, including the kernel's own
 * mem_abort_decode() text for aborts.  `value` is hexadecimal text ("0x92000046", "92000046")
 * or a number/bigint.  Throws an Error for malformed or out-of-range input.
 */
export function explainEsr(value: string | bigint | number, profile: string = '6.1'): string {
  const p = checkProfile(profile);
  const v = parseValue(value, 'ESR', 64);
  const esr = Number(v & 0xffffffffn);
  const high = v >> 32n;
  const f = esrFields(esr);
  const ecName = ESR_EC_NAMES[f.ec];
  const out: string[] = [];
  out.push(`ESR_ELx ${hx(v, 16)} (Linux ${p})`);
  out.push(
    `  EC   [31:26] = ${hx(f.ec, 2)}  ${ecName ? `ESR_ELx_EC_${ecName}` : 'unallocated'}: "${esr_get_class_string(esr, p)}"`,
  );
  out.push(`  IL   [25]    = ${f.il}     ${f.il ? '32-bit instruction' : '16-bit instruction'}`);
  out.push(`  ISS  [24:0]  = ${hx(f.iss, 7)}`);
  if (high !== 0n)
    out.push(`  bits [63:32] = ${hx(high)}  (ISS2 etc.; RES0 on the CPUs the model covers, not decoded)`);
  if (esr_is_data_abort(esr) || esr_is_instr_abort(esr)) return [...out, ...abortLines(p, v, esr, f)].join('\n');

  // Not a memory abort: do_mem_abort()/fault_info[] are not involved.
  if (f.ec === ESR_ELx_EC_SVC64)
    out.push(`    imm16 [15:0]  = ${hx(f.iss & 0xffff, 4)}  (svc #imm; Linux syscalls use svc #0)`);
  else if (f.ec === ESR_ELx_EC_BRK64) out.push(`    comment [15:0] = ${hx(f.iss & 0xffff, 4)}  (brk #imm)`);
  out.push('');
  out.push('Not an instruction or data abort: do_mem_abort() and fault_info[] are not involved.');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// x86 #PF error code
// ---------------------------------------------------------------------------------------------

type PfDecode = ReturnType<typeof decodePf>;

/**
 * How the explanation describes each version's x86 #PF handling where no profile field states the
 * difference: data per version (arch/x86/mm/fault.c of each tree).
 */
interface X86Text {
  /** what the user-address handler's flags start from, by name */
  faultFlagsBase: string;
  /** after the entry chain and the user-address handler */
  entryTail: string;
  /** a kernel-mode instruction fetch from user memory ends in (null: not checked, 3.12) */
  kernelExecOfUser: string | null;
  /** access_error() requires vma_is_accessible() for reads (6.1) */
  vmaIsAccessible: boolean;
  /** handle_mm_fault() is shown with its regs argument */
  handleMmFaultRegs: boolean;
  /** show_fault_oops() prints "#PF: …" lines for a kernel-mode fault (6.1) */
  showFaultOops: boolean;
}

const X86_TEXT: Record<Profile, X86Text> = {
  '6.1': {
    faultFlagsBase: 'FAULT_FLAG_DEFAULT',
    entryTail: ' (address < TASK_SIZE_MAX; else do_kern_addr_fault())',
    kernelExecOfUser: 'page_fault_oops()',
    vmaIsAccessible: true,
    handleMmFaultRegs: true,
    showFaultOops: true,
  },
  '4.19': {
    faultFlagsBase: 'FAULT_FLAG_ALLOW_RETRY|FAULT_FLAG_KILLABLE',
    entryTail: ' (user-address branch)',
    kernelExecOfUser: 'oops',
    vmaIsAccessible: false,
    handleMmFaultRegs: true,
    showFaultOops: false,
  },
  '3.12': {
    faultFlagsBase: 'FAULT_FLAG_ALLOW_RETRY|FAULT_FLAG_KILLABLE',
    entryTail: ' (user-address branch)',
    kernelExecOfUser: null,
    vmaIsAccessible: false,
    handleMmFaultRegs: false,
    showFaultOops: false,
  },
};

/** The #PF path from the profile's entry stub to the user-address handler (arch/x86/mm/fault.c). */
const PF_PATH: Record<KernelProfile['x86PfEntry'], { chain: string; fn: string }> = {
  asm_exc_page_fault: { chain: 'asm_exc_page_fault -> exc_page_fault -> handle_page_fault', fn: 'do_user_addr_fault' },
  page_fault: { chain: 'page_fault -> do_page_fault', fn: '__do_page_fault' },
};

/** Whether the version's kernel defines an error-code bit (X86_PF_PK: 4.6+, X86_PF_SGX: 5.11+). */
const pfDefined = (p: Profile, bit: number): boolean => pfBits(p).some((b) => b.bit === bit);

/** The error code bit by bit, and a one-line summary. */
function pfBitLines(p: Profile, v: number, d: PfDecode): string[] {
  const out: string[] = [];
  const bits = pfBits(p);
  const w = Math.max(...bits.map((b) => b.name.length));
  for (const b of bits) {
    const bitNo = Math.log2(b.bit);
    const on = (v & b.bit) !== 0;
    out.push(`  bit ${String(bitNo).padEnd(2)} ${b.name.padEnd(w)} = ${on ? 1 : 0}  ${on ? b.set : b.clear}`);
  }
  if (d.shstk)
    out.push(`  bit 6  X86_PF_SHSTK = 1  shadow-stack access (defined only from Linux 6.6; unknown to ${p})`);
  const unknown = d.unknownBits & ~X86_PF_SHSTK;
  if (unknown) out.push(`  other bits ${hx(unknown)} set: not defined by Linux ${p}`);
  const access = d.instr ? 'instruction fetch' : d.write ? 'write' : 'read';
  out.push('');
  out.push(
    `Summary: ${d.user ? 'user' : 'supervisor'}-mode ${access} ${d.prot ? 'to a present page (protection violation)' : 'to a not-present page'}${d.rsvd ? ', reserved bit set in a paging entry' : ''}${d.pk ? ', blocked by a protection key' : ''}${d.sgx ? ', SGX EPCM fault' : ''}`,
  );
  return out;
}

/** The fault flags do_user_addr_fault() / __do_page_fault() pass to handle_mm_fault(). */
function pfFaultFlags(p: Profile, d: PfDecode): { flags: number; names: string[] } {
  const ff = PROFILES[p].faultFlags;
  let flags = ff.DEFAULT | (d.user ? ff.USER : 0);
  const names = [X86_TEXT[p].faultFlagsBase];
  if (d.user) names.push('FAULT_FLAG_USER');
  if (d.write) {
    flags |= ff.WRITE;
    names.push('FAULT_FLAG_WRITE');
  }
  if (d.instr && ff.INSTRUCTION) {
    flags |= ff.INSTRUCTION;
    names.push('FAULT_FLAG_INSTRUCTION');
  }
  return { flags, names };
}

/** access_error(): which VMA permissions the access needs. */
function accessErrorLines(p: Profile, d: PfDecode, pf: (name: string) => string): string[] {
  const acc: string[] = [];
  if (pfDefined(p, X86_PF_PK) && d.pk)
    acc.push(
      `${pf('PK')} set -> always an access error (SIGSEGV SEGV_PKUERR when the VMA's pkey forbids it, else SEGV_ACCERR)`,
    );
  if (pfDefined(p, X86_PF_SGX) && d.sgx) acc.push(`${pf('SGX')} set -> always an access error (SIGSEGV SEGV_ACCERR)`);
  // arch_vma_access_permitted() came with protection keys
  if (pfDefined(p, X86_PF_PK)) acc.push('arch_vma_access_permitted() (protection keys) must allow the access');
  if (d.write) acc.push('write: VMA must have VM_WRITE, else SIGSEGV SEGV_ACCERR');
  else if (d.prot)
    acc.push(`read/fetch with ${pf('PROT')} set (present page): always an access error -> SIGSEGV SEGV_ACCERR`);
  else
    acc.push(
      `read/fetch of a not-present page: VMA must have one of VM_READ|VM_WRITE|VM_EXEC${X86_TEXT[p].vmaIsAccessible ? ' (vma_is_accessible())' : ''}, else SIGSEGV SEGV_ACCERR`,
    );
  return ['  access_error():', ...acc.map((a) => `    ${a}`)];
}

/** The path through the fault handler, from the entry to handle_mm_fault(). */
function pfPathLines(p: Profile, v: number, d: PfDecode): string[] {
  const out: string[] = [];
  const prof = PROFILES[p];
  const text = X86_TEXT[p];
  const { chain, fn } = PF_PATH[prof.x86PfEntry];
  out.push(`Kernel path: ${chain} -> ${fn}()${text.entryTail}`);
  const pf = (name: string) => pfName(name, p);
  if (text.kernelExecOfUser !== null && (v & (X86_PF_USER | X86_PF_INSTR)) === X86_PF_INSTR) {
    out.push(
      `  ${fn}(): kernel-mode instruction fetch from user memory -> ${text.kernelExecOfUser} (unless AMD erratum #93)`,
    );
  }
  if (d.rsvd) out.push(`  ${fn}(): ${pf('RSVD')} set -> pgtable_bad(): "Bad pagetable" oops, SIGKILL`);
  if (!d.user) {
    out.push(
      `  ${fn}(): no ${pf('USER')}: a kernel access; with SMAP and EFLAGS.AC clear it oopses, otherwise the fault is resolved only via the exception tables`,
    );
  }
  const { flags, names } = pfFaultFlags(p, d);
  out.push(`  fault flags: ${names.join('|')} = ${hx(flags)}${d.user ? ' (assuming user_mode(regs))' : ''}`);
  out.push(
    '  find_vma(): no VMA, or address below a VMA that is not VM_GROWSDOWN / cannot expand -> bad_area() -> SIGSEGV SEGV_MAPERR',
  );
  out.push(...accessErrorLines(p, d, pf));
  out.push(
    `  otherwise handle_mm_fault(vma, address, ${hx(flags)}${text.handleMmFaultRegs ? ', regs' : ''}); VM_FAULT_OOM -> pagefault_out_of_memory(); VM_FAULT_SIGBUS -> do_sigbus()`,
  );
  return out;
}

/** What the kernel prints: the sanitized code for kernel addresses, the segfault line, the oops. */
function pfReportLines(p: Profile, v: number, d: PfDecode): string[] {
  const pf = (name: string) => pfName(name, p);
  const fmt = PROFILES[p].report.x86;
  const out: string[] = [''];
  out.push(
    `For a kernel address (>= TASK_SIZE_MAX) from user mode, sanitize_error_code() ORs in ${pf('PROT')}: the printed error would be ${hx((v | X86_PF_PROT) >>> 0)}.`,
  );
  if (d.user) {
    const tail = fmt.segfaultCpu ? ' likely on CPU <n> (core <n>, socket <n>)' : '';
    out.push('If the SIGSEGV is unhandled (debug.exception-trace=1, the x86 default), show_signal_msg() prints:');
    out.push(
      `  <comm>[<pid>]: segfault at <addr> ip <ip> sp <sp> error ${v.toString(16)}[ in <file>[<start>+<len>]]${tail}`,
    );
    if (fmt.showOpcodes !== null) out.push('  Code: <42 bytes> <<byte at ip>> <21 bytes>');
  }
  if (X86_TEXT[p].showFaultOops && !d.user) {
    out.push('If this kernel-mode fault oopses, show_fault_oops() prints:');
    for (const l of formatPfOopsLines(0x1000n, v, false).slice(1)) out.push(`  ${l}`);
  }
  return out;
}

/**
 * Decode an x86 page-fault error code and describe what do_user_addr_fault() / access_error()
 * (6.1; __do_page_fault() in 4.19/3.12) do with it.  Strings are hexadecimal, as the
 * kernel prints "error %lx" — "15" means 0x15.  Throws an Error for malformed input.
 */
export function explainPf(code: string | bigint | number, profile: string = '6.1'): string {
  const p = checkProfile(profile);
  const v = Number(parseValue(code, 'x86 page-fault error code', 32));
  const d = decodePf(v, p);
  return [
    `x86 page-fault error code ${hx(v)} (Linux ${p})`,
    ...pfBitLines(p, v, d),
    ...pfPathLines(p, v, d),
    ...pfReportLines(p, v, d),
  ].join('\n');
}
