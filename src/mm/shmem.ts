/** tmpfs objects (mm/shmem.c). */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import type { ModelFile } from '../include/linux/fs.js';
import type { FaultedFolio } from './filemap.js';
import type { VmFault } from '../include/linux/mm_types.js';
import { __filemap_get_folio } from './filemap.js';
import { linear_page_index } from '../include/linux/pagemap.js';
import { vmFaultName } from '../include/linux/mm_types.js';

/** shmem_zero_setup(): the tmpfs object behind a MAP_SHARED|MAP_ANONYMOUS mapping. */
export function shmem_zero_setup(k: KernelState, _len: number): ModelFile {
  return { id: -++k.mm.pageCache.nextAnonShmem, path: '/dev/zero (deleted)', bytes: new Uint8Array(0), shmem: true };
}

/** shmem_fault(): the tmpfs page of the fault (shmem_get_folio through the page cache). */
export function shmem_fault(k: KernelState, vmf: VmFault): FaultedFolio {
  return k.tracer.call(
    'shmem_fault',
    { index: linear_page_index(vmf.vma, vmf.address) },
    () => __filemap_get_folio(k, vmf),
    (r) => vmFaultName(r.ret),
  );
}
