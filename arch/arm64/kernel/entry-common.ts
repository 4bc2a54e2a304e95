/**
 * arch/arm64/kernel/entry-common.c: el0t_64_sync_handler() dispatching an EL0 synchronous
 * exception on ESR_ELx.EC (6.1; 4.19 and 3.12 make the same switch in entry.S el0_sync), and the
 * el0_* handlers for the classes the model's CPU raises: data and instruction aborts from the
 * MMU, undefined instructions and BRK from the engine; el0_svc() for a task stopped at `svc #0`,
 * with the arm64 system call ABI the machine reaches it through.
 */
import type { ArchExceptionOutcome } from '../../../src/include/faultpath/arch_ops.js';
import type { SyscallAbi, SyscallContext, SyscallHost, SyscallRet } from '../../../src/include/faultpath/syscall.js';
import type { Task } from '../../../src/include/linux/sched.js';
import { syscall_exit_work } from '../../../src/kernel/entry/common.js';
import {
  ESR_ELx_EC,
  ESR_ELx_EC_BREAKPT_LOW,
  ESR_ELx_EC_BRK64,
  ESR_ELx_EC_BTI,
  ESR_ELx_EC_DABT_LOW,
  ESR_ELx_EC_FP_ASIMD,
  ESR_ELx_EC_FP_EXC64,
  ESR_ELx_EC_FPAC,
  ESR_ELx_EC_IABT_LOW,
  ESR_ELx_EC_PC_ALIGN,
  ESR_ELx_EC_SME,
  ESR_ELx_EC_SOFTSTP_LOW,
  ESR_ELx_EC_SP_ALIGN,
  ESR_ELx_EC_SVC64,
  ESR_ELx_EC_SVE,
  ESR_ELx_EC_SYS64,
  ESR_ELx_EC_UNKNOWN,
  ESR_ELx_EC_WATCHPT_LOW,
  ESR_ELx_EC_WFx,
} from '../include/asm/esr.js';
import {
  copy_thread,
  syscall_get_argument,
  syscall_get_arguments,
  syscall_get_nr,
  syscall_restart,
  syscall_set_return_value,
} from '../include/asm/syscall.js';
import { do_debug_exception, do_mem_abort, type MemAbortCtx } from '../mm/fault.js';
import { ARM64_SYSCALLS, syscall_names } from './sys.js';
import { invoke_syscall } from './syscall.js';
import { bad_el0_sync, do_undefinstr } from './traps.js';

/** What the vector hands the handler: current, ESR_EL1, FAR_EL1 and pt_regs. */
export type El0SyncCtx = MemAbortCtx;

export type El0SyncHandler = (c: El0SyncCtx) => ArchExceptionOutcome;

/** el0_da(regs, esr): a data abort from EL0 → do_mem_abort(far, esr, regs). */
function el0_da(c: El0SyncCtx): ArchExceptionOutcome {
  return c.k.tracer.call(
    'el0_da',
    { far: `0x${c.far.toString(16)}`, esr: `0x${c.esr.toString(16)}` },
    () => do_mem_abort(c),
    (o) => o.kind,
  );
}

/** el0_ia(regs, esr): an instruction abort from EL0 → do_mem_abort(far, esr, regs). */
function el0_ia(c: El0SyncCtx): ArchExceptionOutcome {
  return c.k.tracer.call(
    'el0_ia',
    { far: `0x${c.far.toString(16)}`, esr: `0x${c.esr.toString(16)}` },
    () => do_mem_abort(c),
    (o) => o.kind,
  );
}

/** el0_undef(regs, esr) → do_undefinstr(). */
function el0_undef(): ArchExceptionOutcome {
  return do_undefinstr();
}

/** el0_dbg(regs, esr) → do_debug_exception(far, esr, regs). */
function el0_dbg(c: El0SyncCtx): ArchExceptionOutcome {
  return do_debug_exception(c);
}

/** el0_inv(regs, esr) → bad_el0_sync(regs, 0, esr). */
function el0_inv(): ArchExceptionOutcome {
  return bad_el0_sync();
}

/**
 * Handlers of classes the model's CPU never raises through this path: SVCs reach the model as
 * the engine's syscall stop, which the machine takes straight to el0_svc() below
 * (arm64_syscall.entry); FP/SVE/SME are always enabled and BTI/PAC absent on the emulated CPU;
 * the engine checks neither SP nor PC alignment and reports system-register traps as undefined
 * instructions.
 */
function not_raised(name: string): El0SyncHandler {
  const h = (c: El0SyncCtx): never => {
    throw new Error(`${name}: ESR 0x${c.esr.toString(16)} is not raised by the model's CPU`);
  };
  return Object.defineProperty(h, 'name', { value: name });
}
const el0_svc_sync = not_raised('el0_svc');
const el0_fpsimd_acc = not_raised('el0_fpsimd_acc');
const el0_sve_acc = not_raised('el0_sve_acc');
const el0_sme_acc = not_raised('el0_sme_acc');
const el0_fpsimd_exc = not_raised('el0_fpsimd_exc');
const el0_sys = not_raised('el0_sys');
const el0_sp = not_raised('el0_sp');
const el0_pc = not_raised('el0_pc');
const el0_bti = not_raised('el0_bti');
const el0_fpac = not_raised('el0_fpac');

/** The switch of el0t_64_sync_handler(): the el0_* handler for an exception class (6.1). */
export function el0_sync_handler_for(ec: number): El0SyncHandler {
  switch (ec) {
    case ESR_ELx_EC_SVC64:
      return el0_svc_sync;
    case ESR_ELx_EC_DABT_LOW:
      return el0_da;
    case ESR_ELx_EC_IABT_LOW:
      return el0_ia;
    case ESR_ELx_EC_FP_ASIMD:
      return el0_fpsimd_acc;
    case ESR_ELx_EC_SVE:
      return el0_sve_acc;
    case ESR_ELx_EC_SME:
      return el0_sme_acc;
    case ESR_ELx_EC_FP_EXC64:
      return el0_fpsimd_exc;
    case ESR_ELx_EC_SYS64:
    case ESR_ELx_EC_WFx:
      return el0_sys;
    case ESR_ELx_EC_SP_ALIGN:
      return el0_sp;
    case ESR_ELx_EC_PC_ALIGN:
      return el0_pc;
    case ESR_ELx_EC_UNKNOWN:
      return el0_undef;
    case ESR_ELx_EC_BTI:
      return el0_bti;
    case ESR_ELx_EC_BREAKPT_LOW:
    case ESR_ELx_EC_SOFTSTP_LOW:
    case ESR_ELx_EC_WATCHPT_LOW:
    case ESR_ELx_EC_BRK64:
      return el0_dbg;
    case ESR_ELx_EC_FPAC:
      return el0_fpac;
    default:
      return el0_inv;
  }
}

/** el0t_64_sync_handler(regs): switch (ESR_ELx_EC(esr)). */
export function el0t_64_sync_handler(c: El0SyncCtx): ArchExceptionOutcome {
  return c.k.tracer.call(
    'el0t_64_sync_handler',
    undefined,
    () => el0_sync_dispatch(c),
    (o) => o.kind,
  );
}

/**
 * The EC switch without a traced frame: what 4.19 and 3.12 do in assembly (el0_sync has no C
 * handler), and how the model enters for exceptions the engine raises (untraced, as always).
 */
export function el0_sync_dispatch(c: El0SyncCtx): ArchExceptionOutcome {
  return el0_sync_handler_for(ESR_ELx_EC(c.esr))(c);
}

/**
 * el0_svc(): the number from x8 and the arguments from x0..x5, the call through invoke_syscall()
 * (the traced frame), the result into x0 unless the task exited or will return later, then the
 * sys_exit trace.
 */
export function el0_svc(host: SyscallHost, t: Task): void {
  const cpu = t.mm!.cpu;
  const scno = syscall_get_nr(cpu);
  const name = syscall_names[scno];
  const args = syscall_get_arguments(cpu);
  const c: SyscallContext = { ...host, t, abi: arm64_syscall };
  let ret: SyscallRet = null;
  host.k.tracer.call('el0_svc', { nr: scno, name: name ?? 'unknown' }, () => {
    ret = invoke_syscall(c, scno, args);
  });
  if (ret !== null && t.mm && t.state !== 'Z' && t.state !== 'X') syscall_set_return_value(t.mm.cpu, ret);
  syscall_exit_work(host.k, scno, name, args, ret);
}

export const arm64_syscall: SyscallAbi = {
  entry: el0_svc,
  nr: syscall_get_nr,
  arg: syscall_get_argument,
  setReturn: syscall_set_return_value,
  names: syscall_names,
  numbers: ARM64_SYSCALLS,
  restart: syscall_restart,
  copyThread: copy_thread,
};
