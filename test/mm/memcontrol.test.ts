/**
 * src/mm/memcontrol.ts: the charge path of each modeled kernel.  The profile names the entry
 * do_anonymous_page() calls (memcgChargeEntry) and the try_charge loop (memcgTryCharge); the
 * traced frames are those kernel functions, in the kernel's call order.
 */
import { describe, expect, it } from 'vitest';
import { getProfile, type KernelVersion } from '../../src/include/faultpath/profile.js';
import { a64, cgroup, machine } from '../helpers/vm.js';

const CHAINS: Record<KernelVersion, string[]> = {
  '6.1': ['__mem_cgroup_charge', 'charge_memcg', 'try_charge_memcg'],
  '4.19': ['mem_cgroup_try_charge_delay', 'mem_cgroup_try_charge', 'try_charge'],
  '3.12': ['mem_cgroup_newpage_charge', 'mem_cgroup_charge_common', '__mem_cgroup_try_charge'],
};

const TOUCH_ONE = `
  mov x19, #1
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #1
  touch_w x23, x19
  exit_group 0
`;

describe('memcg charge chain per profile', () => {
  for (const kernel of ['6.1', '4.19', '3.12'] as const) {
    it(`${kernel}: ${CHAINS[kernel].join(' → ')}`, async () => {
      const p = getProfile(kernel);
      expect(p.memcgChargeEntry).toBe(CHAINS[kernel][0]);
      expect(p.memcgTryCharge).toBe(CHAINS[kernel][2]);
      const { m } = machine({ arch: 'aarch64', kernel, trace: true });
      m.addProgram('/prog/touch', await a64(TOUCH_ONE, 'touch.S'));
      cgroup(m, 'g');
      m.spawn({ path: '/prog/touch', cgroup: 'g' });
      expect(m.run().kind).toBe('exited');
      const enters = m.tracer.events.flatMap((e) => (e.kind === 'enter' ? [e.fn] : []));
      const at = enters.indexOf(CHAINS[kernel][0]!);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(enters.slice(at, at + 3)).toEqual(CHAINS[kernel]);
      // No other version's charge frames appear.
      const others = Object.entries(CHAINS).flatMap(([v, c]) => (v === kernel ? [] : c));
      expect(enters.filter((f) => others.includes(f) && !CHAINS[kernel].includes(f))).toEqual([]);
      m.close();
    });
  }
});
