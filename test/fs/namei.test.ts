/**
 * src/fs/namei.ts (filename_lookup, vfs_create) over the mount table of src/fs/namespace.ts:
 * which paths reach which file system, and which do not exist.  No guest runs here.
 */
import { describe, expect, it } from 'vitest';
import { d_lookup } from '../../src/fs/dcache.js';
import { filename_lookup, vfs_create } from '../../src/fs/namei.js';
import { Machine } from '../../src/machine/machine.js';

const boot = (kernel = '6.1') => new Machine({ arch: 'aarch64', kernel, memBytes: 64 << 20 });
const read = (m: Machine, path: string) => filename_lookup(m.sys.vfs, path, null)?.read();

describe('filename_lookup', () => {
  it('drops repeated and trailing slashes; relative paths and the mount points themselves are no files', () => {
    const m = boot();
    expect(read(m, '//proc///meminfo/')).toBe(read(m, '/proc/meminfo'));
    expect(read(m, '/proc/meminfo')).toMatch(/^MemTotal: +\d+ kB\n/);
    for (const p of ['proc/meminfo', '/proc', '/proc/', '/sys/fs/cgroup', '/sys/fs/cgroupx/memory.max'])
      expect(filename_lookup(m.sys.vfs, p, null), p).toBeUndefined();
  });

  it('/proc/<pid>: live tasks only; /proc/self needs a calling task', () => {
    const m = boot();
    expect(read(m, '/proc/1/status')).toBe('Name:\tinit\nState:\tS (sleeping)\nTgid:\t1\nPid:\t1\nPPid:\t0\n');
    expect(read(m, '/proc/1/statm')).toBe('0 0 0 0 0 0 0\n');
    expect(read(m, '/proc/30/comm')).toBe('oom_reaper\n');
    expect(read(m, '/proc/1/cgroup')).toBe('0::/\n');
    expect(filename_lookup(m.sys.vfs, '/proc/9999/status', null)).toBeUndefined();
    expect(filename_lookup(m.sys.vfs, '/proc/1/environ', null)).toBeUndefined();
    expect(filename_lookup(m.sys.vfs, '/proc/self/status', null)).toBeUndefined();
    const init = m.k.sched.tasks.get(1)!;
    expect(filename_lookup(m.sys.vfs, '/proc/self/comm', init)?.read()).toBe('init\n');
  });

  it('/proc/sys has exactly the sysctl table; writes take one integer', () => {
    const m = boot();
    const f = filename_lookup(m.sys.vfs, '/proc/sys/vm/overcommit_memory', null)!;
    expect(f.read()).toBe('0\n');
    expect(f.write!('x')).toBe(-22);
    expect(f.write!('1\n')).toBe(2);
    expect(f.read()).toBe('1\n');
    expect(filename_lookup(m.sys.vfs, '/proc/sys/vm/nope', null)).toBeUndefined();
  });

  it('/proc/sysrq-trigger reads empty; keys other than f are ignored without a log line', () => {
    const m = boot();
    const f = filename_lookup(m.sys.vfs, '/proc/sysrq-trigger', null)!;
    expect(f.read()).toBe('');
    expect(f.write!('h')).toBe(1);
    expect(m.k.printk.records.map((r) => r.text).join('\n')).not.toMatch(/sysrq/);
  });

  it('a cgroup directory is not a file', () => {
    const m = boot();
    expect(filename_lookup(m.sys.vfs, '/sys/fs/cgroup/memory.stat', null)).toBeDefined();
    expect(filename_lookup(m.sys.vfs, '/sys/fs/cgroup/nope/memory.stat', null)).toBeUndefined();
  });
});

describe('vfs_create', () => {
  it('numbers inodes from 1, returns an existing file unchanged, and the rootfs kind decides shmem', () => {
    const m = boot();
    const a = vfs_create(m.sys.vfs, '/bin/a', new Uint8Array([1]));
    const b = vfs_create(m.sys.vfs, '/bin/b', new Uint8Array([2]));
    expect([a.id, b.id, a.shmem]).toEqual([1, 2, true]);
    expect(vfs_create(m.sys.vfs, '/bin/a', new Uint8Array([3]))).toBe(a);
    expect(d_lookup(m.sys.vfs.root, '/bin/a')?.bytes).toEqual(new Uint8Array([1]));
    expect(d_lookup(m.sys.vfs.root, 'bin/a')).toBeUndefined();
    const disk = new Machine({ arch: 'aarch64', memBytes: 64 << 20, rootfs: 'disk' });
    expect(vfs_create(disk.sys.vfs, '/bin/a', new Uint8Array()).shmem).toBe(false);
  });
});
