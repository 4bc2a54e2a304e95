/** kernel/exit.c: exit(2), exit_group(2) and wait4(2). */
import { errno, sarg, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { ECHILD, EFAULT, EINVAL } from '../include/uapi/asm-generic/errno.js';
import { copy_to_user } from '../lib/usercopy.js';

const WNOHANG = 0x00000001;
const WUNTRACED = 0x00000002;
const WCONTINUED = 0x00000008;
const __WALL = 0x40000000;
const __WCLONE = 0x80000000;

/** exit(status): do_exit() of the calling thread; the low 8 bits are the exit code. */
export function sys_exit(c: SyscallContext, a: SyscallArgs): SyscallRet {
  c.sched.exitTask(c.t, { code: sarg(a, 0) & 0xff });
  return null;
}

/** exit_group(status): do_group_exit(): the caller, then every other thread of its group. */
export function sys_exit_group(c: SyscallContext, a: SyscallArgs): SyscallRet {
  const { k, t } = c;
  const code = sarg(a, 0) & 0xff;
  c.sched.exitTask(t, { code });
  for (const o of [...k.sched.tasks.values()]) if (o.tgid === t.tgid && o !== t) c.sched.exitTask(o, { code });
  return null;
}

/**
 * kernel_wait4() / do_wait(): a zombie child is released (wait_task_zombie) and its status copied
 * out (an -EFAULT comes after the release); with none, WNOHANG returns 0, otherwise the caller
 * sleeps until a child exits and the call runs again.  Threads (CLONE_THREAD) are not children
 * anyone waits for; process groups are not modeled (pid 0 and pid < -1 wait for any child).
 */
export function kernel_wait4(c: SyscallContext, pid: number, statAddr: bigint, options: number): SyscallRet {
  const { t } = c;
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE)) return errno(EINVAL);
  const kids = t.children.filter(
    (x) => x.state !== 'X' && x.pid === x.tgid && (pid === -1 || pid === 0 || x.tgid === pid || pid < -1),
  );
  if (!kids.length) return errno(ECHILD);
  const z = kids.find((x) => x.state === 'Z');
  if (z) {
    c.procs.reap(z);
    if (statAddr !== 0n) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(z.exitStatus ?? 0, 0);
      if (copy_to_user(c, statAddr, b) !== 0) return errno(EFAULT);
    }
    return BigInt(z.pid);
  }
  if (options & WNOHANG) return 0n;
  c.sched.sleep(t, `wait:${t.pid}`);
  c.abi.restart(t.mm!.cpu);
  return null;
}

/** wait4(upid, stat_addr, options, ru) */
export function sys_wait4(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return kernel_wait4(c, sarg(a, 0), a[1]!, sarg(a, 2));
}
