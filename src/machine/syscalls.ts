/**
 * System calls with the real Linux numbers and ABIs of each arch (the arch tables map numbers to
 * these generic names).  Return values are the kernel's: a result or -errno.  Unknown numbers
 * return -ENOSYS and emit a trace event naming the call.
 */
import { doBrk, do_madvise, do_mmap, do_mprotect_pkey, do_munmap, MAP_ANONYMOUS } from '../mm/mmap.js';
import { PAGE_SIZE } from '../include/linux/mmzone.js';
import * as E from '../include/uapi/asm-generic/errno.js';
import { ExecError, MAX_ARG_BYTES } from '../fs/exec.js';
import { d_lookup } from '../fs/dcache.js';
import { filename_lookup } from '../fs/namei.js';
import { RLIM_NLIMITS, RLIMIT_NOFILE, setRlimit, task_rlimit } from '../kernel/sys.js';
import type { Machine } from './machine.js';
import type { Task } from '../include/linux/sched.js';
import { find_vma } from '../mm/mmap.js';
import { printk } from '../kernel/printk/printk.js';

/** MAX_ARG_STRLEN (include/uapi/linux/binfmts.h): PAGE_SIZE * 32. */
const MAX_ARG_STRLEN = 32 * 4096;

interface OpenFile {
  path: string;
  pos: number;
  kind: 'tty' | 'virtual';
  flags: number;
}

const CLONE_VM = 0x100;
const CLONE_VFORK = 0x4000;
const CLONE_THREAD = 0x10000;
const CLONE_SETTLS = 0x80000;
const SIGCHLD = 17;
const WNOHANG = 1;
const CLONE_SIGHAND = 0x800;
/** user addresses end here on both arches (the larger, arm64 48-bit); access_ok() bound */
const TASK_SIZE_LIMIT = 2 ** 48;

export class Syscalls {
  private readonly m: Machine;
  private readonly fds = new Map<number, Map<number, OpenFile>>();

  constructor(m: Machine) {
    this.m = m;
  }

  fdTable(t: Task): Map<number, OpenFile> {
    let f = this.fds.get(t.tgid);
    if (!f) {
      f = new Map([
        [0, { path: '/dev/tty', pos: 0, kind: 'tty', flags: 0 }],
        [1, { path: '/dev/tty', pos: 0, kind: 'tty', flags: 1 }],
        [2, { path: '/dev/tty', pos: 0, kind: 'tty', flags: 1 }],
      ]);
      this.fds.set(t.tgid, f);
    }
    return f;
  }

  private readUser(t: Task, addr: bigint, len: number): Buffer | null {
    const out = Buffer.alloc(len);
    const mm = t.mm!;
    let a = Number(addr);
    for (let off = 0; off < len; ) {
      if (this.m.sys.faultInKernel(mm, undefined, a, false) !== 0) return null;
      const vma = find_vma(mm, a)!;
      const n = Math.min(len - off, PAGE_SIZE - (a % PAGE_SIZE));
      vma.mem.copy(out, off, a - vma.start, a - vma.start + n);
      off += n;
      a += n;
    }
    return out;
  }

  private writeUser(t: Task, addr: bigint, data: Uint8Array): boolean {
    const mm = t.mm!;
    let a = Number(addr);
    for (let off = 0; off < data.length; ) {
      if (this.m.sys.faultInKernel(mm, undefined, a, true) !== 0) return false;
      const vma = find_vma(mm, a)!;
      const n = Math.min(data.length - off, PAGE_SIZE - (a % PAGE_SIZE));
      vma.mem.set(data.subarray(off, off + n), a - vma.start);
      off += n;
      a += n;
    }
    return true;
  }

  private readString(t: Task, addr: bigint, max = 4096): string | null {
    const s = this.strncpyFromUser(t, addr, max);
    return typeof s === 'object' ? s.str : null;
  }

  /** strncpy_from_user(): the string, a fault, or an overrun (no NUL within `max` bytes). */
  private strncpyFromUser(t: Task, addr: bigint, max: number): { str: string } | 'fault' | 'overrun' {
    const parts: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = this.readUser(t, addr + BigInt(i), 1);
      if (!b) return 'fault';
      if (b[0] === 0) return { str: Buffer.from(parts).toString('utf8') };
      parts.push(b[0]!);
    }
    return 'overrun';
  }

  /**
   * copy_strings() for execve: each string is bounded by MAX_ARG_STRLEN (32 pages) and the
   * whole argv+envp, pointers included, by the stack/4 rule (MAX_ARG_BYTES, bprm_stack_limits);
   * either overrun is -E2BIG, an unreadable pointer -EFAULT.  `budget` carries the bytes left
   * across argv and envp.
   */
  private readStringArray(t: Task, addr: bigint, budget: { left: number }): string[] | number {
    const out: string[] = [];
    if (addr === 0n) return out;
    for (let i = 0; ; i++) {
      budget.left -= 8;
      if (budget.left < 0) return E.E2BIG;
      const p = this.readUser(t, addr + BigInt(i * 8), 8);
      if (!p) return E.EFAULT;
      const v = p.readBigUInt64LE(0);
      if (v === 0n) return out;
      const s = this.strncpyFromUser(t, v, MAX_ARG_STRLEN);
      if (s === 'fault') return E.EFAULT;
      if (s === 'overrun') return E.E2BIG;
      budget.left -= Buffer.byteLength(s.str) + 1;
      if (budget.left < 0) return E.E2BIG;
      out.push(s.str);
    }
  }

  /** Entry from the scheduler on a syscall stop (el0_svc / entry_SYSCALL_64). */
  handle(t: Task): void {
    const m = this.m;
    const cpu = t.mm!.cpu;
    const abi = m.arch.syscall;
    const nr = abi.nr(cpu);
    const name = abi.names[nr];
    const args = [0, 1, 2, 3, 4, 5].map((i) => abi.arg(cpu, i));
    const entry = m.k.arch === 'aarch64' ? 'el0_svc' : 'entry_SYSCALL_64';
    if (m.k.arch === 'x86_64') {
      // SYSCALL saves the return RIP in RCX and RFLAGS in R11 (the engine's hook does not).
      cpu.setReg('rcx', cpu.pc());
      cpu.setReg('r11', cpu.reg('rflags'));
    }
    let ret: bigint | null = null;
    m.k.tracer.call(entry, { nr, name: name ?? 'unknown' }, () => {
      ret = this.dispatch(t, name, args, nr);
    });
    if (ret !== null && t.mm && t.state !== 'Z' && t.state !== 'X') abi.setReturn(t.mm.cpu, ret);
    m.k.tracer.emit('syscall', {
      nr,
      name: name ?? `syscall_${nr}`,
      args: args.slice(0, 3).map((a) => `0x${a.toString(16)}`),
      ret: ret === null ? '(no return)' : String(BigInt.asIntN(64, ret)),
    });
  }

  /** Returns the value for the return register, or null when the task exited / will resume later. */
  private dispatch(t: Task, name: string | undefined, a: bigint[], nr: number): bigint | null {
    const m = this.m;
    const k = m.k;
    const mm = t.mm!;
    const n = (i: number) => Number(BigInt.asIntN(64, a[i]!));
    const err = (e: number) => BigInt(-e);
    switch (name) {
      case 'write':
      case 'pwrite64': {
        const f = this.fdTable(t).get(n(0));
        if (!f || (f.flags & 3) === 0) return err(E.EBADF); // FMODE_WRITE
        // access_ok(): the whole user range must lie below TASK_SIZE; then rw_verify_area's
        // MAX_RW_COUNT clamp (the model moves at most 1 MiB per call: a short write).
        if (a[2]! > BigInt(TASK_SIZE_LIMIT) || a[1]! + a[2]! > BigInt(TASK_SIZE_LIMIT)) return err(E.EFAULT);
        const len = Math.min(Number(a[2]!), 1 << 20);
        const data = this.readUser(t, a[1]!, len);
        if (!data) return err(E.EFAULT);
        if (f.kind === 'tty') {
          m.output(t, n(0), data.toString('utf8'));
          return BigInt(len);
        }
        const vf = filename_lookup(m.sys.vfs, f.path, t);
        if (!vf?.write) return err(E.EACCES);
        const r = vf.write(data.toString('utf8'));
        return BigInt(r);
      }
      case 'writev': {
        const f = this.fdTable(t).get(n(0));
        if (!f) return err(E.EBADF);
        let total = 0;
        for (let i = 0; i < n(2); i++) {
          const iov = this.readUser(t, a[1]! + BigInt(i * 16), 16);
          if (!iov) return err(E.EFAULT);
          const data = this.readUser(t, iov.readBigUInt64LE(0), Number(iov.readBigUInt64LE(8)));
          if (!data) return err(E.EFAULT);
          if (f.kind === 'tty') m.output(t, n(0), data.toString('utf8'));
          total += data.length;
        }
        return BigInt(total);
      }
      case 'read':
      case 'pread64': {
        const f = this.fdTable(t).get(n(0));
        if (!f || (f.flags & 3) === 1) return err(E.EBADF); // FMODE_READ
        if (a[2]! > BigInt(TASK_SIZE_LIMIT) || a[1]! + a[2]! > BigInt(TASK_SIZE_LIMIT)) return err(E.EFAULT);
        if (f.kind === 'tty') return 0n;
        const vf = filename_lookup(m.sys.vfs, f.path, t);
        const file = vf ? undefined : d_lookup(m.sys.vfs.root, f.path);
        if (!vf && !file && f.path !== '/dev/null') return err(E.ENOENT);
        const content = vf ? Buffer.from(vf.read(), 'utf8') : Buffer.from(file?.bytes ?? new Uint8Array(0));
        const chunk = content.subarray(f.pos, f.pos + Math.min(Number(a[2]!), 1 << 20));
        if (!this.writeUser(t, a[1]!, chunk)) return err(E.EFAULT);
        f.pos += chunk.length;
        return BigInt(chunk.length);
      }
      case 'openat':
      case 'open': {
        const pathArg = name === 'open' ? a[0]! : a[1]!;
        const flags = name === 'open' ? n(1) : n(2);
        const path = this.readString(t, pathArg);
        if (path === null) return err(E.EFAULT);
        if (path.length > 4095) return err(E.ENAMETOOLONG);
        const vf = filename_lookup(m.sys.vfs, path, t);
        if (!vf && !d_lookup(m.sys.vfs.root, path) && path !== '/dev/null') return err(E.ENOENT);
        if ((flags & 3) !== 0 && vf && !vf.write) return err(E.EACCES);
        const table = this.fdTable(t);
        let fd = 0;
        while (table.has(fd)) fd++;
        if (BigInt(fd) >= task_rlimit(t, RLIMIT_NOFILE, m.sys.procs.maxProcesses)[0]) return err(E.EMFILE);
        table.set(fd, { path, pos: 0, kind: 'virtual', flags });
        return BigInt(fd);
      }
      case 'close': {
        const table = this.fdTable(t);
        return table.delete(n(0)) ? 0n : err(E.EBADF);
      }
      case 'lseek': {
        const f = this.fdTable(t).get(n(0));
        if (!f) return err(E.EBADF);
        if (n(2) === 0) f.pos = n(1);
        else if (n(2) === 1) f.pos += n(1);
        else return err(E.EINVAL);
        return BigInt(f.pos);
      }
      case 'exit':
      case 'exit_group':
        m.sys.exitTask(t, { code: n(0) & 0xff });
        if (name === 'exit_group')
          for (const o of [...k.sched.tasks.values()])
            if (o.tgid === t.tgid && o !== t) m.sys.exitTask(o, { code: n(0) & 0xff });
        return null;
      case 'getpid':
        return BigInt(t.tgid);
      case 'gettid':
        return BigInt(t.pid);
      case 'getppid':
        return BigInt(t.parent?.tgid ?? 0);
      case 'getuid':
      case 'geteuid':
      case 'getgid':
      case 'getegid':
        return BigInt(t.uid);
      case 'set_tid_address':
        t.clearChildTid = a[0]!;
        return BigInt(t.pid);
      case 'brk':
        return BigInt(doBrk(k, mm, a[0] === 0n ? mm.brk : Number(a[0])));
      case 'mmap': {
        const len = n(1);
        const flags = n(3);
        // do_mmap(): len 0 → EINVAL; PAGE_ALIGN overflowing → ENOMEM; MAP_FIXED needs alignment.
        if (a[1] === 0n) return err(E.EINVAL);
        if (a[1]! > 2n ** 48n) return err(E.ENOMEM);
        if (flags & 0x10 && a[0]! % 4096n) return err(E.EINVAL);
        if (!(flags & MAP_ANONYMOUS) && n(4) !== -1) {
          const f = this.fdTable(t).get(n(4));
          if (!f) return err(E.EBADF);
          const file = d_lookup(m.sys.vfs.root, f.path);
          if (!file) return err(19); // ENODEV: not a regular file
          const r = do_mmap(k, mm, {
            addr: Number(a[0]),
            len,
            prot: n(2),
            flags,
            file,
            pgoff: Math.floor(n(5) / PAGE_SIZE),
          });
          return BigInt(r);
        }
        if (len <= 0) return err(E.EINVAL);
        // a non-fixed hint is only a hint: rounded down to a page
        const r = do_mmap(k, mm, { addr: Number(a[0]! & ~0xfffn), len, prot: n(2), flags: flags | MAP_ANONYMOUS });
        return BigInt(r);
      }
      case 'munmap':
        return BigInt(do_munmap(k, mm, Number(a[0]), n(1)));
      case 'mprotect':
        return BigInt(do_mprotect_pkey(k, mm, Number(a[0]), n(1), n(2) & 7));
      case 'madvise':
        return BigInt(do_madvise(k, mm, Number(a[0]), n(1), n(2)));
      case 'mlock': {
        // mlock() populates the range in one kernel entry (__mm_populate): every page is
        // faulted in and charged now.  (The pages are not made unevictable in the model.)
        const start = Number(a[0]! & ~0xfffn);
        const end = Number(a[0]!) + n(1);
        for (let addr = start; addr < end; addr += PAGE_SIZE) {
          const v = find_vma(mm, addr);
          if (!v || v.start > addr) return err(E.ENOMEM);
          const r = m.sys.faultInKernel(mm, v, addr, (v.flags & 2) !== 0);
          if (r === -12) return err(E.ENOMEM);
          if (t.pending.includes(9)) return err(E.EINTR);
          if (t.highDelayNs > 0) {
            // Throttled over memory.high inside the call: sleep the penalty, then restart the
            // system call (pages already populated are not faulted again).
            const delay = t.highDelayNs;
            t.highDelayNs = 0;
            m.sys.sleep(t, 'memory.high throttle', k.sched.clock + delay);
            const cpu = mm.cpu;
            cpu.setPc(cpu.pc() - (k.arch === 'aarch64' ? 4n : 2n));
            return null;
          }
        }
        return 0n;
      }
      case 'munlock':
      case 'mlockall':
      case 'munlockall':
      case 'msync':
        return 0n;
      case 'sched_yield':
        m.sys.makeRunnable(t);
        return 0n;
      case 'nanosleep':
      case 'clock_nanosleep': {
        const reqAddr = name === 'nanosleep' ? a[0]! : a[2]!;
        const ts = this.readUser(t, reqAddr, 16);
        if (!ts) return err(E.EFAULT);
        const sec = Number(ts.readBigInt64LE(0));
        const nsec = Number(ts.readBigInt64LE(8));
        if (sec < 0 || nsec < 0 || nsec >= 1e9) return err(E.EINVAL);
        const abs = name === 'clock_nanosleep' && n(1) & 1;
        const until = abs ? sec * 1e9 + nsec : k.sched.clock + sec * 1e9 + nsec;
        m.sys.sleep(t, 'hrtimer_nanosleep', until);
        return 0n;
      }
      case 'clock_gettime': {
        const clk = n(0);
        // 10 was CLOCK_SGI_CYCLE, removed: posix_get_clock() has no entry for it.
        if (clk < 0 || clk > 11 || clk === 10) return err(E.EINVAL);
        const base = clk === 0 ? 1_700_000_000 * 1e9 : 0;
        const now = base + k.sched.clock;
        const buf = Buffer.alloc(16);
        buf.writeBigInt64LE(BigInt(Math.floor(now / 1e9)), 0);
        buf.writeBigInt64LE(BigInt(now % 1e9), 8);
        return this.writeUser(t, a[1]!, buf) ? 0n : err(E.EFAULT);
      }
      case 'gettimeofday': {
        const now = 1_700_000_000 * 1e9 + k.sched.clock;
        const buf = Buffer.alloc(16);
        buf.writeBigInt64LE(BigInt(Math.floor(now / 1e9)), 0);
        buf.writeBigInt64LE(BigInt(Math.floor((now % 1e9) / 1000)), 8);
        return a[0] === 0n || this.writeUser(t, a[0]!, buf) ? 0n : err(E.EFAULT);
      }
      case 'uname': {
        const f = (s: string) => Buffer.concat([Buffer.from(s), Buffer.alloc(65 - s.length)]);
        const rel = m.k.profile.release[k.arch].split(' ')[0]!;
        const buf = Buffer.concat([
          f('Linux'),
          f('faultpath'),
          f(rel),
          f(m.k.profile.buildVersion),
          f(k.arch),
          f('(none)'),
        ]);
        return this.writeUser(t, a[0]!, buf) ? 0n : err(E.EFAULT);
      }
      case 'getrandom': {
        const fl = n(2);
        // GRND_NONBLOCK 1, GRND_RANDOM 2, GRND_INSECURE 4; INSECURE with RANDOM is invalid
        if (fl & ~7 || (fl & 6) === 6) return err(E.EINVAL);
        const len = Math.min(n(1), 33554431);
        if (len < 0) return err(E.EINVAL);
        const buf = this.m.k.random.bytes(len);
        return this.writeUser(t, a[0]!, buf) ? BigInt(len) : err(E.EFAULT);
      }
      case 'rt_sigaction': {
        const sig = n(0);
        if (a[3] !== 8n) return err(E.EINVAL); // sigsetsize
        if (sig < 1 || sig > 64) return err(E.EINVAL);
        // do_sigaction(): SIGKILL/SIGSTOP may be queried but not changed
        if ((sig === 9 || sig === 19) && a[1] !== 0n) return err(E.EINVAL);
        // struct sigaction as both arches pass it: handler, flags, restorer, mask (SA_RESTORER)
        if (a[2] !== 0n) {
          const old = t.sigactions.get(sig);
          const buf = Buffer.alloc(32);
          buf.writeBigUInt64LE(old?.handler ?? 0n, 0);
          buf.writeBigUInt64LE(old?.flags ?? 0n, 8);
          buf.writeBigUInt64LE(old?.restorer ?? 0n, 16);
          buf.writeBigUInt64LE(old?.mask ?? 0n, 24);
          if (!this.writeUser(t, a[2]!, buf)) return err(E.EFAULT);
        }
        if (a[1] !== 0n) {
          const act = this.readUser(t, a[1]!, 32);
          if (!act) return err(E.EFAULT);
          t.sigactions.set(sig, {
            handler: act.readBigUInt64LE(0),
            flags: act.readBigUInt64LE(8),
            restorer: act.readBigUInt64LE(16),
            mask: act.readBigUInt64LE(24),
          });
        }
        return 0n;
      }
      case 'rt_sigprocmask': {
        if (a[2] !== 0n) {
          const b = Buffer.alloc(8);
          b.writeBigUInt64LE(t.sigmask, 0);
          if (!this.writeUser(t, a[2]!, b)) return err(E.EFAULT);
        }
        if (a[1] !== 0n) {
          const s = this.readUser(t, a[1]!, 8);
          if (!s) return err(E.EFAULT);
          const set = s.readBigUInt64LE(0) & ~((1n << 8n) | (1n << 18n)); // SIGKILL/SIGSTOP cannot be blocked
          const how = n(0);
          if (how === 0) t.sigmask |= set;
          else if (how === 1) t.sigmask &= ~set;
          else if (how === 2) t.sigmask = set;
          else return err(E.EINVAL);
        }
        return 0n;
      }
      case 'sigaltstack':
      case 'set_robust_list':
      case 'rseq':
      case 'futex':
        return name === 'rseq' ? err(E.ENOSYS) : 0n;
      case 'prlimit64':
      case 'getrlimit': {
        // kernel/sys.c prlimit64() / getrlimit(): look up the task, read the new limit, then
        // do_prlimit() returns the old one and installs the new.
        const prl = name === 'prlimit64';
        const res = n(prl ? 1 : 0);
        const old = prl ? a[3]! : a[1]!;
        const target = prl && n(0) !== 0 ? k.sched.tasks.get(n(0)) : t;
        if (!target || target.state === 'X' || target.isKthread) return err(E.ESRCH);
        let next: [bigint, bigint] | null = null;
        if (prl && a[2] !== 0n) {
          const nb = this.readUser(t, a[2]!, 16);
          if (!nb) return err(E.EFAULT);
          next = [nb.readBigUInt64LE(0), nb.readBigUInt64LE(8)];
        }
        if (res < 0 || res >= RLIM_NLIMITS) return err(E.EINVAL);
        const max = m.sys.procs.maxProcesses;
        const cur = task_rlimit(target, res, max);
        if (next) {
          const r = setRlimit(target, res, next, max);
          if (r < 0) return BigInt(r);
        }
        if (old !== 0n) {
          const b = Buffer.alloc(16);
          b.writeBigUInt64LE(cur[0], 0);
          b.writeBigUInt64LE(cur[1], 8);
          if (!this.writeUser(t, old, b)) return err(E.EFAULT);
        }
        return 0n;
      }
      case 'kill':
      case 'tgkill':
      case 'tkill': {
        const pid = name === 'tgkill' ? n(1) : n(0);
        const sig = name === 'tgkill' ? n(2) : n(1);
        if (sig < 0 || sig > 64) return err(E.EINVAL);
        if (name === 'tgkill') {
          if (n(0) <= 0 || pid <= 0) return err(E.EINVAL);
          const tk = k.sched.tasks.get(pid);
          if (!tk || tk.tgid !== n(0) || tk.state === 'Z' || tk.state === 'X') return err(E.ESRCH);
        }
        // pid 0: the caller's process group; every guest process runs in one group here.
        const live = (x: Task) => x.state !== 'X' && x.state !== 'Z' && !x.isKthread;
        const targets =
          pid > 0
            ? [k.sched.tasks.get(pid)].filter((x): x is Task => !!x && live(x))
            : pid === -1
              ? [...k.sched.tasks.values()].filter((x) => x.pid > 1 && live(x) && x.tgid !== t.tgid)
              : pid === 0
                ? [...k.sched.tasks.values()].filter((x) => x.pid > 1 && live(x) && x.pid === x.tgid)
                : [];
        if (!targets.length) return err(E.ESRCH);
        if (sig === 0) return 0n;
        for (const tg of targets) {
          // init (and kernel threads) ignore signals they have no handler for: success, no effect
          if (tg.pid === 1 || tg.isKthread) continue;
          m.sys.procs.sendSignal(tg, sig);
        }
        return 0n;
      }
      case 'wait4':
        return this.wait4(t, n(0), a[1]!, n(2));
      case 'clone':
        return this.clone(t, Number(a[0]! & 0xffffffffn), a[1]!, k.arch === 'aarch64' ? a[4]! : a[3]!);
      case 'fork':
        return this.clone(t, SIGCHLD, 0n, 0n);
      case 'vfork':
        return this.clone(t, CLONE_VM | CLONE_VFORK | SIGCHLD, 0n, 0n);
      case 'execve':
        return this.execve(t, a[0]!, a[1]!, a[2]!);
      case 'arch_prctl': {
        if (n(0) === 0x1002) {
          mm.cpu.setReg('fs_base', a[1]!);
          return 0n;
        }
        if (n(0) === 0x1001) {
          mm.cpu.setReg('gs_base', a[1]!);
          return 0n;
        }
        return err(E.EINVAL);
      }
      case 'getcwd': {
        const s = Buffer.from('/\0');
        return this.writeUser(t, a[0]!, s) ? 2n : err(E.EFAULT);
      }
      case 'ioctl':
        return err(25); // ENOTTY
      case 'umask':
        return 0o22n;
      case 'prctl':
        if (n(0) === 15) {
          const s = this.readString(t, a[1]!, 16);
          if (s === null) return err(E.EFAULT);
          t.comm = s.slice(0, 15);
          return 0n;
        }
        return err(E.EINVAL);
      default:
        k.tracer.emit('tracepoint', {
          system: 'raw_syscalls',
          name: 'sys_enter_unknown',
          fields: { nr, name: name ?? 'unknown' },
          text: `NR ${nr} (${name ?? 'unknown'}) -> -ENOSYS (not implemented by faultpath)`,
        });
        return err(E.ENOSYS);
    }
  }

  private wait4(t: Task, pid: number, statusAddr: bigint, options: number): bigint | null {
    const m = this.m;
    if (options & ~(WNOHANG | 2 | 8 | 0x40000000 | 0x80000000)) return -BigInt(E.EINVAL);
    // Threads (CLONE_THREAD) are not children anyone waits for.
    const kids = t.children.filter(
      (c) => c.state !== 'X' && c.pid === c.tgid && (pid === -1 || pid === 0 || c.tgid === pid || pid < -1),
    );
    if (!kids.length) return -BigInt(E.ECHILD);
    const z = kids.find((c) => c.state === 'Z');
    if (z) {
      // wait_task_zombie(): the child is released, then the status is copied out (-EFAULT after)
      m.sys.procs.reap(z);
      if (statusAddr !== 0n) {
        const b = Buffer.alloc(4);
        b.writeInt32LE(z.exitStatus ?? 0, 0);
        if (!this.writeUser(t, statusAddr, b)) return -BigInt(E.EFAULT);
      }
      return BigInt(z.pid);
    }
    if (options & WNOHANG) return 0n;
    // Sleep until a child exits, then run wait4 again (the syscall restarts on wake-up).
    m.sys.sleep(t, `wait:${t.pid}`);
    const cpu = t.mm!.cpu;
    const pc = cpu.pc();
    cpu.setPc(pc - (m.k.arch === 'aarch64' ? 4n : 2n));
    return null;
  }

  private clone(t: Task, flags: number, newSp: bigint, tls: bigint): bigint | null {
    const m = this.m;
    const k = m.k;
    if (m.sys.procs.liveCount() >= m.sys.procs.maxProcesses) {
      if (k.printk.ratelimit('fork_limit', 5_000_000_000, 1))
        printk(
          k,
          4,
          `faultpath: fork refused: ${m.sys.procs.maxProcesses} processes (RLIMIT_NPROC) reached by ${t.comm}[${t.pid}]`,
        );
      return -BigInt(E.EAGAIN);
    }
    // copy_process(): threads share signal handlers, and shared handlers need a shared mm
    if (flags & CLONE_THREAD && !(flags & CLONE_SIGHAND)) return -BigInt(E.EINVAL);
    if (flags & CLONE_SIGHAND && !(flags & CLONE_VM)) return -BigInt(E.EINVAL);
    m.sys.procs.saveRegs(t);
    const child = m.sys.procs.newTask(t.comm, t, t.memcgId);
    child.oomScoreAdj = t.oomScoreAdj;
    child.oomScoreAdjMin = t.oomScoreAdjMin;
    child.uid = t.uid;
    child.sigactions = new Map(t.sigactions);
    child.rlimits = flags & CLONE_THREAD ? t.rlimits : new Map(t.rlimits);
    child.label = undefined;
    if (flags & CLONE_THREAD) child.tgid = t.tgid;
    if (flags & CLONE_VM) {
      child.mm = t.mm;
      t.mm!.users++;
    } else {
      try {
        child.mm = m.sys.procs.dupMm(t.mm!, child.pid);
      } catch (e) {
        k.sched.tasks.delete(child.pid);
        k.memcg.get(child.memcgId).procs.delete(child.pid);
        t.children = t.children.filter((c) => c !== child);
        return -BigInt(E.ENOMEM);
      }
      m.sys.attachMm(child.mm);
    }
    // The child starts with the parent's registers, returning 0 from the syscall.
    child.regs = { gp: new Map(t.regs!.gp), vec: new Map(t.regs!.vec) };
    child.regs.gp.set(k.arch === 'aarch64' ? 'x0' : 'rax', 0n);
    if (newSp) child.regs.gp.set(m.arch.spReg, newSp);
    if (flags & CLONE_SETTLS) child.regs.gp.set(m.arch.tlsReg, tls);
    if (!(flags & CLONE_VM)) m.sys.procs.restoreRegs(child);
    m.sys.makeRunnable(child);
    if (flags & CLONE_VFORK) {
      child.vforkParent = t;
      m.sys.sleep(t, 'vfork');
      // the parent's return value is the child's pid when it wakes
    }
    return BigInt(child.pid);
  }

  private execve(t: Task, pathAddr: bigint, argvAddr: bigint, envAddr: bigint): bigint | null {
    const m = this.m;
    const path = this.readString(t, pathAddr);
    if (path === null) return -BigInt(E.EFAULT);
    const budget = { left: MAX_ARG_BYTES };
    const argv = this.readStringArray(t, argvAddr, budget);
    if (typeof argv === 'number') return -BigInt(argv);
    const envp = this.readStringArray(t, envAddr, budget);
    if (typeof envp === 'number') return -BigInt(envp);
    const file = d_lookup(m.sys.vfs.root, path);
    if (!file) return -BigInt(E.ENOENT);
    try {
      m.execInto(t, file, argv, envp);
    } catch (e) {
      if (e instanceof ExecError)
        return -BigInt(/too long/.test(e.message) ? E.E2BIG : /format/.test(e.message) ? E.ENOEXEC : E.ENOMEM);
      if ((e as Error).name === 'ElfError') return -BigInt(E.ENOEXEC);
      throw e;
    }
    return null;
  }
}
