/** fs/proc/internal.h: what the model keeps per procfs mount. */

/** struct proc_fs_info, as far as the model needs per-boot procfs state. */
export interface ProcFsInfo {
  /**
   * The static flag behind pr_warn_once() in oom_adj_write() (fs/proc/base.c): the deprecation
   * warning is printed once per boot.  Kept per mount so two machines in one process don't share it.
   */
  oom_adj_warned: boolean;
}

export function proc_fs_info_alloc(): ProcFsInfo {
  return { oom_adj_warned: false };
}
