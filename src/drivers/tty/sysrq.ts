/**
 * drivers/tty/sysrq.c: the SysRq keys the model has — 'f', the manual OOM kill — reached through
 * /proc/sysrq-trigger (or a scenario's sysrq action, which calls sysrq_handle_moom directly).
 */
import type { KernelState } from '../../include/faultpath/kernel_state.js';
import type { VirtualFile } from '../../include/linux/fs.js';
import { out_of_memory } from '../../mm/oom_kill.js';
import { printk } from '../../kernel/printk/printk.js';

/** moom_callback(): out_of_memory() with order -1 (no allocation failed) (docs/kernel-reference.md §7.10). */
export function moom_callback(k: KernelState): boolean {
  return k.tracer.call('moom_callback', undefined, () => {
    const ok = out_of_memory(k, { memcg: null, gfp: k.profile.gfp.GFP_KERNEL, order: -1, nodemask: null });
    if (!ok) printk(k, 6, 'OOM request ignored. No task eligible');
    return ok;
  });
}

/**
 * sysrq_handle_moom(): schedule_work(&moom_work).  The model runs the work at once, from a
 * kworker: no user task is current while moom_callback() runs.
 */
export function sysrq_handle_moom(k: KernelState): void {
  const prev = k.sched.current;
  k.sched.current = null;
  try {
    moom_callback(k);
  } finally {
    k.sched.current = prev;
  }
}

/** __handle_sysrq(): print the key's action_msg, then run its handler (only 'f' is modeled). */
function __handle_sysrq(k: KernelState, key: string): void {
  if (key !== 'f') return;
  printk(k, 6, 'sysrq: Manual OOM execution');
  sysrq_handle_moom(k);
}

/** write_sysrq_trigger(): the model takes the whole (trimmed) buffer as the key. */
function write_sysrq_trigger(k: KernelState, buf: string): number {
  __handle_sysrq(k, buf.trim());
  return buf.length;
}

/** /proc/sysrq-trigger (sysrq_trigger_proc_ops): reads are empty. */
export function sysrq_trigger_open(k: KernelState): VirtualFile {
  return { read: () => '', write: (buf) => write_sysrq_trigger(k, buf) };
}
