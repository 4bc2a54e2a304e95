/** mm/vmstat.c: /proc/vmstat. */
import type { KernelState } from '../include/faultpath/kernel_state.js';

/** vmstat_show(): "name value" per event counter the model keeps (vm_event_states). */
export function vmstat_show(k: KernelState): string {
  return (
    Object.entries(k.mm.events)
      .map(([a, b]) => `${a} ${b}`)
      .join('\n') + '\n'
  );
}
