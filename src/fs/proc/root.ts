/**
 * fs/proc/root.c: procfs mounted at /proc.  proc_root_lookup() tries the pid directories first
 * (proc_pid_lookup), then the entries other subsystems registered under /proc.
 */
import type { KernelState } from '../../include/faultpath/kernel_state.js';
import type { VirtualFile } from '../../include/linux/fs.js';
import type { Task } from '../../include/linux/sched.js';
import { sysrq_trigger_open } from '../../drivers/tty/sysrq.js';
import { vmstat_show } from '../../mm/vmstat.js';
import { proc_pid_lookup } from './base.js';
import type { ProcFsInfo } from './internal.js';
import { meminfo_proc_show } from './meminfo.js';
import { proc_sys_lookup } from './proc_sysctl.js';

/**
 * proc_lookup() over proc_root's entries, which the kernel registers at boot with
 * proc_create_single("meminfo") (fs/proc/meminfo.c), proc_create_seq("vmstat") (mm/vmstat.c),
 * proc_create("sysrq-trigger") (drivers/tty/sysrq.c) and proc_sys_init() ("sys").
 */
function proc_lookup(k: KernelState, path: string): VirtualFile | undefined {
  if (path === '/meminfo') return { read: () => meminfo_proc_show(k) };
  if (path === '/vmstat') return { read: () => vmstat_show(k) };
  const m = /^\/sys\/(.+)$/.exec(path);
  if (m) return proc_sys_lookup(k, m[1]!);
  if (path === '/sysrq-trigger') return sysrq_trigger_open(k);
  return undefined;
}

/** proc_root_lookup(): `path` is below /proc ("/meminfo", "/self/status", ...). */
export function proc_root_lookup(
  k: KernelState,
  fsi: ProcFsInfo,
  path: string,
  self: Task | null,
): VirtualFile | undefined {
  return proc_pid_lookup(k, fsi, path, self) ?? proc_lookup(k, path);
}
