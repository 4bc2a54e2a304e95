/** `faultpath oracle CASE.json --arch A --bin DIR [--json] [--expect RESULT.json]` */
import { compareWithResult, loadCase, runOracleCase } from '../oracle/case.js';

export async function oracleCommand(
  file: string,
  o: { arch: 'aarch64' | 'x86_64'; bin: string; json?: boolean; expect?: string },
): Promise<number> {
  const c = loadCase(file);
  const r = await runOracleCase(c, o.arch, o.bin);
  if (o.json) process.stdout.write(JSON.stringify({ case: c.name, arch: o.arch, ...r.facts }, null, 1) + '\n');
  else {
    for (const [k, v] of Object.entries(r.flat)) process.stdout.write(`${k} = ${v}\n`);
  }
  r.run.machine.close();
  if (!o.expect) return 0;
  const diffs = compareWithResult(r, o.expect, c.name, o.arch);
  const bad = diffs.filter((d) => !d.match);
  for (const d of bad)
    process.stderr.write(`DIFF ${d.key}: real ${JSON.stringify(d.expected)}, faultpath ${JSON.stringify(d.actual)}\n`);
  process.stderr.write(
    `faultpath: ${c.name} (${o.arch}): ${diffs.length - bad.length}/${diffs.length} stable facts match\n`,
  );
  return bad.length ? 1 : 0;
}
