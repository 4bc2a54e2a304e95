/** tmpfs objects (mm/shmem.c). */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import type { ModelFile } from '../include/linux/fs.js';

/** shmem_zero_setup(): the tmpfs object behind a MAP_SHARED|MAP_ANONYMOUS mapping. */
export function shmem_zero_setup(k: KernelState, _len: number): ModelFile {
  return { id: -++k.mm.pageCache.nextAnonShmem, path: '/dev/zero (deleted)', bytes: new Uint8Array(0), shmem: true };
}
