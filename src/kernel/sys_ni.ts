/** kernel/sys_ni.c: the entry for system call numbers with no implementation. */
import { errno, type SyscallRet } from '../include/faultpath/syscall.js';
import type { KernelState } from '../include/faultpath/kernel_state.js';
import { ENOSYS } from '../include/uapi/asm-generic/errno.js';

/**
 * sys_ni_syscall(): -ENOSYS.  The model also emits raw_syscalls:sys_enter_unknown naming the call
 * (its name when the arch's table knows the number), so a guest's unsupported call is visible.
 */
export function sys_ni_syscall(k: KernelState, nr: number, name: string | undefined): SyscallRet {
  k.tracer.emit('tracepoint', {
    system: 'raw_syscalls',
    name: 'sys_enter_unknown',
    fields: { nr, name: name ?? 'unknown' },
    text: `NR ${nr} (${name ?? 'unknown'}) -> -ENOSYS (not implemented by faultpath)`,
  });
  return errno(ENOSYS);
}
