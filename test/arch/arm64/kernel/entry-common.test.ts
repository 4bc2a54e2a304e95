/**
 * el0t_64_sync_handler() routes every exception the model's CPU raises to the el0_* handler the
 * kernel's switch (arch/arm64/kernel/entry-common.c, 6.1) names for its ESR_ELx.EC.
 */
import { describe, expect, it } from 'vitest';
import {
  ESR_ELx_EC,
  ESR_ELx_EC_BREAKPT_LOW,
  ESR_ELx_EC_BRK64,
  ESR_ELx_EC_DABT_CUR,
  ESR_ELx_EC_DABT_LOW,
  ESR_ELx_EC_FP_ASIMD,
  ESR_ELx_EC_IABT_LOW,
  ESR_ELx_EC_PC_ALIGN,
  ESR_ELx_EC_SERROR,
  ESR_ELx_EC_SOFTSTP_LOW,
  ESR_ELx_EC_SP_ALIGN,
  ESR_ELx_EC_SVC64,
  ESR_ELx_EC_SYS64,
  ESR_ELx_EC_UNKNOWN,
  ESR_ELx_EC_WATCHPT_LOW,
  ESR_ELx_EC_WFx,
} from '../../../../arch/arm64/include/asm/esr.js';
import {
  type El0SyncCtx,
  el0_sync_handler_for,
  el0_sync_dispatch,
  el0t_64_sync_handler,
} from '../../../../arch/arm64/kernel/entry-common.js';
import {
  EXCP_BKPT,
  EXCP_UDEF,
  arm64CpuException,
  buildDataAbortEsr,
  buildInstrAbortEsr,
  fscPermission,
  fscTranslation,
} from '../../../../src/hw/arm64-syndrome.js';

const handlerOf = (esr: number) => el0_sync_handler_for(ESR_ELx_EC(esr)).name;

describe('el0t_64_sync_handler: the exceptions the model raises', () => {
  it('MMU aborts: data abort → el0_da, instruction abort → el0_ia', () => {
    expect(handlerOf(buildDataAbortEsr({ write: false, fsc: fscTranslation(2) }))).toBe('el0_da');
    expect(handlerOf(buildDataAbortEsr({ write: true, fsc: fscPermission(3) }))).toBe('el0_da');
    expect(handlerOf(buildInstrAbortEsr(fscTranslation(3)))).toBe('el0_ia');
  });
  it('engine exceptions: EXCP_UDEF (and HVC/SMC/others) → EC UNKNOWN → el0_undef; EXCP_BKPT → BRK64 → el0_dbg', () => {
    expect(ESR_ELx_EC(arm64CpuException(EXCP_UDEF, 0x400000n, 0).esr)).toBe(ESR_ELx_EC_UNKNOWN);
    expect(handlerOf(arm64CpuException(EXCP_UDEF, 0x400000n, 0).esr)).toBe('el0_undef');
    for (const intno of [3, 8, 9, 11, 13]) expect(handlerOf(arm64CpuException(intno, 0n, 0).esr)).toBe('el0_undef');
    const brk = arm64CpuException(EXCP_BKPT, 0x400000n, 0xd4200000 | (0x1234 << 5)).esr;
    expect(ESR_ELx_EC(brk)).toBe(ESR_ELx_EC_BRK64);
    expect(brk).toBe(0xf2001234);
    expect(handlerOf(brk)).toBe('el0_dbg');
  });
  it('undefined instruction and BRK end in the signals the scheduler forces', () => {
    const ctx = (esr: number) => ({ esr, far: 0n }) as El0SyncCtx;
    expect(el0_sync_dispatch(ctx(arm64CpuException(EXCP_UDEF, 0n, 0).esr))).toEqual({
      kind: 'force_sig',
      sig: 4,
      code: 'ILL_ILLOPC',
    });
    expect(el0_sync_dispatch(ctx(arm64CpuException(EXCP_BKPT, 0n, 0xd4200000).esr))).toEqual({
      kind: 'force_sig',
      sig: 5,
      code: 'TRAP_BRKPT',
    });
  });
});

describe('el0t_64_sync_handler: the rest of the 6.1 switch', () => {
  it('names each case like the kernel', () => {
    const cases: [number, string][] = [
      [ESR_ELx_EC_SVC64, 'el0_svc'],
      [ESR_ELx_EC_FP_ASIMD, 'el0_fpsimd_acc'],
      [ESR_ELx_EC_SYS64, 'el0_sys'],
      [ESR_ELx_EC_WFx, 'el0_sys'],
      [ESR_ELx_EC_SP_ALIGN, 'el0_sp'],
      [ESR_ELx_EC_PC_ALIGN, 'el0_pc'],
      [ESR_ELx_EC_BREAKPT_LOW, 'el0_dbg'],
      [ESR_ELx_EC_SOFTSTP_LOW, 'el0_dbg'],
      [ESR_ELx_EC_WATCHPT_LOW, 'el0_dbg'],
      [ESR_ELx_EC_DABT_LOW, 'el0_da'],
      [ESR_ELx_EC_IABT_LOW, 'el0_ia'],
      [ESR_ELx_EC_DABT_CUR, 'el0_inv'],
      [ESR_ELx_EC_SERROR, 'el0_inv'],
    ];
    for (const [ec, name] of cases) expect(el0_sync_handler_for(ec).name, `EC 0x${ec.toString(16)}`).toBe(name);
  });
  it('classes the model never raises fail loudly instead of guessing', () => {
    expect(() => el0_sync_handler_for(ESR_ELx_EC_SVC64)({ esr: 0x56000000 } as El0SyncCtx)).toThrow(/el0_svc/);
  });
});
