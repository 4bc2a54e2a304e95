/**
 * The x86 exception entry routes every exception the model's CPU raises through the IDT to the
 * handler arch/x86/kernel/idt.c installs for its vector (DEFINE_IDTENTRY* names of 6.1).
 */
import { describe, expect, it } from 'vitest';
import {
  X86_TRAP_BP,
  X86_TRAP_DE,
  X86_TRAP_GP,
  X86_TRAP_PF,
  X86_TRAP_UD,
} from '../../../../arch/x86/include/asm/trapnr.js';
import type { X86ExceptionCtx } from '../../../../arch/x86/include/asm/traps.js';
import { idt_handler, idtentry } from '../../../../arch/x86/kernel/idt.js';
import type { PageTable } from '../../../../src/hw/mmu.js';
import { x86AccessException, x86CpuException } from '../../../../src/hw/x86-exception.js';

const walkingTo = (level: number) => ({ walk: () => ({ level }) }) as unknown as PageTable;

describe('idt: vector → handler', () => {
  it('the gates of the modeled handlers', () => {
    expect(idt_handler(X86_TRAP_DE).name).toBe('exc_divide_error');
    expect(idt_handler(X86_TRAP_BP).name).toBe('exc_int3');
    expect(idt_handler(X86_TRAP_UD).name).toBe('exc_invalid_op');
    expect(idt_handler(X86_TRAP_GP).name).toBe('exc_general_protection');
    expect(idt_handler(X86_TRAP_PF).name).toBe('asm_exc_page_fault');
    expect(idt_handler(X86_TRAP_PF, 'page_fault').name).toBe('page_fault');
  });
  it('every exception the model raises reaches the kernel-named handler', () => {
    // the engine: #DE (div by zero), #BP (int3), #UD (ud2, invalid encodings), #GP (hlt at CPL 3)
    const engine: [number, string][] = [
      [0, 'exc_divide_error'],
      [3, 'exc_int3'],
      [6, 'exc_invalid_op'],
      [13, 'exc_general_protection'],
    ];
    for (const [intno, name] of engine) expect(idt_handler(x86CpuException(intno, 0n).vector).name).toBe(name);
    // the MMU: #PF for a canonical address, #GP(0) for a non-canonical one
    const pf = x86AccessException(walkingTo(2), 0x1000n, 'write', 0x401000n, () => false);
    expect(idt_handler(pf.vector).name).toBe('asm_exc_page_fault');
    const gp = x86AccessException(walkingTo(0), 0x8000000000000000n, 'read', 0x401000n, () => false);
    expect(idt_handler(gp.vector).name).toBe('exc_general_protection');
  });
  it('a vector without a modeled handler is delivered as #GP, as before', () => {
    expect(idt_handler(0x80).name).toBe('exc_general_protection');
    expect(idt_handler(1).name).toBe('exc_general_protection');
  });
  it('engine traps end in the signal the scheduler forces', () => {
    const quiet = { sysctl: { get: () => 0 } };
    const run = (intno: number) =>
      idtentry({ ...x86CpuException(intno, 0x401000n), k: quiet, t: { pid: 2 } } as unknown as X86ExceptionCtx);
    expect(run(0)).toEqual({ kind: 'force_sig', sig: 8, code: 'FPE_INTDIV' });
    expect(run(3)).toEqual({ kind: 'force_sig', sig: 5, code: 'SI_KERNEL' });
    expect(run(6)).toEqual({ kind: 'force_sig', sig: 4, code: 'ILL_ILLOPN' });
    expect(run(13)).toEqual({ kind: 'force_sig', sig: 11, code: 'SI_KERNEL' });
  });
});
