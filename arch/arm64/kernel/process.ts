/**
 * arch/arm64/kernel/process.c: __show_regs() and print_pstate() for a user-mode AArch64 task, per
 * kernel version (6.1 three registers per line and the BTYPE/SSBS pstate flags; 4.19 two per
 * line; 3.12 the "PC is at"/"LR is at" layout with show_regs_print_info()'s task line).
 */
import { type KernelProfile, PROFILES } from '../../../src/include/faultpath/profile.js';
import { type DumpStackInfo, dump_stack_print_info } from '../../../src/lib/dump_stack.js';
import {
  type Arm64Regs,
  PSR_A_BIT,
  PSR_BTYPE_MASK,
  PSR_BTYPE_SHIFT,
  PSR_C_BIT,
  PSR_D_BIT,
  PSR_DIT_BIT,
  PSR_F_BIT,
  PSR_I_BIT,
  PSR_N_BIT,
  PSR_PAN_BIT,
  PSR_SSBS_BIT,
  PSR_TCO_BIT,
  PSR_UAO_BIT,
  PSR_V_BIT,
  PSR_Z_BIT,
} from '../include/asm/ptrace.js';

const u64 = (v: bigint | number): bigint => BigInt.asUintN(64, BigInt(v));
/** `%0Nllx` */
const hexPad = (v: bigint | number, w: number): string => u64(v).toString(16).padStart(w, '0');
/** `%-2d` */
const left2 = (n: number): string => String(n).padEnd(2, ' ');

/** btypes[] of process.c, indexed by PSTATE.BTYPE */
const BTYPES = ['--', 'jc', '-c', 'j-'] as const;

/** print_pstate(): the text after "pstate: " for an AArch64 task. */
export function print_pstate(pstateIn: bigint | number, profile: KernelProfile = PROFILES['6.1']): string {
  const p = u64(pstateIn);
  const b = (m: number, on: string, off: string) => ((p & BigInt(m)) !== 0n ? on : off);
  const nzcv = b(PSR_N_BIT, 'N', 'n') + b(PSR_Z_BIT, 'Z', 'z') + b(PSR_C_BIT, 'C', 'c') + b(PSR_V_BIT, 'V', 'v');
  const daif = b(PSR_D_BIT, 'D', 'd') + b(PSR_A_BIT, 'A', 'a') + b(PSR_I_BIT, 'I', 'i') + b(PSR_F_BIT, 'F', 'f');
  const head = `${hexPad(p, 8)} (${nzcv} ${daif} ${b(PSR_PAN_BIT, '+', '-')}PAN ${b(PSR_UAO_BIT, '+', '-')}UAO`;
  if (!profile.report.arm64.pstateBtype) return `${head})`;
  const btype = BTYPES[Number((p & BigInt(PSR_BTYPE_MASK)) >> BigInt(PSR_BTYPE_SHIFT))];
  return `${head} ${b(PSR_TCO_BIT, '+', '-')}TCO ${b(PSR_DIT_BIT, '+', '-')}DIT ${b(PSR_SSBS_BIT, '+', '-')}SSBS BTYPE=${btype})`;
}

/** x30 (lr) of a register set: `lr` when given separately, else regs[30]. */
export function regAt(r: Arm64Regs, i: number): bigint {
  const v = i === 30 ? (r.lr ?? r.regs[30]) : r.regs[i];
  if (v === undefined) throw new RangeError(`register x${i} missing`);
  return v;
}

/** The register loop of __show_regs(): 6.1 three per line, 4.19/3.12 two per line with a trailing space. */
export function formatGprs(r: Arm64Regs, profile: KernelProfile = PROFILES['6.1']): string[] {
  const out: string[] = [];
  if (profile.report.arm64.gprsPerLine === 3) {
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

/** What show_regs_print_info() prints besides dump_stack_print_info(): 3.12's task line pointers. */
export interface ShowRegsInfo extends DumpStackInfo {
  /** 3.12 only: the "task: %p ti: %p task.ti: %p" pointers (printed zero-padded) */
  taskPtr?: bigint;
  threadInfoPtr?: bigint;
}

/** __show_regs() for a user-mode AArch64 task. */
export function __show_regs(d: ShowRegsInfo, r: Arm64Regs, profile: KernelProfile = PROFILES['6.1']): string[] {
  if (profile.report.arm64.showRegs === 'pc_is_at') return __show_regs_pc_is_at(d, r, profile);
  const out = dump_stack_print_info(d, profile);
  out.push(`pstate: ${print_pstate(r.pstate, profile)}`);
  out.push(`pc : ${hexPad(r.pc, 16)}`);
  out.push(`lr : ${hexPad(regAt(r, 30), 16)}`);
  out.push(`sp : ${hexPad(r.sp, 16)}`);
  if (profile.report.arm64.pmrSave && r.pmrSave !== undefined) out.push(`pmr_save: ${hexPad(r.pmrSave, 8)}`);
  out.push(...formatGprs(r, profile));
  return out;
}

/** 3.12 __show_regs(): show_regs_print_info(), "PC is at", "LR is at", pc/lr/pstate, sp, registers, "\n". */
function __show_regs_pc_is_at(d: ShowRegsInfo, r: Arm64Regs, profile: KernelProfile): string[] {
  const out = dump_stack_print_info(d, profile);
  out.push(
    `task: ${hexPad(d.taskPtr ?? 0n, 16)} ti: ${hexPad(d.threadInfoPtr ?? 0n, 16)} task.ti: ${hexPad(d.threadInfoPtr ?? 0n, 16)}`,
  );
  // print_symbol(): user addresses are not in kallsyms, so sprint_symbol() falls back to "0x%lx"
  out.push(`PC is at 0x${u64(r.pc).toString(16)}`);
  out.push(`LR is at 0x${u64(regAt(r, 30)).toString(16)}`);
  out.push(`pc : [<${hexPad(r.pc, 16)}>] lr : [<${hexPad(regAt(r, 30), 16)}>] pstate: ${hexPad(r.pstate, 8)}`);
  out.push(`sp : ${hexPad(r.sp, 16)}`);
  out.push(...formatGprs(r, profile));
  out.push(''); // the trailing printk("\n")
  return out;
}
