/**
 * The real-kernel recordings (shared/oracle) for tests: where they live ($FAULTPATH_ORACLE,
 * ../shared/oracle next to the checkout, or /work/shared/oracle) and how to read their results
 * and logs.  Tests that need them skip (loudly) when none exists.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { GuestArch } from '../../src/include/faultpath/profile.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function find(): string | null {
  const candidates = [
    process.env.FAULTPATH_ORACLE,
    join(REPO_ROOT, '..', 'shared', 'oracle'),
    '/work/shared/oracle',
  ].filter((x): x is string => !!x);
  for (const c of candidates) if (existsSync(join(c, 'cases'))) return c;
  return null;
}

/** The recordings' directory, or null when there are none. */
export const ORACLE_DIR: string | null = find();
/** The recordings' directory, or where they would be (../shared/oracle): paths below it may not exist. */
export const ORACLE = ORACLE_DIR ?? resolve(REPO_ROOT, '../shared/oracle');
export const ORACLE_RESULTS = join(ORACLE, 'results');
export const haveOracle = existsSync(ORACLE_RESULTS);
export const haveOracleBins = existsSync(join(ORACLE, 'bin'));

export type OracleArch = GuestArch;

/** The recorded cases of an arch whose name starts with `prefix`. */
export function oracleCases(arch: OracleArch, prefix: string): string[] {
  if (!haveOracle) return [];
  const dir = join(ORACLE_RESULTS, arch);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** results/<arch>/<name>.json */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function oracleJson(arch: OracleArch, name: string): any {
  return JSON.parse(readFileSync(join(ORACLE_RESULTS, arch, `${name}.json`), 'utf8'));
}

/** The serial console log, one entry per line, with the printk timestamp prefix removed. */
export function oracleLogLines(arch: OracleArch, name: string): string[] {
  const text = gunzipSync(readFileSync(join(ORACLE_RESULTS, arch, `${name}.log.gz`))).toString('utf8');
  return text.split(/\r?\n/).map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ''));
}

/** The n log lines starting at the first line that contains `marker`. */
export function oracleBlock(lines: readonly string[], marker: string, n: number): string[] {
  const i = lines.findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`marker '${marker}' not found in oracle log`);
  return lines.slice(i, i + n);
}

/** "null_store[400000+1000]" → print_vma_addr pieces */
export function parseVma(s: string | undefined): { name: string; start: bigint; size: bigint } | null {
  if (!s) return null;
  const m = /^(.*)\[([0-9a-f]+)\+([0-9a-f]+)\]$/.exec(s);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) throw new Error(`bad vma text ${s}`);
  return { name: m[1], start: BigInt('0x' + m[2]), size: BigInt('0x' + m[3]) };
}

/** utsname pieces of the oracle kernel: release, version and Debian's package-id suffix. */
export function unameOf(kernel: { release: string; version: string }): {
  release: string;
  version: string;
  versionSuffix: string;
} {
  // kernel.version is /proc/version: "Linux version <release> (<builder>) (<compiler>) <utsname version>"
  const m = /(#\d+ .*)$/.exec(kernel.version);
  if (!m || m[1] === undefined) throw new Error(`cannot find the utsname version in ${kernel.version}`);
  const deb = /Debian (\d\S*)/.exec(m[1]);
  return { release: kernel.release, version: m[1], versionSuffix: deb ? `  Debian ${deb[1]}` : '' };
}
