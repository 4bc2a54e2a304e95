/**
 * fs/namespace.c: the model's one mount namespace — the rootfs, with procfs at /proc and the
 * cgroup2 hierarchy at /sys/fs/cgroup mounted on it as the oracle's init does at boot.
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import type { VirtualFile } from '../include/linux/fs.js';
import type { Task } from '../include/linux/sched.js';
import { cgroup_kn_lookup } from '../kernel/cgroup/cgroup.js';
import { rootfs_alloc, type Rootfs } from './dcache.js';
import { proc_fs_info_alloc } from './proc/internal.js';
import { proc_root_lookup } from './proc/root.js';

/** A pseudo file system mounted over the rootfs (struct vfsmount, flattened). */
export interface VfsMount {
  readonly mnt_mountpoint: string;
  /** the mounted root's lookup: `path` is below the mount point ("" for the root itself) */
  lookup(path: string, self: Task | null): VirtualFile | undefined;
}

export interface MntNamespace {
  readonly root: Rootfs;
  readonly mounts: readonly VfsMount[];
}

/** init_mount_tree() plus the mounts of a booted system (mount -t proc, mount -t cgroup2). */
export function init_mount_tree(k: KernelState): MntNamespace {
  const fsi = proc_fs_info_alloc();
  return {
    root: rootfs_alloc(k.mm.rootfs),
    mounts: [
      { mnt_mountpoint: '/proc', lookup: (path, self) => proc_root_lookup(k, fsi, path, self) },
      { mnt_mountpoint: '/sys/fs/cgroup', lookup: (path) => cgroup_kn_lookup(k, path) },
    ],
  };
}

/** lookup_mnt(): the mount covering a normalized absolute path, and the path below it. */
export function lookup_mnt(ns: MntNamespace, path: string): { mnt: VfsMount; rest: string } | undefined {
  let best: VfsMount | undefined;
  for (const mnt of ns.mounts) {
    const mp = mnt.mnt_mountpoint;
    if ((path === mp || path.startsWith(mp + '/')) && (!best || mp.length > best.mnt_mountpoint.length)) best = mnt;
  }
  return best && { mnt: best, rest: path.slice(best.mnt_mountpoint.length) };
}
