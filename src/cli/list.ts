/** `faultpath list`: guest programs and scenarios, each with the first line of its header comment. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../scenario/run.js';

function firstComment(file: string): string {
  const text = readFileSync(file, 'utf8');
  for (const line of text.split('\n')) {
    const m = /^\s*(?:\/\/|#|;|\/\*+|\*)\s?(.*?)\s*(?:\*\/)?$/.exec(line);
    if (m && m[1] && !/^-+$/.test(m[1])) return m[1];
    const d = /^description:\s*(.+)$/.exec(line);
    if (d) return d[1]!.replace(/^["']|["']$/g, '');
  }
  return '';
}

export function listCommand(root = REPO_ROOT): string {
  const out: string[] = [];
  for (const arch of ['aarch64', 'x86_64']) {
    const dir = join(root, 'guest-programs', arch);
    if (!existsSync(dir)) continue;
    out.push(`guest programs (${arch}):`);
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith('.S'))
      .sort())
      out.push(`  ${f.replace(/\.S$/, '').padEnd(22)} ${firstComment(join(dir, f))}`);
  }
  const sdir = join(root, 'guest-programs', 'scenarios');
  if (existsSync(sdir)) {
    out.push('scenarios:');
    for (const f of readdirSync(sdir)
      .filter((x) => /\.ya?ml$/.test(x))
      .sort())
      out.push(`  ${join('guest-programs/scenarios', f).padEnd(48)} ${firstComment(join(sdir, f))}`);
  }
  return out.join('\n') + '\n';
}
