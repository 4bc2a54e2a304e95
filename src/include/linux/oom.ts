/** struct oom_control and enum oom_constraint (include/linux/oom.h). */
import type { MemCgroup } from './memcontrol.js';
import type { Task } from './sched.js';

export type Constraint = 'CONSTRAINT_NONE' | 'CONSTRAINT_CPUSET' | 'CONSTRAINT_MEMORY_POLICY' | 'CONSTRAINT_MEMCG';

export interface OomControl {
  memcg: MemCgroup | null;
  gfp: number;
  /** -1 = sysrq-f (moom_callback) */
  order: number;
  nodemask: null;
  totalpages: number;
  constraint: Constraint;
  /** null = nothing chosen, 'abort' = -1 (a victim is already dying) */
  chosen: Task | null | 'abort';
  chosenPoints: number;
}

/** What a caller of out_of_memory() fills in; the rest is out_of_memory()'s working state. */
export type OomControlArgs = Omit<OomControl, 'chosen' | 'totalpages' | 'constraint' | 'chosenPoints'> & {
  inline?: boolean;
};
