/** lib/cmdline.c */

/**
 * memparse(): a number with an optional K/M/G/T suffix (binary multiples).  The kernel parses a
 * prefix and hands back the end pointer; the model's callers want the whole string to be a size,
 * so anything else is null.
 */
export function memparse(s: string): number | null {
  const m = /^\s*(\d+)\s*([kKmMgGtT]?)\s*$/.exec(s);
  if (!m) return null;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase()]!;
  return Number(m[1]) * mult;
}
