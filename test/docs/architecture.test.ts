/**
 * docs/architecture.md's layer diagram is generated from the dependency checker's view of the
 * code (folders collapsed to layers), so it cannot drift from the code; and the checker finds
 * no cycle and no layer violation.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const LAYERS = '^(src/(include|hw|trace|machine|cli|scenario|oracle|explain|asm|mm|kernel|fs|lib|drivers)|arch/[^/]+)';

function depcruise(...args: string[]): string {
  return execFileSync(DEPCRUISE, args, { cwd: ROOT, encoding: 'utf8' });
}

describe('docs/architecture.md', () => {
  it('the dependency checker reports no cycle and no layer violation', () => {
    const out = depcruise('src', 'arch', '--output-type', 'err');
    expect(out).toMatch(/no dependency violations found/);
  });

  it('the layer diagram is the one the code has (regenerated)', () => {
    const mermaid = depcruise(
      'src',
      'arch',
      '--include-only',
      '^(src|arch)/',
      '--exclude',
      '^src/types/',
      '--collapse',
      LAYERS,
      '--output-type',
      'mermaid',
    ).trim();
    expect(mermaid).toMatch(/^flowchart LR/);
    const file = join(ROOT, 'docs', 'architecture.md');
    const doc = readFileSync(file, 'utf8');
    const begin = '<!-- BEGIN GENERATED: layer diagram -->';
    const end = '<!-- END GENERATED: layer diagram -->';
    expect(doc).toContain(begin);
    const next = `${doc.slice(0, doc.indexOf(begin) + begin.length)}\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n${doc.slice(doc.indexOf(end))}`;
    writeFileSync(file, next);
  });
});
