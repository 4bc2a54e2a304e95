/**
 * fs/namei.c: path lookup.  The model's tree is the rootfs's regular files (fs/dcache.ts) with
 * pseudo file systems mounted over it (fs/namespace.ts): procfs (fs/proc/) and cgroup2
 * (kernel/cgroup/cgroup.ts, mm/memcontrol.ts).
 */
import type { ModelFile, VirtualFile } from '../include/linux/fs.js';
import type { Task } from '../include/linux/sched.js';
import { d_add, d_lookup } from './dcache.js';
import { lookup_mnt, type MntNamespace } from './namespace.js';

/**
 * filename_lookup() into the pseudo file systems: the open file at `path`, or undefined (no
 * such file, or a path the rootfs itself holds — see d_lookup).  Repeated and trailing slashes
 * are dropped; `self` is the calling task, for /proc/self and the writer's privileges.
 */
export function filename_lookup(ns: MntNamespace, path: string, self: Task | null): VirtualFile | undefined {
  const norm = path.replace(/\/+/g, '/').replace(/\/$/, '');
  const hit = lookup_mnt(ns, norm);
  return hit?.mnt.lookup(hit.rest, self);
}

/**
 * vfs_create() of a regular file on the rootfs with its contents (the model's "put a program
 * on the disk / in the initramfs").  An existing file is returned unchanged.
 */
export function vfs_create(ns: MntNamespace, path: string, bytes: Uint8Array): ModelFile {
  const sb = ns.root;
  const existing = d_lookup(sb, path);
  if (existing) return existing;
  const f: ModelFile = { id: ++sb.last_ino, path, bytes, shmem: sb.shmem };
  d_add(sb, f);
  return f;
}
