/** kernel/entry/common.c: the work on the way out of a system call. */
import type { KernelState } from '../../include/faultpath/kernel_state.js';
import type { SyscallArgs, SyscallRet } from '../../include/faultpath/syscall.js';

/**
 * syscall_exit_work(): the raw_syscalls:sys_exit tracepoint, as faultpath's `syscall` event with
 * the first three arguments (arm64's el0_svc_common() → syscall_trace_exit() emits the same).
 */
export function syscall_exit_work(
  k: KernelState,
  nr: number,
  name: string | undefined,
  args: SyscallArgs,
  ret: SyscallRet,
): void {
  k.tracer.emit('syscall', {
    nr,
    name: name ?? `syscall_${nr}`,
    args: args.slice(0, 3).map((a) => `0x${a.toString(16)}`),
    ret: ret === null ? '(no return)' : String(BigInt.asIntN(64, ret)),
  });
}
