/**
 * Scenario files (YAML): the machine, the cgroup tree, processes, timed actions and the
 * expectations that make a scenario a test.  Validated with zod; errors name the exact field
 * and the YAML line.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';

const size = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\s*(\d+)\s*([kKmMgGtT]?)\s*$|^max$/, 'expected a size like 8M, 4096, or max'),
]);

const start = z.union([
  z.literal('immediate'),
  z.object({ after_ready: z.string() }).strict(),
  z.object({ at_ms: z.number().nonnegative() }).strict(),
  z.object({ after_exit: z.string() }).strict(),
]);

export const processSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'ids are letters, digits, _ . -'),
    program: z.string().min(1),
    args: z.array(z.union([z.string(), z.number()])).default([]),
    cgroup: z.string().optional(),
    oom_score_adj: z.number().int().min(-1000).max(1000).optional(),
    uid: z.number().int().nonnegative().optional(),
    start: start.default('immediate'),
    /** the run ends when every waited process has ended; the rest then get SIGTERM (like the oracle runner) */
    wait: z.boolean().default(true),
  })
  .strict();

export const cgroupSchema = z
  .object({
    path: z.string().min(1),
    /** e.g. "+memory": enable controllers for this cgroup's children */
    'cgroup.subtree_control': z.string().optional(),
    'memory.max': size.optional(),
    'memory.high': size.optional(),
    'memory.low': size.optional(),
    'memory.min': size.optional(),
    'memory.swap.max': size.optional(),
    'memory.oom.group': z.union([z.literal(0), z.literal(1)]).optional(),
    'memory.oom_control': z
      .object({ oom_kill_disable: z.union([z.literal(0), z.literal(1)]) })
      .strict()
      .optional(),
    'memory.priority': z.number().int().min(0).max(12).optional(),
    'memory.use_priority_oom': z.union([z.literal(0), z.literal(1)]).optional(),
  })
  .strict();

const action = z
  .object({
    at_ms: z.number().nonnegative().optional(),
    after_ready: z.string().optional(),
    write: z
      .object({ file: z.string(), value: z.union([z.string(), z.number()]) })
      .strict()
      .optional(),
    signal: z
      .object({ process: z.string(), sig: z.number().int().min(1).max(64) })
      .strict()
      .optional(),
    sysrq: z.literal('f').optional(),
  })
  .strict()
  .refine(
    (a) => [a.write, a.signal, a.sysrq].filter((x) => x !== undefined).length === 1,
    'an action needs exactly one of write, signal, sysrq',
  )
  .refine(
    (a) => (a.at_ms === undefined) !== (a.after_ready === undefined),
    'an action needs exactly one of at_ms, after_ready',
  );

const outcome = z.union([
  z.object({ signal: z.union([z.number().int(), z.string()]) }).strict(),
  z.object({ exit: z.number().int() }).strict(),
  z.literal('running'),
]);

export const expectSchema = z
  .object({
    outcome: z.record(z.string(), outcome).optional(),
    killed_by_oom: z.array(z.string()).optional(),
    survives: z.array(z.string()).optional(),
    events: z.record(z.string(), z.record(z.string(), z.number().int())).optional(),
    events_local: z.record(z.string(), z.record(z.string(), z.number().int())).optional(),
    dmesg_contains: z.array(z.string()).optional(),
    dmesg_not_contains: z.array(z.string()).optional(),
    trace_contains: z.array(z.string()).optional(),
    panic: z.boolean().optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    machine: z
      .object({
        arch: z.enum(['aarch64', 'x86_64']),
        kernel: z.enum(['6.1', '4.19', '3.12']).default('6.1'),
        mem: size.default('128M'),
        swap: size.default(0),
        rootfs: z.enum(['tmpfs', 'disk']).default('tmpfs'),
        sysctls: z.record(z.string(), z.number().int()).default({}),
        budget: z.number().int().positive().optional(),
        seed: z.number().int().optional(),
        machine: z.enum(['qemu-virt', 'bare']).optional(),
        /**
         * register_oom_notifier() callbacks, e.g. a balloon driver holding `pages` pages it can
         * give back: each global OOM first asks them, and freed memory ends the OOM.
         */
        oom_notifiers: z.array(z.object({ name: z.string(), pages: z.number().int().positive() }).strict()).optional(),
      })
      .strict(),
    cgroups: z.array(cgroupSchema).default([]),
    processes: z.array(processSchema).min(1, 'a scenario needs at least one process'),
    actions: z.array(action).default([]),
    expect: expectSchema.optional(),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
/** What callers may write: defaults filled in by scenarioSchema.parse. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioProcess = z.infer<typeof processSchema>;

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly line: number | null,
    message: string,
  ) {
    super(`${file}${line !== null ? `:${line}` : ''}: ${field ? `${field}: ` : ''}${message}`);
    this.name = 'ScenarioError';
  }
}

function nodeAt(root: YamlNode | null, path: (string | number)[]): YamlNode | null {
  let n: YamlNode | null = root;
  let last: YamlNode | null = root;
  for (const key of path) {
    if (n && isMap(n)) n = (n.get(key, true) as YamlNode | undefined) ?? null;
    else if (n && isSeq(n)) n = (n.get(key as number, true) as YamlNode | undefined) ?? null;
    else n = null;
    if (n) last = n;
    else break;
  }
  return n ?? last;
}

/** Parses and validates scenario text; every error names the field path and the YAML line. */
export function parseScenario(text: string, file: string): Scenario {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? (e.pos ? lc.linePos(e.pos[0]).line : null);
    throw new ScenarioError(file, '', line, `YAML syntax error: ${e.message.split('\n')[0]}`);
  }
  const data = doc.toJS();
  const r = scenarioSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const message =
      issue.code === 'invalid_type' && /received undefined/.test(issue.message)
        ? 'required field is missing'
        : issue.message;
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    const field = path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '');
    const node = nodeAt(doc.contents as YamlNode, path as (string | number)[]);
    const line = node?.range ? lc.linePos(node.range[0]).line : null;
    throw new ScenarioError(file, field || '(top level)', line, message);
  }
  const s = r.data;
  const ids = new Set<string>();
  s.processes.forEach((p, i) => {
    if (ids.has(p.id))
      throw new ScenarioError(
        file,
        `processes[${i}].id`,
        lineOf(doc, lc, ['processes', i, 'id']),
        `duplicate process id '${p.id}'`,
      );
    ids.add(p.id);
  });
  s.processes.forEach((p, i) => {
    const ref =
      typeof p.start === 'object'
        ? 'after_ready' in p.start
          ? p.start.after_ready
          : 'after_exit' in p.start
            ? p.start.after_exit
            : null
        : null;
    if (ref && !ids.has(ref))
      throw new ScenarioError(
        file,
        `processes[${i}].start`,
        lineOf(doc, lc, ['processes', i, 'start']),
        `unknown process id '${ref}'`,
      );
  });
  return s;
}

function lineOf(doc: ReturnType<typeof parseDocument>, lc: LineCounter, path: (string | number)[]): number | null {
  const n = nodeAt(doc.contents as YamlNode, path);
  return n?.range ? lc.linePos(n.range[0]).line : null;
}

/** memparse for scenario sizes: bytes, or null for "max". */
export function sizeBytes(v: string | number): number | null {
  if (typeof v === 'number') return v;
  if (v.trim() === 'max') return null;
  const m = /^\s*(\d+)\s*([kKmMgGtT]?)\s*$/.exec(v)!;
  return Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase()]!;
}
