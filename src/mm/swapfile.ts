/**
 * The swap area (mm/swapfile.c): slots holding swapped-out pages, each charged to the memcg
 * that owned the page (memory.swap.current) and referenced once per swap PTE.
 */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import type { MemCgroup } from '../include/linux/memcontrol.js';

/** total_swap_pages */
export function total_swap_pages(k: KernelState): number {
  return k.mm.swap.pages;
}

/** total_swap_pages - get_nr_swap_pages(): slots in use */
export function nr_swap_pages_used(k: KernelState): number {
  return k.mm.swap.slots.size;
}

/**
 * get_swap_page() + swap_writepage(): a slot holding the page's bytes, charged to `memcgId`,
 * referenced once per PTE that will point at it (swap_duplicate() for the others); -1 when full.
 */
export function get_swap_page(k: KernelState, data: Buffer, memcgId: number, refs: number): number {
  const swap = k.mm.swap;
  if (swap.slots.size >= swap.pages) return -1;
  const slot = swap.freeSlots.pop() ?? ++swap.nextSlot;
  swap.slots.set(slot, { data: Buffer.from(data), refs, memcgId });
  k.mm.events.pswpout++;
  return slot;
}

/** swap_readpage() (mm/page_io.c): the bytes of a slot. */
export function swap_readpage(k: KernelState, slot: number): Buffer | undefined {
  const d = k.mm.swap.slots.get(slot);
  if (d) k.mm.events.pswpin++;
  return d?.data;
}

/** swap_duplicate(): fork copied a swap PTE. */
export function swap_duplicate(k: KernelState, slot: number): void {
  const d = k.mm.swap.slots.get(slot);
  if (d) d.refs++;
}

/** swap_free() of one reference; the slot (and its swap charge) go with the last one. */
export function swap_free(k: KernelState, slot: number): void {
  const swap = k.mm.swap;
  const d = swap.slots.get(slot);
  if (!d || --d.refs > 0) return;
  swap.slots.delete(slot);
  swap.freeSlots.push(slot);
  const memcg = k.memcg.get(d.memcgId);
  if (!memcg.isRoot) for (let c: MemCgroup | null = memcg; c; c = c.parent) c.swap.usage--;
}
