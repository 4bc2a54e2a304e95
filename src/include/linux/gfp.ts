/**
 * GFP (get-free-pages) flag values and the kernel's `%pGg` rendering.
 *
 * Bit values mirror include/linux/gfp_types.h (6.1) and include/linux/gfp.h (4.19, 3.12); the
 * composite masks are computed from them exactly as those headers define them.  The name table
 * is `gfpflag_names[]` (mm/debug.c = `__def_gfpflag_names` of include/trace/events/mmflags.h),
 * walked by `format_flags()` of lib/vsprintf.c.  docs/kernel-reference.md §10.
 *
 * Config assumptions (the modeled Debian-style kernels): 6.1 without CONFIG_KASAN_HW_TAGS
 * (__GFP_SKIP_ZERO/SKIP_KASAN_* are 0) and without CONFIG_LOCKDEP (__GFP_NOLOCKDEP is 0);
 * 3.12 without CONFIG_NUMA-specific GFP_THISNODE (not needed on the fault path).
 */
import type { KernelVersion } from '../faultpath/version.js';

export type Profile = KernelVersion;

// ---------------------------------------------------------------------------------------------
// 6.1 bit values (include/linux/gfp_types.h)
// ---------------------------------------------------------------------------------------------
export const __GFP_DMA = 0x01;
export const __GFP_HIGHMEM = 0x02;
export const __GFP_DMA32 = 0x04;
export const __GFP_MOVABLE = 0x08;
export const __GFP_RECLAIMABLE = 0x10;
export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_ZERO = 0x100;
export const __GFP_ATOMIC = 0x200;
export const __GFP_DIRECT_RECLAIM = 0x400;
export const __GFP_KSWAPD_RECLAIM = 0x800;
export const __GFP_WRITE = 0x1000;
export const __GFP_NOWARN = 0x2000;
export const __GFP_RETRY_MAYFAIL = 0x4000;
export const __GFP_NOFAIL = 0x8000;
export const __GFP_NORETRY = 0x10000;
export const __GFP_MEMALLOC = 0x20000;
export const __GFP_COMP = 0x40000;
export const __GFP_NOMEMALLOC = 0x80000;
export const __GFP_HARDWALL = 0x100000;
export const __GFP_THISNODE = 0x200000;
export const __GFP_ACCOUNT = 0x400000;
export const __GFP_ZEROTAGS = 0x800000;
/** 0 without CONFIG_KASAN_HW_TAGS */
export const __GFP_SKIP_ZERO = 0;
export const __GFP_SKIP_KASAN_UNPOISON = 0;
export const __GFP_SKIP_KASAN_POISON = 0;
/** 0 without CONFIG_LOCKDEP */
export const __GFP_NOLOCKDEP = 0;

export const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
export const GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM;
export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
export const GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT;
export const GFP_NOWAIT = __GFP_KSWAPD_RECLAIM;
export const GFP_NOIO = __GFP_RECLAIM;
export const GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
export const GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
export const GFP_DMA = __GFP_DMA;
export const GFP_DMA32 = __GFP_DMA32;
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
export const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE | __GFP_SKIP_KASAN_POISON | __GFP_SKIP_KASAN_UNPOISON;
export const GFP_TRANSHUGE_LIGHT =
  (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM;
export const GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;
/** include/asm-generic/pgalloc.h (6.1): user page-table pages */
export const GFP_PGTABLE_USER = GFP_KERNEL | __GFP_ZERO | __GFP_ACCOUNT;

// ---------------------------------------------------------------------------------------------
// Per-profile data
// ---------------------------------------------------------------------------------------------

export interface GfpProfile {
  /** single-bit flags by kernel name (`__GFP_*`, value of the matching `___GFP_*`) */
  readonly bits: Readonly<Record<string, number>>;
  /** composite masks by kernel name (`GFP_*`, `__GFP_RECLAIM`) */
  readonly masks: Readonly<Record<string, number>>;
  /** the name table walked by format_flags(), in order */
  readonly names: readonly { readonly mask: number; readonly name: string }[];
  /** whether the version's vsprintf has %pGg (4.19/6.1); 3.12 OOM headers print only 0x%x */
  readonly hasPGg: boolean;
}

function freezeTable(
  bits: Record<string, number>,
  masks: Record<string, number>,
  order: readonly string[],
  hasPGg: boolean,
  labels?: Record<string, string>,
): GfpProfile {
  const all: Record<string, number> = { ...bits, ...masks };
  const names = order.map((n) => {
    const mask = all[n];
    if (mask === undefined) throw new Error(`gfp name table refers to unknown flag ${n}`);
    return Object.freeze({ mask, name: labels?.[n] ?? n });
  });
  return Object.freeze({ bits: Object.freeze(bits), masks: Object.freeze(masks), names: Object.freeze(names), hasPGg });
}

/** __def_gfpflag_names order shared by 4.19 and 6.1 (6.1 appends __GFP_ZEROTAGS). */
const ORDER_419 = [
  'GFP_TRANSHUGE',
  'GFP_TRANSHUGE_LIGHT',
  'GFP_HIGHUSER_MOVABLE',
  'GFP_HIGHUSER',
  'GFP_USER',
  'GFP_KERNEL_ACCOUNT',
  'GFP_KERNEL',
  'GFP_NOFS',
  'GFP_ATOMIC',
  'GFP_NOIO',
  'GFP_NOWAIT',
  'GFP_DMA',
  '__GFP_HIGHMEM',
  'GFP_DMA32',
  '__GFP_HIGH',
  '__GFP_ATOMIC',
  '__GFP_IO',
  '__GFP_FS',
  '__GFP_NOWARN',
  '__GFP_RETRY_MAYFAIL',
  '__GFP_NOFAIL',
  '__GFP_NORETRY',
  '__GFP_COMP',
  '__GFP_ZERO',
  '__GFP_NOMEMALLOC',
  '__GFP_MEMALLOC',
  '__GFP_HARDWALL',
  '__GFP_THISNODE',
  '__GFP_RECLAIMABLE',
  '__GFP_MOVABLE',
  '__GFP_ACCOUNT',
  '__GFP_WRITE',
  '__GFP_RECLAIM',
  '__GFP_DIRECT_RECLAIM',
  '__GFP_KSWAPD_RECLAIM',
] as const;

/** The modern (4.19/6.1) composite definitions, evaluated over a bit table. */
function modernMasks(b: Record<string, number>, skipKasan = 0): Record<string, number> {
  const g = (n: string): number => {
    const v = b[n];
    if (v === undefined) throw new Error(`missing GFP bit ${n}`);
    return v;
  };
  const RECLAIM = g('__GFP_DIRECT_RECLAIM') | g('__GFP_KSWAPD_RECLAIM');
  const KERNEL = RECLAIM | g('__GFP_IO') | g('__GFP_FS');
  const USER = KERNEL | g('__GFP_HARDWALL');
  const HIGHUSER = USER | g('__GFP_HIGHMEM');
  const HIGHUSER_MOVABLE = HIGHUSER | g('__GFP_MOVABLE') | skipKasan;
  const TRANSHUGE_LIGHT = (HIGHUSER_MOVABLE | g('__GFP_COMP') | g('__GFP_NOMEMALLOC') | g('__GFP_NOWARN')) & ~RECLAIM;
  return {
    __GFP_RECLAIM: RECLAIM,
    GFP_ATOMIC: g('__GFP_HIGH') | g('__GFP_ATOMIC') | g('__GFP_KSWAPD_RECLAIM'),
    GFP_KERNEL: KERNEL,
    GFP_KERNEL_ACCOUNT: KERNEL | g('__GFP_ACCOUNT'),
    GFP_NOWAIT: g('__GFP_KSWAPD_RECLAIM'),
    GFP_NOIO: RECLAIM,
    GFP_NOFS: RECLAIM | g('__GFP_IO'),
    GFP_USER: USER,
    GFP_DMA: g('__GFP_DMA'),
    GFP_DMA32: g('__GFP_DMA32'),
    GFP_HIGHUSER: HIGHUSER,
    GFP_HIGHUSER_MOVABLE: HIGHUSER_MOVABLE,
    GFP_TRANSHUGE_LIGHT: TRANSHUGE_LIGHT,
    GFP_TRANSHUGE: TRANSHUGE_LIGHT | g('__GFP_DIRECT_RECLAIM'),
  };
}

const BITS_61: Record<string, number> = {
  __GFP_DMA,
  __GFP_HIGHMEM,
  __GFP_DMA32,
  __GFP_MOVABLE,
  __GFP_RECLAIMABLE,
  __GFP_HIGH,
  __GFP_IO,
  __GFP_FS,
  __GFP_ZERO,
  __GFP_ATOMIC,
  __GFP_DIRECT_RECLAIM,
  __GFP_KSWAPD_RECLAIM,
  __GFP_WRITE,
  __GFP_NOWARN,
  __GFP_RETRY_MAYFAIL,
  __GFP_NOFAIL,
  __GFP_NORETRY,
  __GFP_MEMALLOC,
  __GFP_COMP,
  __GFP_NOMEMALLOC,
  __GFP_HARDWALL,
  __GFP_THISNODE,
  __GFP_ACCOUNT,
  __GFP_ZEROTAGS,
};

/** include/linux/gfp.h (4.19) */
const BITS_419: Record<string, number> = {
  __GFP_DMA: 0x01,
  __GFP_HIGHMEM: 0x02,
  __GFP_DMA32: 0x04,
  __GFP_MOVABLE: 0x08,
  __GFP_RECLAIMABLE: 0x10,
  __GFP_HIGH: 0x20,
  __GFP_IO: 0x40,
  __GFP_FS: 0x80,
  __GFP_WRITE: 0x100,
  __GFP_NOWARN: 0x200,
  __GFP_RETRY_MAYFAIL: 0x400,
  __GFP_NOFAIL: 0x800,
  __GFP_NORETRY: 0x1000,
  __GFP_MEMALLOC: 0x2000,
  __GFP_COMP: 0x4000,
  __GFP_ZERO: 0x8000,
  __GFP_NOMEMALLOC: 0x10000,
  __GFP_HARDWALL: 0x20000,
  __GFP_THISNODE: 0x40000,
  __GFP_ATOMIC: 0x80000,
  __GFP_ACCOUNT: 0x100000,
  __GFP_DIRECT_RECLAIM: 0x200000,
  __GFP_KSWAPD_RECLAIM: 0x400000,
};

/** include/linux/gfp.h (3.12): __GFP_WAIT instead of the two reclaim bits */
const BITS_312: Record<string, number> = {
  __GFP_DMA: 0x01,
  __GFP_HIGHMEM: 0x02,
  __GFP_DMA32: 0x04,
  __GFP_MOVABLE: 0x08,
  __GFP_WAIT: 0x10,
  __GFP_HIGH: 0x20,
  __GFP_IO: 0x40,
  __GFP_FS: 0x80,
  __GFP_COLD: 0x100,
  __GFP_NOWARN: 0x200,
  __GFP_REPEAT: 0x400,
  __GFP_NOFAIL: 0x800,
  __GFP_NORETRY: 0x1000,
  __GFP_MEMALLOC: 0x2000,
  __GFP_COMP: 0x4000,
  __GFP_ZERO: 0x8000,
  __GFP_NOMEMALLOC: 0x10000,
  __GFP_HARDWALL: 0x20000,
  __GFP_THISNODE: 0x40000,
  __GFP_RECLAIMABLE: 0x80000,
  __GFP_KMEMCG: 0x100000,
  __GFP_NOTRACK: 0x200000,
  __GFP_NO_KSWAPD: 0x400000,
  __GFP_OTHER_NODE: 0x800000,
  __GFP_WRITE: 0x1000000,
};

function masks312(): Record<string, number> {
  const b = BITS_312;
  const W = b.__GFP_WAIT!,
    IO = b.__GFP_IO!,
    FS = b.__GFP_FS!,
    HW = b.__GFP_HARDWALL!;
  const ATOMIC = b.__GFP_HIGH!;
  const HIGHUSER_MOVABLE = W | IO | FS | HW | b.__GFP_HIGHMEM! | b.__GFP_MOVABLE!;
  return {
    GFP_NOWAIT: ATOMIC & ~b.__GFP_HIGH!,
    GFP_ATOMIC: ATOMIC,
    GFP_NOIO: W,
    GFP_NOFS: W | IO,
    GFP_KERNEL: W | IO | FS,
    GFP_TEMPORARY: W | IO | FS | b.__GFP_RECLAIMABLE!,
    GFP_USER: W | IO | FS | HW,
    GFP_HIGHUSER: W | IO | FS | HW | b.__GFP_HIGHMEM!,
    GFP_HIGHUSER_MOVABLE: HIGHUSER_MOVABLE,
    GFP_IOFS: IO | FS,
    GFP_TRANSHUGE:
      HIGHUSER_MOVABLE | b.__GFP_COMP! | b.__GFP_NOMEMALLOC! | b.__GFP_NORETRY! | b.__GFP_NOWARN! | b.__GFP_NO_KSWAPD!,
    GFP_DMA: b.__GFP_DMA!,
    GFP_DMA32: b.__GFP_DMA32!,
  };
}

/**
 * 3.12 has no %pGg; its only GFP name table is show_gfp_flags() of
 * include/trace/events/gfpflags.h (tracepoint output, names without the leading "__").
 */
const ORDER_312 = [
  'GFP_TRANSHUGE',
  'GFP_HIGHUSER_MOVABLE',
  'GFP_HIGHUSER',
  'GFP_USER',
  'GFP_TEMPORARY',
  'GFP_KERNEL',
  'GFP_NOFS',
  'GFP_ATOMIC',
  'GFP_NOIO',
  '__GFP_HIGH',
  '__GFP_WAIT',
  '__GFP_IO',
  '__GFP_COLD',
  '__GFP_NOWARN',
  '__GFP_REPEAT',
  '__GFP_NOFAIL',
  '__GFP_NORETRY',
  '__GFP_COMP',
  '__GFP_ZERO',
  '__GFP_NOMEMALLOC',
  '__GFP_MEMALLOC',
  '__GFP_HARDWALL',
  '__GFP_THISNODE',
  '__GFP_RECLAIMABLE',
  '__GFP_KMEMCG',
  '__GFP_MOVABLE',
  '__GFP_NOTRACK',
  '__GFP_NO_KSWAPD',
  '__GFP_OTHER_NODE',
] as const;
const LABELS_312: Record<string, string> = Object.fromEntries(
  ORDER_312.filter((n) => n.startsWith('__')).map((n) => [n, n.slice(2)]),
);

export const GFP_PROFILES: Readonly<Record<Profile, GfpProfile>> = Object.freeze({
  '6.1': freezeTable(
    BITS_61,
    { ...modernMasks(BITS_61, __GFP_SKIP_KASAN_POISON | __GFP_SKIP_KASAN_UNPOISON), GFP_PGTABLE_USER },
    [...ORDER_419, '__GFP_ZEROTAGS'],
    true,
  ),
  '4.19': freezeTable(BITS_419, modernMasks(BITS_419), ORDER_419, true),
  '3.12': freezeTable(BITS_312, masks312(), ORDER_312, false, LABELS_312),
});

/** Look up a flag or composite mask by its kernel name in a profile (`__GFP_ZERO`, `GFP_KERNEL`, …). */
export function gfpValue(name: string, profile: Profile = '6.1'): number {
  const p = GFP_PROFILES[profile];
  if (!p) throw new Error(`unknown kernel profile '${String(profile)}'`);
  const v = p.bits[name] ?? p.masks[name];
  if (v === undefined) throw new Error(`GFP flag ${name} does not exist in Linux ${profile}`);
  return v;
}

/** OR together named flags, e.g. gfpMask(['GFP_HIGHUSER_MOVABLE', '__GFP_ZERO'], '4.19') = 0x6280ca. */
export function gfpMask(names: readonly string[], profile: Profile = '6.1'): number {
  return names.reduce((m, n) => (m | gfpValue(n, profile)) >>> 0, 0);
}

function checkMask(mask: number): number {
  if (!Number.isInteger(mask) || mask < 0 || mask > 0xffffffff)
    throw new RangeError(`gfp mask must be a 32-bit unsigned integer, got ${mask}`);
  return mask >>> 0;
}

/**
 * The `%pGg` text (lib/vsprintf.c format_flags() over gfpflag_names[]): walk the table in
 * order; an entry whose whole mask is contained in the remaining flags prints its name and
 * clears those bits, followed by "|" if bits remain; leftover bits print as "0x%lx".  A zero
 * mask prints nothing.  For 3.12 the tracepoint rendering (show_gfp_flags: same walk, 0 is
 * "GFP_NOWAIT") is returned, since 3.12's printk has no %pGg.
 */
export function formatGfpFlags(maskIn: number, profile: Profile = '6.1'): string {
  let flags = checkMask(maskIn);
  const p = GFP_PROFILES[profile];
  if (!p) throw new Error(`unknown kernel profile '${String(profile)}'`);
  if (!p.hasPGg && flags === 0) return 'GFP_NOWAIT';
  let out = '';
  for (const { mask, name } of p.names) {
    if (!flags) break;
    if ((flags & mask) >>> 0 !== mask) continue;
    out += name;
    flags = (flags & ~mask) >>> 0;
    if (flags) out += '|';
  }
  if (flags) out += `0x${flags.toString(16)}`;
  return out;
}

/**
 * The gfp text of an OOM header: `"%#x(%pGg)"` in 4.19/6.1 (e.g. `0xcc0(GFP_KERNEL)`,
 * `0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)`, `0x0()` — the kernel's %#x prints
 * the prefix even for 0), `"0x%x"` in 3.12.
 */
export function formatGfp(maskIn: number, profile: Profile = '6.1'): string {
  const mask = checkMask(maskIn);
  const p = GFP_PROFILES[profile];
  if (!p) throw new Error(`unknown kernel profile '${String(profile)}'`);
  const num = `0x${mask.toString(16)}`;
  return p.hasPGg ? `${num}(${formatGfpFlags(mask, profile)})` : num;
}

/** The flags the model's mm code tests, by short name, with two composites (KernelProfile.gfp). */
export interface GfpBits {
  HIGHMEM: number;
  MOVABLE: number;
  HIGH: number;
  IO: number;
  FS: number;
  ZERO: number;
  DIRECT_RECLAIM: number;
  KSWAPD_RECLAIM: number;
  NOWARN: number;
  RETRY_MAYFAIL: number;
  NOFAIL: number;
  NORETRY: number;
  COMP: number;
  HARDWALL: number;
  THISNODE: number;
  ACCOUNT: number;
  GFP_KERNEL: number;
  GFP_HIGHUSER_MOVABLE: number;
}

/**
 * 3.12 predecessors the model uses in place of the later flags: __GFP_WAIT ("can sleep and
 * reclaim") for __GFP_DIRECT_RECLAIM, __GFP_REPEAT for __GFP_RETRY_MAYFAIL.  Flags a version does
 * not have (3.12 __GFP_KSWAPD_RECLAIM, __GFP_ACCOUNT) are 0.
 */
const STAND_INS: Partial<Record<Profile, Record<string, string>>> = {
  '3.12': { __GFP_DIRECT_RECLAIM: '__GFP_WAIT', __GFP_RETRY_MAYFAIL: '__GFP_REPEAT' },
};

/** A version's GfpBits, read from its table above. */
export function gfpBits(profile: Profile): GfpBits {
  const t = GFP_PROFILES[profile];
  const standIn = STAND_INS[profile] ?? {};
  const bit = (name: string): number => t.bits[standIn[name] ?? name] ?? 0;
  return {
    HIGHMEM: bit('__GFP_HIGHMEM'),
    MOVABLE: bit('__GFP_MOVABLE'),
    HIGH: bit('__GFP_HIGH'),
    IO: bit('__GFP_IO'),
    FS: bit('__GFP_FS'),
    ZERO: bit('__GFP_ZERO'),
    DIRECT_RECLAIM: bit('__GFP_DIRECT_RECLAIM'),
    KSWAPD_RECLAIM: bit('__GFP_KSWAPD_RECLAIM'),
    NOWARN: bit('__GFP_NOWARN'),
    RETRY_MAYFAIL: bit('__GFP_RETRY_MAYFAIL'),
    NOFAIL: bit('__GFP_NOFAIL'),
    NORETRY: bit('__GFP_NORETRY'),
    COMP: bit('__GFP_COMP'),
    HARDWALL: bit('__GFP_HARDWALL'),
    THISNODE: bit('__GFP_THISNODE'),
    ACCOUNT: bit('__GFP_ACCOUNT'),
    GFP_KERNEL: gfpValue('GFP_KERNEL', profile),
    GFP_HIGHUSER_MOVABLE: gfpValue('GFP_HIGHUSER_MOVABLE', profile),
  };
}
