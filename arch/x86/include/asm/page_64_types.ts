/**
 * arch/x86/include/asm/page_64_types.h: the top of user space on x86-64 with 4-level paging.
 */
import { LOWER_HALF_END } from '../../../../src/hw/x86-exception.js';

/** TASK_SIZE_MAX = (1 << __VIRTUAL_MASK_SHIFT) - PAGE_SIZE: the guard page below the canonical hole is not user space. */
export const X86_TASK_SIZE_MAX = LOWER_HALF_END - 4096n;
