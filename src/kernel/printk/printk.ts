/**
 * The modeled kernel log (kernel/printk): records with a log level and the simulated timestamp,
 * printed as dmesg does: "[%5lu.%06lu] text".  Ratelimits follow lib/ratelimit.c semantics.
 */
import type { KernelState, LogBuffer, LogRecord } from '../../include/faultpath/kernel_state.js';
export class Printk implements LogBuffer {
  readonly records: LogRecord[] = [];
  private readonly now: () => number;
  private readonly limits = new Map<string, { begin: number; printed: number; missed: number }>();

  constructor(now: () => number) {
    this.now = now;
  }

  log(level: number, text: string): void {
    for (const line of text.split('\n')) this.records.push({ ts: this.now(), level, text: line });
  }

  /** __ratelimit(): `burst` messages per `intervalNs`; returns whether to print. */
  ratelimit(key: string, intervalNs: number, burst: number): boolean {
    const now = this.now();
    let s = this.limits.get(key);
    if (!s || now - s.begin >= intervalNs) {
      s = { begin: now, printed: 0, missed: 0 };
      this.limits.set(key, s);
    }
    if (s.printed < burst) {
      s.printed++;
      return true;
    }
    s.missed++;
    return false;
  }

  static stamp(ns: number): string {
    const us = Math.floor(ns / 1000);
    const sec = Math.floor(us / 1_000_000);
    return `[${String(sec).padStart(5, ' ')}.${String(us % 1_000_000).padStart(6, '0')}]`;
  }

  dmesg(): string {
    return this.records.map((r) => `${Printk.stamp(r.ts)} ${r.text}`).join('\n') + (this.records.length ? '\n' : '');
  }
}

/** printk(): into the log buffer, and as a trace event (the console tracepoint). */
export function printk(k: KernelState, level: number, text: string): void {
  k.printk.log(level, text);
  k.tracer.emit('printk', { level, text });
}
