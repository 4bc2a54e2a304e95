/**
 * Trace output entry points: filter the collected events, then format them.
 *
 *   const kept = applyFilters(tracer.events, { functions: ['do_*'], onlyFatal: true });
 *   process.stdout.write(formatTrace(kept, 'function_graph', { proc: true }));
 *   process.stdout.write(summarize(tracer.events));
 */
import type { TraceEvent } from './events.js';
import { formatDmesg, type DmesgOptions } from './format/dmesg.js';
import { formatFunctionGraph, type FunctionGraphOptions } from './format/function-graph.js';
import { formatJsonl } from './format/jsonl.js';
import { formatPerfetto, type PerfettoOptions } from './format/perfetto.js';

export type TraceFormat = 'function_graph' | 'jsonl' | 'perfetto' | 'dmesg';

/** JSON lines has no options: the layout is the documented schema. */
export type JsonlOptions = Record<string, never>;

export interface FormatOptionsMap {
  function_graph: FunctionGraphOptions;
  jsonl: JsonlOptions;
  perfetto: PerfettoOptions;
  dmesg: DmesgOptions;
}

export const TRACE_FORMATS: readonly TraceFormat[] = ['function_graph', 'jsonl', 'perfetto', 'dmesg'];

/** Formats events (already filtered) in one of the output formats; the result ends with '\n' unless empty. */
export function formatTrace<F extends TraceFormat>(
  events: readonly TraceEvent[],
  format: F,
  opts?: FormatOptionsMap[F],
): string {
  switch (format) {
    case 'function_graph':
      return formatFunctionGraph(events, (opts ?? {}) as FunctionGraphOptions);
    case 'jsonl':
      return formatJsonl(events);
    case 'perfetto':
      return formatPerfetto(events, (opts ?? {}) as PerfettoOptions);
    case 'dmesg':
      return formatDmesg(events, (opts ?? {}) as DmesgOptions);
    default:
      throw new Error(`unknown trace format: ${String(format)}`);
  }
}

export { applyFilters, findFaultEpisodes, globToRegExp, type FaultEpisode, type TraceFilters } from './filter.js';
export { summarize, summaryData, type SummaryData, type SummaryNode } from './summary.js';
export { formatFunctionGraph, functionGraphHeader, type FunctionGraphOptions } from './format/function-graph.js';
export { formatJsonl, parseJsonl, toJsonObject } from './format/jsonl.js';
export {
  formatPerfetto,
  toPerfetto,
  type ChromeTrace,
  type ChromeTraceEvent,
  type PerfettoOptions,
} from './format/perfetto.js';
export { formatDmesg, printkTime, type DmesgOptions } from './format/dmesg.js';
