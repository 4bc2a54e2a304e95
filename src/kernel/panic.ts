/** panic() (kernel/panic.c): the message, then the machine stops (the run ends as a panic). */
import { KernelPanic, type KernelState } from '../include/faultpath/kernel_state.js';
import { printk } from './printk/printk.js';

export function panic(k: KernelState, text: string): never {
  printk(k, 0, `Kernel panic - not syncing: ${text}`);
  k.oom.panicked = text;
  throw new KernelPanic(text);
}
