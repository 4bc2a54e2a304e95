/** fs/proc/proc_sysctl.c: /proc/sys/<table entry>, backed by the sysctl table (src/kernel/sysctl.ts). */
import type { KernelState } from '../../include/faultpath/kernel_state.js';
import type { VirtualFile } from '../../include/linux/fs.js';
import { EINVAL } from '../../include/uapi/asm-generic/errno.js';

/** proc_sys_read(): the value and a newline (proc_dointvec). */
function proc_sys_read(k: KernelState, name: string): string {
  return `${k.sysctl.get(name)}\n`;
}

/** proc_sys_write(): one integer; the entry's handler range-checks it (-EINVAL). */
function proc_sys_write(k: KernelState, name: string, buf: string): number {
  const v = Number(buf.trim());
  if (!/^-?\d+$/.test(buf.trim())) return -EINVAL;
  const r = k.sysctl.set(name, v);
  return r < 0 ? r : buf.length;
}

/** proc_sys_lookup(): "vm/overcommit_memory" etc.; only entries of the table exist. */
export function proc_sys_lookup(k: KernelState, name: string): VirtualFile | undefined {
  if (!k.sysctl.has(name)) return undefined;
  return { read: () => proc_sys_read(k, name), write: (buf) => proc_sys_write(k, name, buf) };
}
