/** struct file / struct inode as the model needs them (include/linux/fs.h). */
/** A file the model can map: executables (page cache) or tmpfs-backed ones. */
export interface ModelFile {
  id: number;
  path: string;
  bytes: Uint8Array;
  /** rootfs is tmpfs in the oracle: file pages count as shmem (PageSwapBacked) */
  shmem: boolean;
}
