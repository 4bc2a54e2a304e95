/**
 * arch/arm64/include/asm/ptrace.h (and uapi/asm/ptrace.h): the PSTATE bits print_pstate() decodes
 * and the model's `struct pt_regs` — the registers saved at exception entry.
 */
import type { Cpu } from '../../../../src/hw/cpu.js';

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

/**
 * struct pt_regs as the model keeps it: the general registers stay in the engine (read on
 * demand), `pc` is ELR_EL1 as the vector received it.
 */
export interface pt_regs {
  cpu: Cpu;
  pc: bigint;
}

/** The user registers the report printers read: x0..x30, sp, pc and PSTATE (SPSR_EL1). */
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

/** The saved user registers of an EL0 task, read from the engine. */
export function user_regs(cpu: Cpu): Arm64Regs {
  const regs = Array.from({ length: 31 }, (_, i) => cpu.reg(i === 29 ? 'x29' : i === 30 ? 'x30' : `x${i}`));
  // PSTATE of an EL0t task as el0 entry saves it (SPSR_EL1): NZCV from the engine, EL0t, SSBS set.
  const nzcv = cpu.reg('nzcv') & 0xf0000000n;
  return { regs, sp: cpu.reg('sp'), pc: cpu.pc(), pstate: nzcv | 0x1000n };
}
