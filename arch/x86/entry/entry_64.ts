/**
 * arch/x86/entry/entry_64.S as the model runs it: the #PF entry stub the IDT gate points to
 * (6.1 asm_exc_page_fault, built by idtentry; 4.19 and 3.12 page_fault), which calls the C
 * handler with the exception record the hardware built (src/hw/x86-exception.ts); and
 * entry_SYSCALL_64 for a task stopped at `syscall`, with the x86-64 system call ABI.
 */
import type { ArchFaultOutcome } from '../../../src/include/faultpath/arch_ops.js';
import type { SyscallAbi, SyscallContext, SyscallHost, SyscallRet } from '../../../src/include/faultpath/syscall.js';
import type { Task } from '../../../src/include/linux/sched.js';
import { syscall_exit_work } from '../../../src/kernel/entry/common.js';
import {
  copy_thread,
  syscall_get_argument,
  syscall_get_arguments,
  syscall_get_nr,
  syscall_restart,
  syscall_set_return_value,
} from '../include/asm/syscall.js';
import type { X86ExceptionCtx } from '../include/asm/traps.js';
import { do_page_fault, exc_page_fault, pageFaultArgs, tracePageFaultEntry } from '../mm/fault.js';
import { do_syscall_64 } from './common.js';
import { syscall_names, X86_64_SYSCALLS } from './syscall_64.js';

/** asm_exc_page_fault (6.1): idtentry_raw_errorcode → exc_page_fault(). */
export function asm_exc_page_fault(e: X86ExceptionCtx): ArchFaultOutcome {
  tracePageFaultEntry(e);
  return e.k.tracer.call(
    'asm_exc_page_fault',
    pageFaultArgs(e),
    () => exc_page_fault(e),
    (o) => o.kind,
  );
}

/** page_fault (4.19, 3.12): the errorentry stub → do_page_fault(). */
export function page_fault(e: X86ExceptionCtx): ArchFaultOutcome {
  tracePageFaultEntry(e);
  return e.k.tracer.call(
    'page_fault',
    pageFaultArgs(e),
    () => do_page_fault(e),
    (o) => o.kind,
  );
}

/** The #PF gate's stub of the profile (INTG(X86_TRAP_PF, asm_exc_page_fault) in 6.1). */
export const PF_ENTRY = { asm_exc_page_fault, page_fault };

/**
 * entry_SYSCALL_64: the SYSCALL instruction saved the return RIP in RCX and RFLAGS in R11 (the
 * engine's hook does not, so the entry does it); the call through do_syscall_64() (the traced
 * frame), the result into rax unless the task exited or will return later, then the sys_exit trace.
 */
export function entry_SYSCALL_64(host: SyscallHost, t: Task): void {
  const cpu = t.mm!.cpu;
  const nr = syscall_get_nr(cpu);
  const name = syscall_names[nr];
  const args = syscall_get_arguments(cpu);
  cpu.setReg('rcx', cpu.pc());
  cpu.setReg('r11', cpu.reg('rflags'));
  const c: SyscallContext = { ...host, t, abi: x86_64_syscall };
  let ret: SyscallRet = null;
  host.k.tracer.call('entry_SYSCALL_64', { nr, name: name ?? 'unknown' }, () => {
    ret = do_syscall_64(c, nr, args);
  });
  if (ret !== null && t.mm && t.state !== 'Z' && t.state !== 'X') syscall_set_return_value(t.mm.cpu, ret);
  syscall_exit_work(host.k, nr, name, args, ret);
}

export const x86_64_syscall: SyscallAbi = {
  entry: entry_SYSCALL_64,
  nr: syscall_get_nr,
  arg: syscall_get_argument,
  setReturn: syscall_set_return_value,
  names: syscall_names,
  numbers: X86_64_SYSCALLS,
  restart: syscall_restart,
  copyThread: copy_thread,
};
