/**
 * Where the real-kernel recordings live: $FAULTPATH_ORACLE, ../shared/oracle next to the
 * checkout, or /work/shared/oracle.  Tests that need them skip (loudly) when none exists.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function find(): string | null {
  const candidates = [process.env.FAULTPATH_ORACLE, join(ROOT, '..', 'shared', 'oracle'), '/work/shared/oracle'].filter(
    (x): x is string => !!x,
  );
  for (const c of candidates) if (existsSync(join(c, 'cases'))) return c;
  return null;
}

export const ORACLE_DIR: string | null = find();
export const REPO_ROOT = ROOT;
