/**
 * Collects trace events from the kernel model and keeps the modeled call stack, which the OOM
 * report's "Call trace:" prints even when event collection is off.
 */
import { NOINSTR_FUNCTIONS, type ArgValue, type TraceEvent } from './events.js';
import type { ModeledFunction } from './functions.js';

type Payload<K extends TraceEvent['kind']> = Omit<
  Extract<TraceEvent, { kind: K }>,
  'ts' | 'cpu' | 'pid' | 'comm' | 'kind'
>;

export interface TraceContext {
  /** simulated time; each modeled function entry costs FUNCTION_COST_NS */
  now(): number;
  advance?(ns: number): void;
  pid(): number;
  comm(): string;
}

/** Simulated cost of one modeled kernel function (so function_graph durations are meaningful). */
export const FUNCTION_COST_NS = 40;

export class Tracer {
  readonly events: TraceEvent[] = [];
  /** names of the modeled functions currently active, outermost first */
  readonly stack: ModeledFunction[] = [];
  collecting: boolean;
  /** cap on stored events so a runaway guest cannot exhaust host memory */
  readonly limit: number;
  dropped = 0;
  private ctx: TraceContext = { now: () => 0, pid: () => 0, comm: () => 'swapper/0' };

  constructor(collecting = false, limit = 2_000_000) {
    this.collecting = collecting;
    this.limit = limit;
  }

  setContext(ctx: TraceContext): void {
    this.ctx = ctx;
  }

  private push(kind: TraceEvent['kind'], payload: object): void {
    if (this.events.length >= this.limit) {
      this.dropped++;
      return;
    }
    this.events.push({
      ts: this.ctx.now(),
      cpu: 0,
      pid: this.ctx.pid(),
      comm: this.ctx.comm(),
      kind,
      ...payload,
    } as TraceEvent);
  }

  emit<K extends TraceEvent['kind']>(kind: K, payload: Payload<K>): void {
    if (this.collecting) this.push(kind, payload);
  }

  enter(fn: ModeledFunction, args?: Record<string, ArgValue>): void {
    this.stack.push(fn);
    if (this.collecting) this.push('enter', NOINSTR_FUNCTIONS.has(fn) ? { fn, args, noinstr: true } : { fn, args });
    this.ctx.advance?.(FUNCTION_COST_NS);
  }

  exit(fn: ModeledFunction, ret?: string): void {
    const top = this.stack.pop();
    if (top !== fn) throw new Error(`tracer: exit(${fn}) does not match enter(${top ?? '-'})`);
    if (this.collecting) this.push('exit', ret === undefined ? { fn } : { fn, ret });
  }

  /** Runs `body` as modeled function `fn`, emitting enter/exit around it. */
  call<T>(
    fn: ModeledFunction,
    args: Record<string, ArgValue> | undefined,
    body: () => T,
    ret?: (v: T) => string | undefined,
  ): T {
    this.enter(fn, args);
    let v: T;
    try {
      v = body();
    } catch (e) {
      // A modeled function that unwinds (task killed) still closes its frame.
      this.stack.pop();
      if (this.collecting) this.push('exit', { fn, ret: 'unwound' });
      throw e;
    }
    this.exit(fn, ret ? ret(v) : undefined);
    return v;
  }
}
