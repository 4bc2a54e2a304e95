/**
 * struct cftype (include/linux/cgroup-defs.h): one interface file of a cgroup controller or of
 * cgroup core.  `Css` is the controller's state (struct mem_cgroup for memory), `Ctx` the kernel
 * globals the handlers need; both are type parameters so this header imports nothing above it.
 */

/** only create on the root cgroup */
export const CFTYPE_ONLY_ON_ROOT = 1 << 0;
/** don't create on the root cgroup */
export const CFTYPE_NOT_ON_ROOT = 1 << 1;

export interface CfType<Css, Ctx> {
  /** the file name without the controller prefix ("max" → memory.max), as in the kernel */
  readonly name: string;
  readonly flags?: number;
  /** which counter a shared handler reads (cft->private, e.g. MEMFILE_PRIVATE(_MEM, RES_USAGE)) */
  readonly private?: number;
  /**
   * Model only: whether the modeled kernel version has this file at all (profile data; the
   * kernel simply has a different cftype array per version).
   */
  present?(ctx: Ctx): boolean;
  /** read_u64: printed as "%llu\n" */
  read_u64?(ctx: Ctx, css: Css, cft: CfType<Css, Ctx>): number | bigint;
  /** seq_show: the whole text of the file */
  seq_show?(ctx: Ctx, css: Css): string;
  /** write: returns bytes consumed or -errno */
  write?(ctx: Ctx, css: Css, buf: string): number;
}
