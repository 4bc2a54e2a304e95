/**
 * Wait queues (kernel/sched/wait.c): a task sleeps on a named queue, optionally until a
 * simulated time; __wake_up() wakes the sleepers the caller's match accepts.
 */
import type { KernelState } from '../../include/faultpath/kernel_state.js';
import type { Task } from '../../include/linux/sched.js';
import { try_to_wake_up } from './core.js';

/** prepare_to_wait() + schedule(): `t` sleeps on `waitq` (until `at`, when given). */
export function prepare_to_wait(k: KernelState, t: Task, waitq: string, at?: number): void {
  t.state = 'S';
  t.wake = { waitq, ...(at !== undefined ? { at } : {}) };
  k.tracer.emit('tracepoint', {
    system: 'faultpath',
    name: 'sleep',
    fields: { pid: t.pid, waitq },
    text: `pid=${t.pid} comm=${t.comm} waitq=${waitq}`,
  });
}

/**
 * __wake_up(): wake the sleepers on `waitq` whose memcg `match` accepts.  Memcg OOM waiters
 * sleep on memcg_oom:<id> of their own memcg, so a wake-up of one memcg's queue also reaches the
 * waiters of the related memcgs `match` accepts.
 */
export function __wake_up(k: KernelState, waitq: string, match: (memcgId: number) => boolean): void {
  for (const t of k.sched.tasks.values()) {
    if (t.state !== 'S' || t.wake?.waitq !== waitq) continue;
    if (!t.memcgInOom || match(t.memcgInOom.memcgId)) try_to_wake_up(k, t, waitq);
  }
  if (waitq.startsWith('memcg_oom:')) {
    for (const t of k.sched.tasks.values()) {
      if (t.state === 'S' && t.wake?.waitq?.startsWith('memcg_oom:') && t.memcgInOom && match(t.memcgInOom.memcgId))
        try_to_wake_up(k, t, waitq);
    }
  }
}
