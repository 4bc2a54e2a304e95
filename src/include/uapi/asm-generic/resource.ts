/** Resource limit numbers (include/uapi/asm-generic/resource.h). */
export const RLIMIT_STACK = 3;
export const RLIMIT_NPROC = 6;
export const RLIMIT_NOFILE = 7;
export const RLIM_NLIMITS = 16;
export const RLIM_INFINITY = 0xffffffffffffffffn;
