/**
 * Every modeled function the tracer accepts (src/trace/functions.ts) is defined under its kernel
 * name in the file at its kernel path: strip `src/`, change `.ts` to `.c` (`.S`, `.h` for entry
 * code and header inlines), and you have the kernel file.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELED_FUNCTIONS } from '../../src/trace/functions.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** The model file of a kernel file: arch/ stays at the top, the rest lives under src/. */
function modelFile(kernelFile: string): string {
  const ts = kernelFile.replace(/\.[chS]$/, '.ts');
  return kernelFile.startsWith('arch/') ? ts : join('src', ts);
}

function definesFunction(source: string, name: string): boolean {
  const escaped = name.replace(/\$/g, '\\$');
  return new RegExp(`(^|\\n)\\s*(export\\s+)?function\\s+${escaped}\\s*[<(]`).test(source);
}

describe('modeled functions live at their kernel paths under their kernel names', () => {
  const entries = Object.entries(MODELED_FUNCTIONS);
  const KERNEL_FILE = /^(arch|mm|kernel|fs|lib|drivers|include)\/.+\.[chS]$/;
  /** The kernel files a name is checked in (a name defined by both arches has two). */
  const filesOf = (v: (typeof entries)[number][1]): string[] =>
    typeof v === 'string' ? [v] : 'definedIn' in v ? [v.definedIn] : [...v];

  it('the registry is not empty and names only kernel files', () => {
    expect(entries.length).toBeGreaterThan(40);
    for (const [, v] of entries) {
      for (const f of filesOf(v)) expect(f).toMatch(KERNEL_FILE);
      if (typeof v === 'object' && 'definedIn' in v) {
        expect(v.file).toMatch(/\.h$/);
        expect(v.why.length).toBeGreaterThan(20);
      }
    }
  });

  for (const [name, v] of entries) {
    for (const kernelFile of filesOf(v)) {
      it(`${name} is defined in ${modelFile(kernelFile)}`, () => {
        const path = join(ROOT, modelFile(kernelFile));
        expect(existsSync(path), `${path} exists`).toBe(true);
        expect(definesFunction(readFileSync(path, 'utf8'), name), `function ${name} in ${path}`).toBe(true);
      });
    }
  }
});
