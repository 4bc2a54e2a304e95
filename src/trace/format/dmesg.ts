/**
 * The kernel log as `dmesg` shows it, from `printk` events.
 *
 * Mirrors kernel/printk/printk.c: print_time() formats the record timestamp as "[%5lu.%06lu]"
 * (seconds right-aligned to 5, microseconds zero-padded to 6), info_print_prefix() appends one
 * space, and record_print_text() repeats the whole prefix on every line of a multi-line record.
 * The record's text never contains its trailing newline (vprintk_store() strips it into
 * LOG_NEWLINE), so a text ending in '\n' does not produce an empty last line.
 */
import type { TraceEvent } from '../events.js';
import { kernelSeconds } from './function-graph.js';

export interface DmesgOptions {
  /**
   * `dmesg -r` / console with syslog prefix: prepend `<level>` (info_print_prefix() with syslog
   * set prints "<%u>" of facility<<3|level; kernel messages are facility 0).  Default false.
   */
  raw?: boolean;
  /** only messages with level < maxLevel, like console_loglevel (default: all) */
  maxLevel?: number;
}

/** "[%5lu.%06lu]" for a nanosecond timestamp. */
export function printkTime(ts: number): string {
  return `[${kernelSeconds(ts)}]`;
}

export function formatDmesg(events: readonly TraceEvent[], opts: DmesgOptions = {}): string {
  let out = '';
  for (const e of events) {
    if (e.kind !== 'printk') continue;
    // LOGLEVEL_DEFAULT (-1) is stored as default_message_loglevel, 4 (KERN_WARNING)
    const level = e.level < 0 ? 4 : e.level;
    if (opts.maxLevel !== undefined && level >= opts.maxLevel) continue;
    const prefix = (opts.raw ? `<${level}>` : '') + printkTime(e.ts) + ' ';
    const lines = e.text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) out += prefix + line + '\n';
  }
  return out;
}
