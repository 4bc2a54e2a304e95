/**
 * The per-version rows of the arm64 `fault_info[]` table, as data: one entry per DFSC/IFSC value
 * (ESR & 0x3F) naming the handler `do_mem_abort()` dispatches to, the signal and si_code sent
 * when the fault cannot be handled, and the name string printed in reports.
 *
 * Mirrors `static const struct fault_info fault_info[]` in arch/arm64/mm/fault.c of each
 * modeled version (docs/kernel-reference.md §1.6).  4.19 and 6.1 differ only at index 17 (6.1 adds
 * the MTE "synchronous tag check fault"); 3.12 differs substantially (every do_bad row is
 * SIGBUS with a literal 0 si_code, index 7 goes straight to do_page_fault, several rows have
 * other names — including the unterminated "(translation table walk" of rows 28–31).
 *
 * Why a file of its own: the kernel's table lives in fault.c, and there (arch/arm64/mm/fault.ts)
 * the model binds these rows to the handler functions (`fault_info[]` with function references,
 * which do_mem_abort() calls).  The rows themselves are also read by code fault.ts depends on —
 * the report printers of arch/arm64/kernel/traps.ts name a fault by its row — and by the
 * `explain` tool; keeping the data here lets them read it without an import cycle through the
 * handlers.  `fn` here is the handler's name as the kernel source writes it.
 */
import type { KernelVersion } from '../../../src/include/faultpath/profile.js';

export type Profile = KernelVersion;

/** Handlers named in the tables (functions in arch/arm64/mm/fault.c). */
export type FaultHandlerName =
  | 'do_bad'
  | 'do_translation_fault'
  | 'do_page_fault'
  | 'do_sea'
  | 'do_tag_check_fault'
  | 'do_alignment_fault';

/** Signal numbers (asm-generic / arm64 / x86 agree on these). */
export const SIGTRAP = 5;
export const SIGBUS = 7;
export const SIGKILL = 9;
export const SIGSEGV = 11;

export const SIGNAL_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [SIGTRAP]: 'SIGTRAP',
  [SIGBUS]: 'SIGBUS',
  [SIGKILL]: 'SIGKILL',
  [SIGSEGV]: 'SIGSEGV',
});

/** si_code values (include/uapi/asm-generic/siginfo.h). */
export const SI_CODES = Object.freeze({
  SI_KERNEL: 0x80,
  SEGV_MAPERR: 1,
  SEGV_ACCERR: 2,
  SEGV_PKUERR: 4,
  SEGV_MTEAERR: 8,
  SEGV_MTESERR: 9,
  BUS_ADRALN: 1,
  BUS_ADRERR: 2,
  BUS_OBJERR: 3,
  BUS_MCEERR_AR: 4,
  TRAP_BRKPT: 1,
  TRAP_HWBKPT: 4,
});
export type SiCodeName = keyof typeof SI_CODES | '0';

export interface FaultInfo {
  /** index into the table = ESR & ESR_ELx_FSC */
  readonly index: number;
  /** `inf->fn` */
  readonly fn: FaultHandlerName;
  /** `inf->sig` */
  readonly sig: number;
  readonly sigName: string;
  /** `inf->code` */
  readonly code: number;
  /** the constant as written in the table; '0' for 3.12's literal zero */
  readonly codeName: SiCodeName;
  /** `inf->name` */
  readonly name: string;
}

type Row = readonly [FaultHandlerName, number, SiCodeName, string];

function build(rows: readonly Row[]): readonly FaultInfo[] {
  if (rows.length !== 64) throw new Error(`fault_info[] must have 64 rows, has ${rows.length}`);
  return Object.freeze(
    rows.map(([fn, sig, codeName, name], index) =>
      Object.freeze({
        index,
        fn,
        sig,
        sigName: SIGNAL_NAMES[sig] ?? String(sig),
        code: codeName === '0' ? 0 : SI_CODES[codeName],
        codeName,
        name,
      }),
    ),
  );
}

const BAD: (n: number) => Row = (n) => ['do_bad', SIGKILL, 'SI_KERNEL', `unknown ${n}`];

/** Rows common to 4.19 and 6.1 with index 17 left to the caller. */
function rows4196(row17: Row): Row[] {
  const r: Row[] = [
    ['do_bad', SIGKILL, 'SI_KERNEL', 'ttbr address size fault'],
    ['do_bad', SIGKILL, 'SI_KERNEL', 'level 1 address size fault'],
    ['do_bad', SIGKILL, 'SI_KERNEL', 'level 2 address size fault'],
    ['do_bad', SIGKILL, 'SI_KERNEL', 'level 3 address size fault'],
    ['do_translation_fault', SIGSEGV, 'SEGV_MAPERR', 'level 0 translation fault'],
    ['do_translation_fault', SIGSEGV, 'SEGV_MAPERR', 'level 1 translation fault'],
    ['do_translation_fault', SIGSEGV, 'SEGV_MAPERR', 'level 2 translation fault'],
    ['do_translation_fault', SIGSEGV, 'SEGV_MAPERR', 'level 3 translation fault'],
    BAD(8),
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 1 access flag fault'],
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 2 access flag fault'],
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 3 access flag fault'],
    BAD(12),
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 1 permission fault'],
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 2 permission fault'],
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 3 permission fault'],
    ['do_sea', SIGBUS, 'BUS_OBJERR', 'synchronous external abort'],
    row17,
    BAD(18),
    BAD(19),
    ['do_sea', SIGKILL, 'SI_KERNEL', 'level 0 (translation table walk)'],
    ['do_sea', SIGKILL, 'SI_KERNEL', 'level 1 (translation table walk)'],
    ['do_sea', SIGKILL, 'SI_KERNEL', 'level 2 (translation table walk)'],
    ['do_sea', SIGKILL, 'SI_KERNEL', 'level 3 (translation table walk)'],
    ['do_sea', SIGBUS, 'BUS_OBJERR', 'synchronous parity or ECC error'],
    BAD(25),
    BAD(26),
    BAD(27),
    ['do_sea', SIGKILL, 'SI_KERNEL', 'level 0 synchronous parity error (translation table walk)'],
    ['do_sea', SIGKILL, 'SI_KERNEL', 'level 1 synchronous parity error (translation table walk)'],
    ['do_sea', SIGKILL, 'SI_KERNEL', 'level 2 synchronous parity error (translation table walk)'],
    ['do_sea', SIGKILL, 'SI_KERNEL', 'level 3 synchronous parity error (translation table walk)'],
    BAD(32),
    ['do_alignment_fault', SIGBUS, 'BUS_ADRALN', 'alignment fault'],
  ];
  for (let i = 34; i <= 47; i++) r.push(BAD(i));
  r.push(['do_bad', SIGKILL, 'SI_KERNEL', 'TLB conflict abort']);
  r.push(['do_bad', SIGKILL, 'SI_KERNEL', 'Unsupported atomic hardware update fault']);
  r.push(BAD(50), BAD(51));
  r.push(['do_bad', SIGKILL, 'SI_KERNEL', 'implementation fault (lockdown abort)']);
  r.push(['do_bad', SIGBUS, 'BUS_OBJERR', 'implementation fault (unsupported exclusive)']);
  for (let i = 54; i <= 60; i++) r.push(BAD(i));
  r.push(['do_bad', SIGKILL, 'SI_KERNEL', 'section domain fault']);
  r.push(['do_bad', SIGKILL, 'SI_KERNEL', 'page domain fault']);
  r.push(BAD(63));
  return r;
}

/** 3.12: do_bad rows are SIGBUS with si_code 0. */
function rows312(): Row[] {
  const B = (name: string): Row => ['do_bad', SIGBUS, '0', name];
  const r: Row[] = [
    B('ttbr address size fault'),
    B('level 1 address size fault'),
    B('level 2 address size fault'),
    B('level 3 address size fault'),
    ['do_translation_fault', SIGSEGV, 'SEGV_MAPERR', 'input address range fault'],
    ['do_translation_fault', SIGSEGV, 'SEGV_MAPERR', 'level 1 translation fault'],
    ['do_translation_fault', SIGSEGV, 'SEGV_MAPERR', 'level 2 translation fault'],
    // 3.12 routes level-3 translation faults straight to do_page_fault (no TASK_SIZE check).
    ['do_page_fault', SIGSEGV, 'SEGV_MAPERR', 'level 3 translation fault'],
    B('reserved access flag fault'),
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 1 access flag fault'],
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 2 access flag fault'],
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 3 access flag fault'],
    B('reserved permission fault'),
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 1 permission fault'],
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 2 permission fault'],
    ['do_page_fault', SIGSEGV, 'SEGV_ACCERR', 'level 3 permission fault'],
    B('synchronous external abort'),
    B('asynchronous external abort'),
    B('unknown 18'),
    B('unknown 19'),
    B('synchronous abort (translation table walk)'),
    B('synchronous abort (translation table walk)'),
    B('synchronous abort (translation table walk)'),
    B('synchronous abort (translation table walk)'),
    B('synchronous parity error'),
    B('asynchronous parity error'),
    B('unknown 26'),
    B('unknown 27'),
    // sic: the 3.12 strings lack the closing parenthesis
    B('synchronous parity error (translation table walk'),
    B('synchronous parity error (translation table walk'),
    B('synchronous parity error (translation table walk'),
    B('synchronous parity error (translation table walk'),
    B('unknown 32'),
    ['do_bad', SIGBUS, 'BUS_ADRALN', 'alignment fault'],
    B('debug event'),
  ];
  for (let i = 35; i <= 51; i++) r.push(B(`unknown ${i}`));
  r.push(B('implementation fault (lockdown abort)'));
  for (let i = 53; i <= 57; i++) r.push(B(`unknown ${i}`));
  r.push(B('implementation fault (coprocessor abort)'));
  for (let i = 59; i <= 63; i++) r.push(B(`unknown ${i}`));
  return r;
}

export const FAULT_INFO: Readonly<Record<Profile, readonly FaultInfo[]>> = Object.freeze({
  '6.1': build(rows4196(['do_tag_check_fault', SIGSEGV, 'SEGV_MTESERR', 'synchronous tag check fault'])),
  '4.19': build(rows4196(BAD(17))),
  '3.12': build(rows312()),
});

/** `esr_to_fault_info(esr)` = `fault_info + (esr & ESR_ELx_FSC)` for the given profile. */
export function faultInfo(profile: Profile, esr: number | bigint): FaultInfo {
  const table = FAULT_INFO[profile];
  if (!table) throw new Error(`unknown kernel profile '${String(profile)}'`);
  const idx = typeof esr === 'bigint' ? Number(esr & 0x3fn) : esr & 0x3f;
  const inf = table[idx];
  if (!inf) throw new RangeError(`bad ESR ${String(esr)}`);
  return inf;
}
