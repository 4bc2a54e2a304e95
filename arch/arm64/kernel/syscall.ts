/** arch/arm64/kernel/syscall.c: the system call dispatch through sys_call_table. */
import type { SyscallArgs, SyscallContext, SyscallRet } from '../../../src/include/faultpath/syscall.js';
import { sys_ni_syscall } from '../../../src/kernel/sys_ni.js';
import { sys_call_table, syscall_names } from './sys.js';

/** invoke_syscall(): the table's function for `scno`, or sys_ni_syscall() for a number it has none for. */
export function invoke_syscall(c: SyscallContext, scno: number, args: SyscallArgs): SyscallRet {
  const fn = sys_call_table[scno];
  return fn ? fn(c, args) : sys_ni_syscall(c.k, scno, syscall_names[scno]);
}
