/**
 * arch/x86/kernel/process_64.c: __show_regs(regs, SHOW_REGS_USER) — the register lines an OOM
 * report's Call Trace shows for the user-mode pt_regs at the bottom of the stack — and arch_prctl(2).
 */
import type { KernelState } from '../../../src/include/faultpath/kernel_state.js';
import {
  errno,
  sarg,
  type SyscallArgs,
  type SyscallContext,
  type SyscallRet,
} from '../../../src/include/faultpath/syscall.js';
import { EINVAL } from '../../../src/include/uapi/asm-generic/errno.js';
import type { Task } from '../../../src/include/linux/sched.js';
import { show_iret_regs } from './dumpstack.js';

/** __show_regs(regs, SHOW_REGS_USER): show_iret_regs(), then RAX … R15 three per line. */
export function __show_regs(k: KernelState, t: Task): string[] {
  const cpu = t.mm!.cpu;
  const r = (n: string) => cpu.reg(n).toString(16).padStart(16, '0');
  return [
    ...show_iret_regs(t, k.profile),
    `RAX: ${r('rax')} RBX: ${r('rbx')} RCX: ${r('rcx')}`,
    `RDX: ${r('rdx')} RSI: ${r('rsi')} RDI: ${r('rdi')}`,
    `RBP: ${r('rbp')} R08: ${r('r8')} R09: ${r('r9')}`,
    `R10: ${r('r10')} R11: ${r('r11')} R12: ${r('r12')}`,
    `R13: ${r('r13')} R14: ${r('r14')} R15: ${r('r15')}`,
  ];
}

const ARCH_SET_GS = 0x1001;
const ARCH_SET_FS = 0x1002;

/** arch_prctl(option, arg2): ARCH_SET_FS / ARCH_SET_GS load the segment base. */
export function sys_arch_prctl(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const cpu = c.t.mm!.cpu;
  const option = sarg(a, 0);
  if (option === ARCH_SET_FS) {
    cpu.setReg('fs_base', a[1]!);
    return 0n;
  }
  if (option === ARCH_SET_GS) {
    cpu.setReg('gs_base', a[1]!);
    return 0n;
  }
  return errno(EINVAL);
}
