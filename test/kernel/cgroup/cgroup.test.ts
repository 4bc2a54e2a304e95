/**
 * src/kernel/cgroup/cgroup.ts (mkdir/rmdir, the cftype lookup: which files each cgroup has) and
 * the memory controller's cftype handlers in src/mm/memcontrol.ts.  No guest runs here.
 */
import { describe, expect, it } from 'vitest';
import { filename_lookup } from '../../../src/fs/namei.js';
import { cgroup_mkdir, cgroup_rmdir } from '../../../src/kernel/cgroup/cgroup.js';
import { Machine } from '../../../src/machine/machine.js';

const boot = (kernel = '6.1') => new Machine({ arch: 'aarch64', kernel, memBytes: 64 << 20 });
const file = (m: Machine, cg: string, name: string) => filename_lookup(m.sys.vfs, `/sys/fs/cgroup${cg}/${name}`, null);

describe('cgroup_mkdir / cgroup_rmdir', () => {
  it('creates missing ancestors, returns an existing cgroup, rejects bad names', () => {
    const m = boot();
    const b = cgroup_mkdir(m.k, 'a/b');
    expect(b.path).toBe('/a/b');
    expect(cgroup_mkdir(m.k, '/a/b/')).toBe(b);
    expect(m.k.memcg.lookup('/a')?.children).toEqual([b]);
    expect(() => cgroup_mkdir(m.k, 'a/b c')).toThrow("invalid cgroup name 'b c'");
  });

  it('rmdir refuses a cgroup with children (EBUSY) and unknown ones (ENOENT)', () => {
    const m = boot();
    cgroup_mkdir(m.k, 'a/b');
    expect(() => cgroup_rmdir(m.k, 'a')).toThrow(expect.objectContaining({ errno: 16 }));
    expect(() => cgroup_rmdir(m.k, 'x')).toThrow(expect.objectContaining({ errno: 2 }));
    cgroup_rmdir(m.k, 'a/b');
    expect(m.k.memcg.lookup('a/b')).toBeUndefined();
    expect(file(m, '/a/b', 'memory.max')).toBeUndefined();
  });
});

describe('cgroup interface files', () => {
  it('the root has no CFTYPE_NOT_ON_ROOT files; its tunables read but refuse writes', () => {
    const m = boot();
    for (const f of ['memory.current', 'memory.peak', 'memory.events', 'memory.oom.group', 'memory.swap.current'])
      expect(file(m, '', f), f).toBeUndefined();
    expect(file(m, '', 'memory.max')?.read()).toBe('max\n');
    expect(file(m, '', 'memory.max')?.write!('4M')).toBe(-22);
    expect(file(m, '', 'cgroup.controllers')?.read()).toBe('memory\n');
    expect(file(m, '', 'memory.nope')).toBeUndefined();
  });

  it('v2 tunables take "max" or a size; v1 limit_in_bytes takes -1', () => {
    const m = boot();
    cgroup_mkdir(m.k, 'a');
    const high = file(m, '/a', 'memory.high')!;
    expect(high.write!('4M')).toBe(2);
    expect(high.read()).toBe('4194304\n');
    expect(high.write!('lots')).toBe(-22);
    expect(high.write!('max\n')).toBe(4);
    expect(high.read()).toBe('max\n');
    const v1 = file(m, '/a', 'memory.limit_in_bytes')!;
    expect(v1.read()).toBe('9223372036854771712\n');
    expect(v1.write!('1G')).toBe(2);
    expect(v1.read()).toBe('1073741824\n');
    expect(file(m, '/a', 'memory.max')?.read()).toBe('1073741824\n');
    expect(v1.write!('-1')).toBe(2);
    expect(v1.read()).toBe('9223372036854771712\n');
  });

  it('files follow the profile: memory.events.local and oom_group_kill are not in 4.19', () => {
    const m = boot('4.19');
    cgroup_mkdir(m.k, 'a');
    expect(file(m, '/a', 'memory.events.local')).toBeUndefined();
    expect(file(m, '/a', 'memory.events')?.read()).toBe('low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n');
  });

  it('cgroup.procs: no internal processes below a cgroup that delegates memory', () => {
    const m = boot();
    cgroup_mkdir(m.k, 'a/b');
    expect(file(m, '/a', 'cgroup.subtree_control')?.write!('+memory')).toBe(7);
    expect(file(m, '/a/b', 'cgroup.controllers')?.read()).toBe('memory\n');
    expect(file(m, '/a', 'cgroup.procs')?.write!('1')).toBe(-16);
    expect(file(m, '/a/b', 'cgroup.procs')?.write!('1')).toBe(1);
    expect(file(m, '/a/b', 'cgroup.procs')?.read()).toBe('1\n');
    expect(filename_lookup(m.sys.vfs, '/proc/1/cgroup', null)?.read()).toBe('0::/a/b\n');
    expect(file(m, '/a/b', 'cgroup.procs')?.write!('9999')).toBe(-3);
  });
});
