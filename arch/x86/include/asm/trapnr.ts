/**
 * arch/x86/include/asm/trapnr.h (6.1; asm/traps.h in 4.19 and 3.12): the kernel's names for the
 * exception vectors.  The values are the architecture's (src/hw/x86-exception.ts).
 */
import { X86_VECTOR } from '../../../../src/hw/x86-exception.js';

export const X86_TRAP_DE = X86_VECTOR.DE;
export const X86_TRAP_DB = X86_VECTOR.DB;
export const X86_TRAP_NMI = X86_VECTOR.NMI;
export const X86_TRAP_BP = X86_VECTOR.BP;
export const X86_TRAP_OF = X86_VECTOR.OF;
export const X86_TRAP_BR = X86_VECTOR.BR;
export const X86_TRAP_UD = X86_VECTOR.UD;
export const X86_TRAP_NM = X86_VECTOR.NM;
export const X86_TRAP_DF = X86_VECTOR.DF;
export const X86_TRAP_OLD_MF = X86_VECTOR.CSO;
export const X86_TRAP_TS = X86_VECTOR.TS;
export const X86_TRAP_NP = X86_VECTOR.NP;
export const X86_TRAP_SS = X86_VECTOR.SS;
export const X86_TRAP_GP = X86_VECTOR.GP;
export const X86_TRAP_PF = X86_VECTOR.PF;
/** vector 15 is reserved by the architecture; Linux names it for the spurious-interrupt bug */
export const X86_TRAP_SPURIOUS = 15;
export const X86_TRAP_MF = X86_VECTOR.MF;
export const X86_TRAP_AC = X86_VECTOR.AC;
export const X86_TRAP_MC = X86_VECTOR.MC;
export const X86_TRAP_XF = X86_VECTOR.XM;
export const X86_TRAP_VE = X86_VECTOR.VE;
export const X86_TRAP_CP = X86_VECTOR.CP;
