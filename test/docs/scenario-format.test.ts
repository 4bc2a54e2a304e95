/**
 * docs/scenario-format.md against the scenario schema: every field the zod schema accepts (and
 * every enum/literal value it names) must appear in the page as `name`, every ```yaml block must
 * be a valid scenario, and the annotated example must be the shipped scenario file it names.
 * Adding a field to src/scenario/schema.ts without documenting it fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseScenario, scenarioSchema } from '../../src/scenario/schema.js';
import { REPO_ROOT } from '../helpers/oracle.js';

const DOC_PATH = 'docs/scenario-format.md';
const doc = readFileSync(join(REPO_ROOT, DOC_PATH), 'utf8');

interface Found {
  /** field name → the schema paths where it occurs */
  fields: Map<string, string[]>;
  /** string enum options and string literals (arch, kernel, start: immediate, …) */
  values: Set<string>;
}

/** Walks a zod 4 schema; throws on a schema kind it does not know, so none is skipped silently. */
function walk(s: z.core.$ZodType, path: string, out: Found): void {
  if (s instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(s.shape as Record<string, z.core.$ZodType>)) {
      const p = path ? `${path}.${key}` : key;
      out.fields.set(key, [...(out.fields.get(key) ?? []), p]);
      walk(child, p, out);
    }
  } else if (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
    walk(s.unwrap() as z.core.$ZodType, path, out);
  } else if (s instanceof z.ZodArray) {
    walk(s.element as z.core.$ZodType, `${path}[]`, out);
  } else if (s instanceof z.ZodUnion) {
    for (const o of s.options as readonly z.core.$ZodType[]) walk(o, path, out);
  } else if (s instanceof z.ZodRecord) {
    // keys are user data (process ids, cgroup paths, sysctl names), not field names
    walk(s.valueType as z.core.$ZodType, `${path}.<key>`, out);
  } else if (s instanceof z.ZodPipe) {
    // zod 4's replacement for v3's ZodEffects (transform/preprocess); .refine() adds no wrapper
    walk(s.in as z.core.$ZodType, path, out);
  } else if (s instanceof z.ZodEnum) {
    for (const v of s.options) if (typeof v === 'string') out.values.add(v);
  } else if (s instanceof z.ZodLiteral) {
    for (const v of s.values) if (typeof v === 'string') out.values.add(v);
  } else if (!(s instanceof z.ZodString || s instanceof z.ZodNumber || s instanceof z.ZodBoolean)) {
    throw new Error(`${path}: schema kind '${s._zod.def.type}' is not handled by this walker`);
  }
}

function schemaNames(): Found {
  const out: Found = { fields: new Map(), values: new Set() };
  walk(scenarioSchema, '', out);
  return out;
}

/** The ```yaml blocks of the page with the line their first content line is on. */
function yamlBlocks(): { line: number; text: string }[] {
  const blocks: { line: number; text: string }[] = [];
  const lines = doc.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```yaml') continue;
    const start = i + 1;
    let j = start;
    while (j < lines.length && lines[j]!.trim() !== '```') j++;
    if (j === lines.length) throw new Error(`${DOC_PATH}:${i + 1}: unterminated yaml block`);
    blocks.push({ line: start + 1, text: lines.slice(start, j).join('\n') });
    i = j;
  }
  return blocks;
}

/** Parses a block so that error lines are lines of the page. */
function parseBlock(b: { line: number; text: string }) {
  return parseScenario('\n'.repeat(b.line - 1) + b.text, DOC_PATH);
}

describe('docs/scenario-format.md', () => {
  const found = schemaNames();

  it('the schema walk sees the nested fields', () => {
    for (const f of [
      'machine',
      'oom_notifiers',
      'pages',
      'memory.max',
      'cgroup.subtree_control',
      'oom_kill_disable',
      'after_ready',
      'after_exit',
      'at_ms',
      'sig',
      'events_local',
      'exit',
    ]) {
      expect(found.fields.has(f), f).toBe(true);
    }
    expect(found.values).toContain('immediate');
  });

  it('documents every schema field as `name`', () => {
    const missing = [...found.fields]
      .filter(([name]) => !doc.includes(`\`${name}\``))
      .map(([name, paths]) => `${name} (${paths.join(', ')})`);
    expect(missing, `fields missing from ${DOC_PATH}`).toEqual([]);
  });

  it('documents every enum and literal value', () => {
    const missing = [...found.values].filter((v) => !doc.includes(`\`${v}\``) && !doc.includes(`\`"${v}"\``));
    expect(missing, `values missing from ${DOC_PATH}`).toEqual([]);
  });

  it('every yaml block is a valid scenario', () => {
    const blocks = yamlBlocks();
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) expect(() => parseBlock(b), `block at ${DOC_PATH}:${b.line}`).not.toThrow();
  });

  it('the annotated example is the scenario file it names', () => {
    const m = /## Example\s+`(guest-programs\/scenarios\/[^`]+\.ya?ml)`/.exec(doc);
    expect(m, 'the Example section starts by naming its file').not.toBeNull();
    const file = m![1]!;
    expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
    const want = parseScenario(readFileSync(join(REPO_ROOT, file), 'utf8'), file);
    expect(yamlBlocks().map(parseBlock)).toContainEqual(want);
  });
});
