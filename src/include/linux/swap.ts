/** The reclaim request (the parts of struct scan_control, mm/vmscan.c, a caller chooses). */
import type { MemCgroup } from './memcontrol.js';

export interface ReclaimScope {
  /** null = global reclaim */
  memcg: MemCgroup | null;
  gfp: number;
  maySwap: boolean;
}
