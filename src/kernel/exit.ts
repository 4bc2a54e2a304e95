/** kernel/exit.c: do_exit() and release_task(), and exit(2), exit_group(2) and wait4(2). */
import { errno, sarg, type SyscallArgs, type SyscallContext, type SyscallRet } from '../include/faultpath/syscall.js';
import { ECHILD, EFAULT, EINVAL } from '../include/uapi/asm-generic/errno.js';
import { copy_to_user } from '../lib/usercopy.js';
import type { MmStruct } from '../include/linux/mm_types.js';
import { ProcessTable } from './fork.js';
import type { Task } from '../include/linux/sched.js';
import { memcgOomWaitFinished } from '../mm/memcontrol.js';
import { mmput } from './fork.js';
import { sync_mm_rss } from '../mm/memory.js';
import { try_to_wake_up } from './sched/core.js';
import { prepare_to_wait } from './sched/wait.js';
import type { ExitStatus } from '../include/faultpath/syscall.js';

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
    release_task(z);
    if (statAddr !== 0n) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(z.exitStatus ?? 0, 0);
      if (copy_to_user(c, statAddr, b) !== 0) return errno(EFAULT);
    }
    return BigInt(z.pid);
  }
  if (options & WNOHANG) return 0n;
  prepare_to_wait(c.k, t, `wait:${t.pid}`);
  c.abi.restart(t.mm!.cpu);
  return null;
}

/** wait4(upid, stat_addr, options, ru) */
export function sys_wait4(c: SyscallContext, a: SyscallArgs): SyscallRet {
  return kernel_wait4(c, sarg(a, 0), a[1]!, sarg(a, 2));
}

/**
 * do_exit(): exit_mm (sync_mm_rss, mmput → exit_mmap when the last user goes), become a
 * zombie, reparent children to init, notify the parent (SIGCHLD, wake wait4), release
 * a vfork parent.
 */
export function do_exit(pt: ProcessTable, t: Task, status: ExitStatus): void {
  const k = pt.k;
  if (t.state === 'Z' || t.state === 'X') return;
  k.tracer.call('do_exit', { pid: t.pid, code: status.signal ? status.signal : (status.code ?? 0) << 8 }, () => {
    t.flags.add('PF_EXITING');
    if (t.memcgInOom) memcgOomWaitFinished(k, t);
    const mm = t.mm;
    if (mm) {
      sync_mm_rss(t);
      exit_mm(pt, t, mm);
    }
    if (t.vforkParent) {
      try_to_wake_up(pt.k, t.vforkParent, 'vfork done');
      t.vforkParent = null;
    }
    if (status.signal) {
      t.termSignal = status.signal;
      t.exitStatus = status.signal | (status.core ? 0x80 : 0);
    } else {
      t.exitCode = status.code ?? 0;
      t.exitStatus = ((status.code ?? 0) & 0xff) << 8;
    }
    t.state = 'Z';
    t.pending = [];
    k.memcg.get(t.memcgId).procs.delete(t.pid);
    const init = k.sched.tasks.get(1);
    for (const c of t.children) {
      c.parent = init ?? null;
      init?.children.push(c);
      if (c.state === 'Z' && init) autoReap(c);
    }
    t.children = [];
    const parent = t.parent;
    if (parent && parent.state === 'S' && parent.wake?.waitq === `wait:${parent.pid}`)
      try_to_wake_up(pt.k, parent, 'child exit');
    if (!parent || parent.pid === 1) autoReap(t);
  });
}

/** init reaps orphans and the modeled runner's direct children immediately. */
function autoReap(t: Task): void {
  t.state = 'X';
}

/** release_task(): the parent collected the zombie. */
export function release_task(t: Task): void {
  t.state = 'X';
  const p = t.parent;
  if (p) p.children = p.children.filter((c) => c !== t);
}

/** exit_mm(): drop the task's reference; the last user's mmput() tears the address space down. */
function exit_mm(pt: ProcessTable, t: Task, mm: MmStruct): void {
  const k = pt.k;
  k.tracer.call('exit_mm', undefined, () => {
    mm.users--;
    if (mm.users <= 0) {
      k.tracer.call('exit_mmap', undefined, () => mmput(k, mm));
      k.mm.mms.delete(mm.id);
      pt.deadCpus.push(mm.cpu);
    }
  });
  t.mm = null;
}
