/**
 * `faultpath explain esr|pf|oom`: the command glue.  The explanations themselves are pure
 * functions in src/explain/ (fault-codes.ts for ESR and #PF error codes, oom.ts for OOM reports).
 */
import { type Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { explainEsr, explainPf } from '../explain/fault-codes.js';

type Kernel = '6.1' | '4.19' | '3.12';

export function addExplainCommands(program: Command): void {
  const explain = program
    .command('explain')
    .description('decode kernel values: an arm64 ESR, an x86 page-fault error code, or an OOM report');
  explain
    .command('esr')
    .argument('<value>', 'ESR_EL1 value, e.g. 0x92000046')
    .addOption(new Option('--kernel <version>').choices(['6.1', '4.19', '3.12']).default('6.1'))
    .action((v: string, o: { kernel: Kernel }) => {
      process.stdout.write(explainEsr(v, o.kernel) + '\n');
    });
  explain
    .command('pf')
    .argument('<code>', 'page-fault error code, e.g. 0x6')
    .addOption(new Option('--kernel <version>').choices(['6.1', '4.19', '3.12']).default('6.1'))
    .action((v: string, o: { kernel: Kernel }) => {
      process.stdout.write(explainPf(v, o.kernel) + '\n');
    });
  explain
    .command('oom')
    .argument('<file>', 'a kernel log with an OOM report (dmesg text, 4.19 or 6.1 format); - for stdin')
    .action(async (file: string) => {
      const text = readFileSync(file === '-' ? 0 : file, 'utf8');
      const { explainOomReport } = await import('../explain/oom.js');
      const r = explainOomReport(text);
      process.stdout.write(r.text + '\n');
      if (r.inconsistencies.length) process.exitCode = 1;
    });
}
