/** arch/x86/include/asm/syscall.h (64-bit): where an x86-64 system call keeps its number, arguments and result. */
import type { Cpu } from '../../../../src/hw/cpu.js';
import type { SavedRegs } from '../../../../src/include/linux/sched.js';

/** The x86-64 system call argument registers, in order. */
const ARG_REGS = ['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'] as const;

/** syscall_get_nr(): orig_ax (rax at entry) */
export function syscall_get_nr(cpu: Cpu): number {
  return Number(cpu.reg('rax'));
}

/** argument `i`: rdi, rsi, rdx, r10, r8, r9 */
export function syscall_get_argument(cpu: Cpu, i: number): bigint {
  return cpu.reg(ARG_REGS[i]!);
}

/** syscall_get_arguments() */
export function syscall_get_arguments(cpu: Cpu): bigint[] {
  return [0, 1, 2, 3, 4, 5].map((i) => syscall_get_argument(cpu, i));
}

/** syscall_set_return_value(): rax */
export function syscall_set_return_value(cpu: Cpu, v: bigint): void {
  cpu.setReg('rax', v);
}

/** A restarted call re-executes the 2-byte `syscall` instruction (regs->ip -= 2 in handle_signal()). */
export function syscall_restart(cpu: Cpu): void {
  cpu.setPc(cpu.pc() - 2n);
}

/** copy_thread() (arch/x86/kernel/process.c): the child returns 0 in rax, on its own stack, with its fs base. */
export function copy_thread(regs: SavedRegs, newSp: bigint, tls: bigint | null): void {
  regs.gp.set('rax', 0n);
  if (newSp) regs.gp.set('rsp', newSp);
  if (tls !== null) regs.gp.set('fs_base', tls);
}
