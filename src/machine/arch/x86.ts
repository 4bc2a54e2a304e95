/**
 * The x86-64 ArchOps the run loop calls: a refused access or an engine exception goes through
 * the IDT (arch/x86/kernel/idt.ts) with the exception record the hardware builds
 * (src/hw/x86-exception.ts); the syscall ABI and register set-up.
 */
import type { Access } from '../../hw/cpu.js';
import { x86AccessException, x86CpuException } from '../../hw/x86-exception.js';
import type { ArchFaultOutcome, ArchOps, TrapSignal } from '../../include/faultpath/arch_ops.js';
import type { KernelState } from '../../include/faultpath/kernel_state.js';
import type { Task } from '../../include/linux/sched.js';
import { idtentry } from '../../../arch/x86/kernel/idt.js';
import { __show_regs } from '../../../arch/x86/kernel/process_64.js';
import { kernelMapped } from '../../../arch/x86/mm/fault.js';
import { x86_64_syscall } from '../../../arch/x86/entry/entry_64.js';

/** A user access the MMU refused: #PF (or #GP for a non-canonical address) through the IDT. */
export function x86UserFault(k: KernelState, t: Task, address: bigint, access: Access, pc: bigint): ArchFaultOutcome {
  const e = x86AccessException(t.mm!.pgtable, address, access, pc, (a) => kernelMapped(k, a));
  const out = idtentry({ ...e, k, t });
  if (out.kind === 'force_sig') throw new Error(`idtentry: vector ${e.vector} from the MMU ended in a trap signal`);
  return out;
}

/** An exception the engine raised (#DE, #BP, #UD, #GP ...): the handler's signal, for the scheduler to force. */
export function x86OtherException(k: KernelState, t: Task, intno: number, pc: bigint): TrapSignal {
  const e = x86CpuException(intno, pc);
  const out = idtentry({ ...e, k, t });
  if (out.kind !== 'force_sig') throw new Error(`idtentry: vector ${intno} did not end in a signal`);
  return out;
}

const GPRS = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

export const x86Ops: ArchOps = {
  userFault: x86UserFault,
  otherException: x86OtherException,
  syscall: x86_64_syscall,
  userRegsForOops: __show_regs,
  startThread(cpu, entry, sp) {
    for (const r of GPRS) cpu.setReg(r, 0);
    cpu.setReg('rsp', sp);
    cpu.setReg('rflags', 0x202);
    cpu.setPc(entry);
  },
  forkChild(cpu, newSp) {
    cpu.setReg('rax', 0);
    if (newSp) cpu.setReg('rsp', newSp);
  },
  tlsReg: 'fs_base',
  spReg: 'rsp',
};
