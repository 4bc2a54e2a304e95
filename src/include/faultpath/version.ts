/** The modeled kernel versions (the keys of the profiles and of the per-version data tables). */
export type KernelVersion = '6.1' | '4.19' | '3.12';
