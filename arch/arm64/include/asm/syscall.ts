/** arch/arm64/include/asm/syscall.h: where an arm64 system call keeps its number, arguments and result. */
import type { Cpu } from '../../../../src/hw/cpu.js';
import type { SavedRegs } from '../../../../src/include/linux/sched.js';

/** syscall_get_nr(): x8 */
export function syscall_get_nr(cpu: Cpu): number {
  return Number(cpu.reg('x8'));
}

/** the argument registers x0..x5 */
export function syscall_get_argument(cpu: Cpu, i: number): bigint {
  return cpu.reg(`x${i}`);
}

/** syscall_get_arguments(): x0..x5 */
export function syscall_get_arguments(cpu: Cpu): bigint[] {
  return [0, 1, 2, 3, 4, 5].map((i) => syscall_get_argument(cpu, i));
}

/** syscall_set_return_value(): x0 */
export function syscall_set_return_value(cpu: Cpu, v: bigint): void {
  cpu.setReg('x0', v);
}

/** A restarted call re-executes `svc #0`: the pc goes back one instruction (do_signal()). */
export function syscall_restart(cpu: Cpu): void {
  cpu.setPc(cpu.pc() - 4n);
}

/** copy_thread() (arch/arm64/kernel/process.c): the child returns 0 in x0, on its own stack, with its TLS. */
export function copy_thread(regs: SavedRegs, newSp: bigint, tls: bigint | null): void {
  regs.gp.set('x0', 0n);
  if (newSp) regs.gp.set('sp', newSp);
  if (tls !== null) regs.gp.set('tpidr_el0', tls);
}
