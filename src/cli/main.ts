/**
 * The faultpath command line (commander).  Exit codes:
 *   0  the run completed (or a --check scenario met every expectation)
 *   1  an expectation or oracle comparison failed
 *   2  bad usage: unknown flag, bad scenario/case file, bad assembly or ELF, missing program
 *   3  the modeled kernel panicked (panic_on_oom, "System is deadlocked on memory")
 *   4  the run did not finish: instruction budget exhausted, livelock, or every task blocked
 *   5  internal error (a bug in faultpath; please report it)
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { AsmError } from '../asm/assemble.js';
import { ElfError } from '../fs/binfmt_elf.js';
import { ScenarioError } from '../scenario/schema.js';
import { UnicornUnavailableError } from '../hw/provision.js';
import { CpuError } from '../hw/cpu.js';
import { asmCommand } from './asm.js';
import { addExplainCommands } from './explain.js';
import { listCommand } from './list.js';
import { oracleCommand } from './oracle.js';
import type { EventKind } from '../trace/events.js';
import { runCommand, scenarioCommand, UsageError, type RunFlags } from './run.js';

export { UsageError };

const collect = (v: string, prev: string[]) => [...prev, v];

/** A memory.max-style size: bytes, K/M/G suffix, or `max`. */
function parseSize(v: string): string {
  if (!/^\d+[KMGkmg]?$/.test(v) && v !== 'max')
    throw new InvalidArgumentError(`'${v}' is not a size (use e.g. 64M, 4096, 1G, or max)`);
  return v;
}

/** A machine size (--mem, --swap): `max` means nothing there. */
function parseMachineSize(v: string): string {
  if (!/^\d+[KMGkmg]?$/.test(v)) throw new InvalidArgumentError(`'${v}' is not a size (use e.g. 64M, 4096, 1G)`);
  return v;
}

function parseIntArg(v: string): number {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`'${v}' is not an integer`);
  return Number(v);
}

/** /proc/PID/oom_score_adj accepts OOM_SCORE_ADJ_MIN..OOM_SCORE_ADJ_MAX; the kernel returns EINVAL otherwise. */
function parseOomScoreAdj(v: string): number {
  const n = parseIntArg(v);
  if (n < -1000 || n > 1000) throw new InvalidArgumentError(`'${v}' is out of range (oom_score_adj is -1000..1000)`);
  return n;
}

function parseNonNegative(v: string): number {
  const n = parseIntArg(v);
  if (n < 0) throw new InvalidArgumentError(`'${v}' must not be negative`);
  return n;
}

function parsePositive(what: string): (v: string) => number {
  return (v) => {
    const n = parseIntArg(v);
    if (n <= 0) throw new InvalidArgumentError(`'${v}' must be a positive number of ${what}`);
    return n;
  };
}

/** Every trace event kind (src/trace/events.ts); the type check below fails when one is added there. */
const EVENT_KINDS = [
  'enter',
  'exit',
  'tracepoint',
  'exception',
  'pte',
  'alloc',
  'charge',
  'reclaim',
  'oom',
  'signal',
  'sched_switch',
  'syscall',
  'printk',
] as const satisfies readonly EventKind[];
type MissingKind = Exclude<EventKind, (typeof EVENT_KINDS)[number]>;
const allKindsListed: [MissingKind] extends [never] ? true : MissingKind = true;
void allKindsListed;

function collectKind(v: string, prev: string[]): string[] {
  if (!(EVENT_KINDS as readonly string[]).includes(v))
    throw new InvalidArgumentError(`'${v}' is not an event kind (one of ${EVENT_KINDS.join(', ')})`);
  return [...prev, v];
}

const EXIT_CODES_HELP = `
Exit codes:
  0  the run completed (or a --check scenario met every expectation)
  1  an expectation or oracle comparison failed
  2  bad usage: unknown flag, bad scenario/case file, bad assembly or ELF, missing program
  3  the modeled kernel panicked (panic_on_oom, "System is deadlocked on memory")
  4  the run did not finish: instruction budget exhausted, livelock, or every task blocked
  5  internal error (a bug in faultpath; please report it)`;

function traceOptions(c: Command): Command {
  return c
    .addOption(
      new Option('--trace <format>', 'write a trace: function_graph | jsonl | perfetto | dmesg').choices([
        'function_graph',
        'jsonl',
        'perfetto',
        'dmesg',
      ]),
    )
    .option('--trace-out <file>', 'write the trace to FILE instead of stdout')
    .option('--summary', 'print a tree of the distinct fault paths with hit counts')
    .option('--dmesg', 'print the modeled kernel log')
    .option('--json', 'print the run result as JSON (processes, cgroup counters, kernel log)')
    .option('--filter-func <glob>', 'trace only these functions and their callees (repeatable)', collect, [])
    .option('--filter-task <pid|comm>', 'trace only these tasks (repeatable)', collect, [])
    .option(
      '--filter-kind <kind>',
      `keep only these event kinds (repeatable): ${EVENT_KINDS.join(', ')}`,
      collectKind,
      [],
    )
    .option(
      '--max-depth <n>',
      'hide function nesting deeper than N (like max_graph_depth; 0 = unlimited)',
      parseNonNegative,
    )
    .option('--only-fatal', 'keep only fault episodes that ended in an OOM kill or a fatal signal')
    .option(
      '--trace-limit <events>',
      'store at most this many trace events (default 2000000); the rest are counted as dropped',
      parsePositive('events'),
    )
    .option(
      '--budget <instructions>',
      'stop after this many guest instructions (runaway guard; exit code 4)',
      parsePositive('instructions'),
    )
    .addHelpText(
      'after',
      `
The --filter-* flags, --max-depth and --only-fatal select what --trace shows; --filter-task
and --only-fatal also select the fault episodes --summary counts.  --dmesg and --json always
cover the whole run.  While a long run is going, a progress line
is printed on stderr when (and only when) stderr is a terminal.`,
    );
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('faultpath')
    .description(
      'Run AArch64 / x86-64 guest programs on Unicorn and follow every page fault through a model of the Linux kernel: exception entry, do_mem_abort / exc_page_fault, handle_mm_fault, memcg charging, VM_FAULT_OOM and the OOM killer.',
    )
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();

  traceOptions(
    program
      .command('run')
      .description('run one guest program (a guest-programs name, a .S file, or a static ELF)')
      .argument('<program>', 'e.g. hog, guest-programs/aarch64/hello.S, ./a.out')
      .argument('[args...]', 'arguments passed to the program')
      .addOption(new Option('--arch <arch>', 'guest architecture').choices(['aarch64', 'x86_64']).default('aarch64'))
      .addOption(
        new Option('--kernel <version>', 'modeled kernel version').choices(['6.1', '4.19', '3.12']).default('6.1'),
      )
      .option('--mem <size>', 'machine RAM', parseMachineSize, '256M')
      .option('--swap <size>', 'swap area size', parseMachineSize, '0')
      .option('--cgroup <path>', 'run the program in this cgroup (created if missing)')
      .option('--memory-max <size>', 'memory.max of --cgroup (needs --cgroup)', parseSize)
      .option('--oom-score-adj <n>', 'oom_score_adj of the program (-1000..1000)', parseOomScoreAdj)
      .option('--sysctl <key=value>', 'set a sysctl, e.g. vm.panic_on_oom=1 (repeatable)', collect, [])
      .addOption(
        new Option('--machine <kind>', 'boot memory model').choices(['qemu-virt', 'bare']).default('qemu-virt'),
      )
      .addOption(
        new Option('--rootfs <kind>', 'tmpfs (files are shmem, like the oracle) or disk (page cache is reclaimable)')
          .choices(['tmpfs', 'disk'])
          .default('tmpfs'),
      ),
  )
    .addHelpText(
      'after',
      `
Examples:
  faultpath run hello --arch x86_64
  faultpath run hog --cgroup t --memory-max 8M --dmesg              # memcg OOM, kernel log
  faultpath run hog --cgroup t --memory-max 8M --trace function_graph --only-fatal
  faultpath run hog --cgroup t --memory-max 8M --trace perfetto --trace-out hog.json
  faultpath run hog --cgroup t --memory-max 8M --sysctl vm.panic_on_oom=2   # exit code 3`,
    )
    .action(async (prog: string, args: string[], flags: RunFlags) => {
      process.exitCode = await runCommand(prog, args, flags);
    });

  traceOptions(
    program
      .command('scenario')
      .description('run a scenario file (YAML: machine, cgroups, processes, actions, expectations)')
      .argument('<file>')
      .option('--check', 'exit 1 when an expectation fails, naming it'),
  )
    .addHelpText(
      'after',
      `
Example:
  faultpath scenario memcg-oom.yaml --check --summary --dmesg

Errors in the file are reported as FILE:LINE: field: message (exit code 2); with --check a
failed expectation is printed as "FAIL <expectation>: …" and the exit code is 1.`,
    )
    .action(async (file: string, flags: RunFlags & { check?: boolean }) => {
      process.exitCode = await scenarioCommand(file, flags);
    });

  addExplainCommands(program);

  program
    .command('asm')
    .description('assemble a guest program into a static ELF64 executable')
    .argument('<file>', 'a .S file')
    .requiredOption('-o, --out <file>', 'output ELF')
    .addOption(new Option('--arch <arch>').choices(['aarch64', 'x86_64']))
    .action(async (file: string, o: { out: string; arch?: string }) => {
      const line = await asmCommand(file, o);
      process.stdout.write(`${line}\n`);
    });

  program
    .command('list')
    .description('list the guest programs and scenarios with one-line descriptions')
    .action(() => {
      process.stdout.write(listCommand());
    });

  program
    .command('oracle')
    .description('run a shared/oracle case description with real binaries and print its facts')
    .argument('<case>', 'cases/<name>.json')
    .addOption(new Option('--arch <arch>').choices(['aarch64', 'x86_64']).makeOptionMandatory())
    .requiredOption('--bin <dir>', 'directory holding the case binaries')
    .option('--json', 'print the facts as JSON (results/<arch>/<case>.json shape)')
    .option('--expect <result>', 'compare with a real result file and print the differences')
    .action(async (file: string, o: { arch: 'aarch64' | 'x86_64'; bin: string; json?: boolean; expect?: string }) => {
      process.exitCode = await oracleCommand(file, o);
    });
  return program;
}

/** Runs the CLI; never lets an exception escape as a Node crash. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    // `faultpath` or `faultpath explain` without a command prints the help as an error (exit code 1 in commander)
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version')
      return err.exitCode ? 2 : 0;
    if (err.code?.startsWith('commander.')) return 2;
    if (e instanceof AsmError || e instanceof ElfError || e instanceof ScenarioError || e instanceof UsageError) {
      process.stderr.write(`faultpath: ${err.message}\n`);
      return 2;
    }
    if (e instanceof UnicornUnavailableError) {
      process.stderr.write(`faultpath: ${err.message}\n`);
      return 2;
    }
    // Plain Errors about the user's input (a missing file, an unknown sysctl); never TypeError
    // and the like, whose "Cannot read properties of undefined" is a bug (exit code 5).
    if (
      e instanceof CpuError ||
      (e instanceof Error && e.constructor === Error && /not found|no such|cannot|invalid|unknown/i.test(err.message))
    ) {
      process.stderr.write(`faultpath: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`faultpath: internal error: ${err.stack ?? err.message}\n`);
    return 5;
  }
}

const isMain = process.argv[1] && /(?:cli[\\/]main\.ts|bin[\\/]faultpath(?:\.js)?)$/.test(process.argv[1]);
if (isMain) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
