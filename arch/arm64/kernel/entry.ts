/**
 * arch/arm64/kernel/entry.S + entry-common.c as the model runs them: the vector table, the EL0
 * synchronous handler dispatching on ESR.EC, el0_da / el0_ia, and the construction of ESR_EL1
 * and FAR_EL1 exactly as the hardware reports a stage-1 fault (kernel-reference §1).
 */
import type { Access, Cpu } from '../../../src/hw/cpu.js';
import type { ArchFaultOutcome, ArchOps, UserFaultReport } from '../../../src/include/faultpath/arch_ops.js';
import type { KernelState } from '../../../src/include/faultpath/kernel_state.js';
import type { Task } from '../../../src/include/linux/sched.js';
import {
  buildDataAbortEsr,
  buildInstrAbortEsr,
  esr_get_class_string,
  fscPermission,
  fscTranslation,
  sanitizeUserFaultEsr,
} from '../include/asm/esr.js';
import { do_mem_abort } from '../mm/fault.js';
import { formatArm64UnhandledFault } from './traps.js';
import { ARM64_SYSCALLS } from './sys.js';
import { find_vma } from '../../../src/mm/mmap.js';
import { printk } from '../../../src/kernel/printk/printk.js';

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

/**
 * The fault status the MMU reports for this access: a translation fault at the level where the
 * walk read an invalid descriptor, or a permission fault at the leaf (level 3).  KernelState (TTBR1)
 * addresses are reported as level-0 translation faults: the model has no kernel page tables.
 */
export function arm64FaultStatus(k: KernelState, t: Task, address: bigint, access: Access): number {
  if (address >= 1n << 48n) return fscTranslation(0);
  const w = t.mm!.pgtable.walk(Number(address));
  if (w.level === 4) return fscPermission(3);
  const pv = t.mm!.pgtable.fmt.view(w.lo, w.hi);
  if (w.level === 3 && pv.swapSlot !== null) return fscTranslation(3);
  void access;
  return fscTranslation(w.level as 0 | 1 | 2 | 3);
}

/** "6.1.0-56-arm64 #1  Debian 6.1.192-2" → release, version token, distribution suffix */
export function utsnameParts(full: string): { release: string; version: string; versionSuffix: string } {
  const [release, ...rest] = full.split(' ');
  const tail = rest.join(' ');
  const sp = tail.indexOf(' ');
  return { release: release!, version: sp < 0 ? tail : tail.slice(0, sp), versionSuffix: sp < 0 ? '' : tail.slice(sp) };
}

function regsOf(cpu: Cpu): { regs: bigint[]; sp: bigint; pc: bigint; pstate: bigint } {
  const regs = Array.from({ length: 31 }, (_, i) => cpu.reg(i === 29 ? 'x29' : i === 30 ? 'x30' : `x${i}`));
  // PSTATE of an EL0t task as el0 entry saves it (SPSR_EL1): NZCV from the engine, EL0t, SSBS set.
  const nzcv = cpu.reg('nzcv') & 0xf0000000n;
  return { regs, sp: cpu.reg('sp'), pc: cpu.pc(), pstate: nzcv | 0x1000n };
}

function reportUserFault(k: KernelState, t: Task, r: UserFaultReport, pc: bigint): void {
  const prof = k.profile.version;
  const cpu = t.mm!.cpu;
  const san = sanitizeUserFaultEsr(r.address, r.esr ?? 0, prof);
  k.tracer.emit('signal', {
    sig: r.sig,
    name: r.sig === 11 ? 'SIGSEGV' : r.sig === 7 ? 'SIGBUS' : r.sig === 9 ? 'SIGKILL' : `sig${r.sig}`,
    code: r.code,
    target: t.pid,
    address: `0x${r.address.toString(16)}`,
  });
  // arm64_show_signal(): exception-trace on, the signal unhandled, ratelimited (10 per 5 s).
  const handled = t.sigactions.get(r.sig);
  const unhandled = t.pid === 1 || !handled || handled.handler === 0n || handled.handler === 1n;
  if (
    k.sysctl.get('debug.exception-trace') &&
    unhandled &&
    k.printk.ratelimit('arm64_show_signal', 5_000_000_000, 10)
  ) {
    const regs = regsOf(cpu);
    const vma = find_vma(t.mm!, Number(pc));
    const file =
      vma && vma.start <= Number(pc) && vma.file
        ? { name: vma.file.path.split('/').pop()!, start: BigInt(vma.start), size: BigInt(vma.end - vma.start) }
        : null;
    const lines = formatArm64UnhandledFault(
      {
        comm: t.comm,
        pid: t.pid,
        esr: san.esr,
        faultName: r.name,
        vma: file,
        ...utsnameParts(k.profile.release.aarch64),
        hardwareName: k.profile.hardwareName.aarch64,
        regs: regs.regs,
        sp: regs.sp,
        pc: regs.pc,
        pstate: regs.pstate,
        addr: r.address,
        sig: r.sig,
      },
      prof,
    );
    for (const l of lines) printk(k, 6, l);
  }
  if (san.warning) printk(k, 4, san.warning);
  k.upcalls.signal.force_sig_fault(t, r.sig, r.code, r.address);
}

/**
 * el0t_64_sync → el0t_64_sync_handler → el0_da / el0_ia → do_mem_abort (6.1), or
 * el0_sync → el0_da / el0_ia → do_mem_abort (4.19/3.12).
 */
export function arm64UserFault(k: KernelState, t: Task, address: bigint, access: Access, pc: bigint): ArchFaultOutcome {
  const fsc = arm64FaultStatus(k, t, address, access);
  const esr = access === 'fetch' ? buildInstrAbortEsr(fsc) : buildDataAbortEsr({ write: access === 'write', fsc });
  const far = address;
  const is61 = k.profile.version === '6.1';
  const vector = k.profile.arm64Entry.vector;
  if (k.tracer.collecting)
    k.tracer.emit('exception', {
      arch: 'aarch64',
      vector: `${vector} (VBAR_EL1+0x${VECTOR_EL0_SYNC.toString(16)})`,
      address: `0x${far.toString(16)}`,
      pc: `0x${pc.toString(16)}`,
      esr: `0x${esr.toString(16).padStart(8, '0')}`,
      decoded: `${esr_get_class_string(esr, k.profile.version)}, ${access}, FSC 0x${fsc.toString(16).padStart(2, '0')}`,
    });
  const tr = k.tracer;
  const report = (r: UserFaultReport) => reportUserFault(k, t, r, pc);
  const body = () => {
    const h = access === 'fetch' ? 'el0_ia' : 'el0_da';
    return tr.call(
      h,
      { far: `0x${far.toString(16)}`, esr: `0x${esr.toString(16)}` },
      () => do_mem_abort({ k, far, esr, report }),
      (o) => o.kind,
    );
  };
  return tr.call(
    vector,
    { elr_el1: `0x${pc.toString(16)}` },
    () => (is61 ? tr.call('el0t_64_sync_handler', undefined, body, (o) => o.kind) : body()),
    (o) => o.kind,
  );
}

export const arm64Ops: ArchOps = {
  userFault: arm64UserFault,
  otherException(_k, _t, intno) {
    // EXCP_UDEF → el0_undef (SIGILL/ILL_ILLOPC); EXCP_BKPT → brk64 handler (SIGTRAP/TRAP_BRKPT).
    if (intno === 7) return { sig: 5, code: 'TRAP_BRKPT' };
    return { sig: 4, code: 'ILL_ILLOPC' };
  },
  syscall: {
    nr: (cpu) => Number(cpu.reg('x8')),
    arg: (cpu, i) => cpu.reg(`x${i}`),
    setReturn: (cpu, v) => cpu.setReg('x0', v),
    names: Object.fromEntries(Object.entries(ARM64_SYSCALLS).map(([n, v]) => [v, n])),
    numbers: ARM64_SYSCALLS,
  },
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
