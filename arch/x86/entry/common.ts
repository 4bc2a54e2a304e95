/** arch/x86/entry/common.c: the 64-bit system call dispatch through sys_call_table. */
import type { SyscallArgs, SyscallContext, SyscallRet } from '../../../src/include/faultpath/syscall.js';
import { sys_ni_syscall } from '../../../src/kernel/sys_ni.js';
import { sys_call_table, syscall_names } from './syscall_64.js';

/** do_syscall_64() → do_syscall_x64(): the table's function for `nr`, or sys_ni_syscall(). */
export function do_syscall_64(c: SyscallContext, nr: number, args: SyscallArgs): SyscallRet {
  const fn = sys_call_table[nr];
  return fn ? fn(c, args) : sys_ni_syscall(c.k, nr, syscall_names[nr]);
}
