/**
 * lib/dump_stack.c dump_stack_print_info() (kernel/printk/printk.c in 3.12): the "CPU: … PID: …
 * Comm: …" and "Hardware name:" lines that open a register dump or a stack dump.
 */
import { type KernelProfile, PROFILES } from '../include/faultpath/profile.js';

export interface DumpStackInfo {
  /** raw_smp_processor_id() */
  cpu?: number;
  /** current->pid (the thread id) */
  pid: number;
  comm: string;
  /** print_tainted(): "Not tainted" or "Tainted: …" */
  tainted?: string;
  /** kexec_crash_loaded() — adds "Kdump: loaded " (4.19, 6.1) */
  kdumpLoaded?: boolean;
  /** init_utsname()->release, e.g. "6.1.0-56-arm64" */
  release: string;
  /** init_utsname()->version; printed up to its first space, e.g. "#1 SMP Debian …" → "#1" */
  version: string;
  /**
   * Text the distribution's kernel appends after the version token.  Debian's kernels print
   * their package version there: the oracle's 6.1.0-56 shows "#1  Debian 6.1.192-2", i.e. a
   * suffix of "  Debian 6.1.192-2".  Empty for vanilla kernels.
   */
  versionSuffix?: string;
  /** 6.1 BUILD_ID_FMT (" %20phN", CONFIG_STACKTRACE_BUILD_ID only) — the already formatted text */
  buildId?: string;
  /** dump_stack_arch_desc_str; null/undefined/"" = no "Hardware name:" line */
  hardwareName?: string | null;
}

/**
 * dump_stack_print_info(): `"CPU: %d PID: %d Comm: %.20s %s%s %s %.*s"` (+ BUILD_ID_FMT in 6.1),
 * then "Hardware name: %s" when the architecture set a description.
 */
export function dump_stack_print_info(d: DumpStackInfo, profile: KernelProfile = PROFILES['6.1']): string[] {
  const fmt = profile.report.dumpStack;
  const sp = d.version.indexOf(' ');
  const ver = sp < 0 ? d.version : d.version.slice(0, sp);
  const comm = d.comm.slice(0, 15); // tsk->comm holds at most 15 characters; "%.20s" never cuts further
  const tainted = d.tainted ?? 'Not tainted';
  const kdump = fmt.kdumpLoaded && d.kdumpLoaded ? 'Kdump: loaded ' : '';
  let line = `CPU: ${d.cpu ?? 0} PID: ${d.pid} Comm: ${comm} ${kdump}${tainted} ${d.release} ${ver}${d.versionSuffix ?? ''}`;
  if (fmt.buildId) line += d.buildId ?? '';
  const out = [line];
  if (d.hardwareName) out.push(`Hardware name: ${d.hardwareName}`);
  return out;
}
