/**
 * arch/arm64/kernel/entry.S as the model runs it: the vector table and the EL0 synchronous
 * vector, which saves pt_regs and calls el0t_64_sync_handler() (6.1; in 4.19 and 3.12 el0_sync
 * makes the EC switch itself), plus the ArchOps glue the scheduler calls.  The exception record
 * (ESR_EL1, FAR_EL1, ELR_EL1) comes from the hardware layer (src/hw/arm64-syndrome.ts).
 */
import type { Access } from '../../../src/hw/cpu.js';
import { type Arm64SyncException, arm64AbortException, arm64CpuException } from '../../../src/hw/arm64-syndrome.js';
import type {
  ArchExceptionOutcome,
  ArchFaultOutcome,
  ArchOps,
  TrapSignal,
} from '../../../src/include/faultpath/arch_ops.js';
import type { KernelState } from '../../../src/include/faultpath/kernel_state.js';
import type { Task } from '../../../src/include/linux/sched.js';
import { ESR_ELx_FSC, esr_get_class_string } from '../include/asm/esr.js';
import { arm64_syscall, type El0SyncCtx, el0_sync_dispatch, el0t_64_sync_handler } from './entry-common.js';

/** VBAR_EL1 layout: 16 vectors of 0x80 bytes (4.19 / 6.1 labels from the profile's naming). */
export const VECTORS_61 = [
  'el1t_64_sync',
  'el1t_64_irq',
  'el1t_64_fiq',
  'el1t_64_error',
  'el1h_64_sync',
  'el1h_64_irq',
  'el1h_64_fiq',
  'el1h_64_error',
  'el0t_64_sync',
  'el0t_64_irq',
  'el0t_64_fiq',
  'el0t_64_error',
  'el0t_32_sync',
  'el0t_32_irq',
  'el0t_32_fiq',
  'el0t_32_error',
] as const;
export const VECTORS_419 = [
  'el1_sync_invalid',
  'el1_irq_invalid',
  'el1_fiq_invalid',
  'el1_error_invalid',
  'el1_sync',
  'el1_irq',
  'el1_fiq_invalid',
  'el1_error',
  'el0_sync',
  'el0_irq',
  'el0_fiq_invalid',
  'el0_error',
  'el0_sync_compat',
  'el0_irq_compat',
  'el0_fiq_invalid_compat',
  'el0_error_compat',
] as const;
/** Lower EL using AArch64, synchronous: VBAR_EL1 + 0x400 */
export const VECTOR_EL0_SYNC = 0x400;

/** The `exception` trace event: the vector taken and the syndrome the hardware reported. */
function traceException(k: KernelState, e: Arm64SyncException, access: Access): void {
  const fsc = e.esr & ESR_ELx_FSC;
  k.tracer.emit('exception', {
    arch: 'aarch64',
    vector: `${k.profile.arm64Entry.vector} (VBAR_EL1+0x${VECTOR_EL0_SYNC.toString(16)})`,
    address: `0x${e.far.toString(16)}`,
    pc: `0x${e.elr.toString(16)}`,
    esr: `0x${e.esr.toString(16).padStart(8, '0')}`,
    decoded: `${esr_get_class_string(e.esr, k.profile.version)}, ${access}, FSC 0x${fsc.toString(16).padStart(2, '0')}`,
  });
}

/**
 * el0t_64_sync (6.1): kernel_entry 0, then el0t_64_sync_handler().  The model traces the entry of
 * the aborts the MMU raises (the fault path); exceptions the engine raises itself (undefined
 * instruction, BRK) are dispatched untraced, as they always were.
 */
export function el0t_64_sync(k: KernelState, t: Task, e: Arm64SyncException): ArchExceptionOutcome {
  return el0_sync_vector(k, t, e, 'el0t_64_sync');
}

/** el0_sync (4.19, 3.12): kernel_entry 0, then the EC switch in assembly (no C handler frame). */
export function el0_sync(k: KernelState, t: Task, e: Arm64SyncException): ArchExceptionOutcome {
  return el0_sync_vector(k, t, e, 'el0_sync');
}

/** The profile's EL0 synchronous vector (VECTORS / VECTORS_419 slot "EL0 64-bit sync"). */
export const EL0_SYNC_VECTOR = { el0t_64_sync, el0_sync };

function el0_sync_vector(
  k: KernelState,
  t: Task,
  e: Arm64SyncException,
  vector: 'el0t_64_sync' | 'el0_sync',
): ArchExceptionOutcome {
  const c: El0SyncCtx = { k, t, esr: e.esr, far: e.far, regs: { cpu: t.mm!.cpu, pc: e.elr } };
  if (e.source === 'cpu') return el0_sync_dispatch(c);
  const tr = k.tracer;
  if (tr.collecting) traceException(k, e, e.access ?? 'read');
  const traced = k.profile.arm64Entry.handler !== null;
  return tr.call(
    vector,
    { elr_el1: `0x${e.elr.toString(16)}` },
    () => (traced ? el0t_64_sync_handler(c) : el0_sync_dispatch(c)),
    (o) => o.kind,
  );
}

/** A user access the MMU refused: the hardware builds ESR/FAR, the vector takes it. */
export function arm64UserFault(k: KernelState, t: Task, address: bigint, access: Access, pc: bigint): ArchFaultOutcome {
  const out = EL0_SYNC_VECTOR[k.profile.arm64Entry.vector](
    k,
    t,
    arm64AbortException(t.mm!.pgtable, address, access, pc),
  );
  if (out.kind === 'force_sig') throw new Error('el0t_64_sync: an abort ended in a trap signal');
  return out;
}

/** An exception the engine raised (EXCP_UDEF → EC UNKNOWN → el0_undef, EXCP_BKPT → BRK64 → el0_dbg). */
export function arm64OtherException(k: KernelState, t: Task, intno: number, pc: bigint): TrapSignal {
  const word = t.mm!.cpu.mem.peek(Number(pc), 4);
  const out = EL0_SYNC_VECTOR[k.profile.arm64Entry.vector](k, t, arm64CpuException(intno, pc, word?.readUInt32LE(0)));
  if (out.kind !== 'force_sig') throw new Error(`el0t_64_sync: exception ${intno} did not end in a signal`);
  return out;
}

export const arm64Ops: ArchOps = {
  userFault: arm64UserFault,
  otherException: arm64OtherException,
  syscall: arm64_syscall,
  userRegsForOops: () => [],
  startThread(cpu, entry, sp) {
    for (let i = 0; i <= 30; i++) cpu.setReg(i === 29 ? 'x29' : i === 30 ? 'x30' : `x${i}`, 0);
    cpu.setReg('sp', sp);
    cpu.setReg('nzcv', 0);
    cpu.setPc(entry);
  },
  forkChild(cpu, newSp) {
    cpu.setReg('x0', 0);
    if (newSp) cpu.setReg('sp', newSp);
  },
  tlsReg: 'tpidr_el0',
  spReg: 'sp',
};
