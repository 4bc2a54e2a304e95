/** fs/proc/array.c: /proc/<pid>/{status,stat,statm}. */
import type { Task } from '../../include/linux/sched.js';
import { task_mem, task_statm } from './task_mmu.js';

/** task_state_array[]: the State: line of each task state. */
const task_state_array: Record<Task['state'], string> = {
  R: 'R (running)',
  S: 'S (sleeping)',
  D: 'D (disk sleep)',
  Z: 'Z (zombie)',
  X: 'X (dead)',
};

/** task_state(): the identity lines the model keeps (State, Tgid, Pid, PPid). */
function task_state(t: Task): string[] {
  return [`State:\t${task_state_array[t.state]}`, `Tgid:\t${t.tgid}`, `Pid:\t${t.pid}`, `PPid:\t${t.parent?.pid ?? 0}`];
}

/** proc_pid_status(): Name, task_state(), then task_mem() when the task has an mm. */
export function proc_pid_status(t: Task): string {
  const lines = [`Name:\t${t.comm}`, ...task_state(t)];
  if (t.mm) lines.push(...task_mem(t.mm));
  return lines.join('\n') + '\n';
}

/** proc_tgid_stat() → do_task_stat(): the first 13 fields (up to majflt). */
export function proc_tgid_stat(t: Task): string {
  return `${t.pid} (${t.comm}) ${t.state} ${t.parent?.pid ?? 0} ${t.tgid} 0 0 -1 0 ${t.minFlt} 0 ${t.majFlt} 0\n`;
}

/** proc_pid_statm(): "size resident shared text lib data dt"; a kernel thread has all zeros. */
export function proc_pid_statm(t: Task): string {
  if (!t.mm) return '0 0 0 0 0 0 0\n';
  const s = task_statm(t.mm);
  return `${s.size} ${s.resident} ${s.shared} ${s.text} 0 ${s.data} 0\n`;
}
