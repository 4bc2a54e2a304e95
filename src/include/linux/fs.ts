/** struct file / struct inode as the model needs them (include/linux/fs.h). */
/** A file the model can map: executables (page cache) or tmpfs-backed ones. */
export interface ModelFile {
  id: number;
  path: string;
  bytes: Uint8Array;
  /** rootfs is tmpfs in the oracle: file pages count as shmem (PageSwapBacked) */
  shmem: boolean;
}

/**
 * An open pseudo file (procfs, cgroupfs, sysrq-trigger): the text its show() produces and its
 * write handler (the struct file_operations / proc_ops / kernfs_ops of a seq_file, bound to one
 * inode).  write() returns the bytes consumed or -errno, like the kernel's ->write().
 */
export interface VirtualFile {
  read(): string;
  /** returns bytes consumed or -errno */
  write?(data: string): number;
}
