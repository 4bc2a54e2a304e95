/** fs/dcache.c: the rootfs's dentries — the model's regular files, by absolute path. */
import type { ModelFile } from '../include/linux/fs.js';

/**
 * The rootfs's super_block and its one flat dentry table.  tmpfs (the oracle's initramfs) makes
 * file pages shmem (PageSwapBacked); a disk rootfs makes them plain page cache.
 */
export interface Rootfs {
  readonly shmem: boolean;
  readonly dentries: Map<string, ModelFile>;
  /** the last inode number get_next_ino() (fs/inode.c) handed out */
  last_ino: number;
}

export function rootfs_alloc(kind: 'tmpfs' | 'disk'): Rootfs {
  return { shmem: kind === 'tmpfs', dentries: new Map(), last_ino: 0 };
}

/** d_lookup(): the file at exactly this path, if the rootfs has one. */
export function d_lookup(sb: Rootfs, path: string): ModelFile | undefined {
  return sb.dentries.get(path);
}

/** d_add(): a new inode gets its name. */
export function d_add(sb: Rootfs, file: ModelFile): void {
  sb.dentries.set(file.path, file);
}
