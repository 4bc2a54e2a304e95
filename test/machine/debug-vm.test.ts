/**
 * The debug_vm checker itself: clean on a consistent machine, and each invariant family
 * catches a deliberately injected inconsistency (restored afterwards); enableDebugVm hooks
 * faults, exits and onProgress on both arches without changing what the machine does.
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/mm/debug_vm.js';
import { Lru, PageKind } from '../../src/include/linux/mmzone.js';
import type { Task } from '../../src/include/linux/sched.js';
import type { Machine } from '../../src/machine/machine.js';
import { a64, cgroup, machine, onMarker, TOUCH_SLEEP_A64, x64 } from '../helpers/vm.js';
import { get_swap_page } from '../../src/mm/swapfile.js';
import { swap_free } from '../../src/mm/swapfile.js';
import { filename_lookup } from '../../src/fs/namei.js';

const PROG = `
  mov x19, #8
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #1
  touch_w x23, x19
  marker 1
  exit_group 0
`;

/** Runs PROG in /g and calls fn at the marker (after a clean check). */
async function atMarker(fn: (m: Machine, t: Task, region: number) => void) {
  const { m, dv } = machine({ arch: 'aarch64', memBytes: 64 << 20, swapBytes: 4 << 20 });
  m.addProgram('/prog/p', await a64(PROG));
  cgroup(m, 'g');
  let ran = false;
  onMarker(m, (t) => {
    expect(checkInvariants(m.k)).toEqual([]);
    fn(m, t, Number(t.mm!.cpu.reg('x23')));
    ran = true;
  });
  m.spawn({ path: '/prog/p', cgroup: 'g' });
  expect(m.run().kind).toBe('exited');
  expect(ran).toBe(true);
  return { m, dv };
}

const ids = (msgs: string[]): string[] => [...new Set(msgs.map((x) => /^\[([^\]]+)\]/.exec(x)![1]!))].sort();

describe('checkInvariants', () => {
  it('is clean on a booted machine, during a run and after every process exited', async () => {
    const { m, dv } = await atMarker(() => {});
    expect(checkInvariants(m.k)).toEqual([]);
    expect(dv.violations).toEqual([]);
    expect(dv.faultChecks).toBeGreaterThan(5);
    expect(dv.exitChecks).toBe(1);
  });

  it('detects each kind of inconsistency (injected, then undone)', async () => {
    await atMarker((m, t, region) => {
      const k = m.k;
      const p = k.phys;
      const mm = t.mm!;
      const pte = mm.pgtable.getPte(region)!;
      const pfn = mm.pgtable.fmt.view(pte[0], pte[1]).pfn;
      const inject = (what: () => () => void): string[] => {
        const undo = what();
        const out = checkInvariants(k);
        undo();
        expect(checkInvariants(k)).toEqual([]);
        return ids(out);
      };
      // mapcount that no PTE explains
      expect(inject(() => (p.mapcount[pfn]!++, () => p.mapcount[pfn]!--))).toEqual(['refcount.anon', 'rmap.mapcount']);
      // rmap entry pointing at the wrong address
      expect(
        inject(() => {
          const e = p.rmap.get(pfn)![0]!;
          e.address += 4096;
          return () => (e.address -= 4096);
        }),
      ).toEqual(['rmap.match']);
      // an RSS counter off by one
      expect(inject(() => (t.rssCache[1]!++, () => t.rssCache[1]!--))).toEqual(['rss.anon']);
      // memcg counter drift
      const g = k.memcg.lookup('g')!;
      expect(inject(() => (g.memory.usage++, () => g.memory.usage--))).toEqual(['memcg.root', 'memcg.usage']);
      expect(inject(() => (g.stat.anon++, () => g.stat.anon--))).toEqual(['memcg.stat.anon']);
      // a leaked anonymous frame (allocated, never mapped, never on an LRU)
      expect(
        inject(() => {
          const leak = p.takeFrame(PageKind.Anon);
          return () => p.freeFrame(leak);
        }),
      ).toEqual(['lru.kind', 'refcount.anon']);
      // a leaked page-table frame
      expect(
        inject(() => {
          const leak = p.takeFrame(PageKind.PageTable);
          return () => p.freeFrame(leak);
        }),
      ).toEqual(['pgtable.leak']);
      // a PTE that maps a free frame
      expect(
        inject(() => {
          const free = p.takeFrame(PageKind.Anon);
          p.freeFrame(free);
          const [lo, hi] = mm.pgtable.fmt.mkPte(free, { write: true, exec: false, dirty: true });
          mm.pgtable.setPte(region, lo, hi);
          return () => mm.pgtable.setPte(region, pte[0], pte[1]);
        }),
      ).toEqual(expect.arrayContaining(['pte.pfn', 'rmap.match']));
      // a swap slot that no PTE references
      expect(
        inject(() => {
          const slot = get_swap_page(k, Buffer.alloc(4096), k.memcg.root.id, 1);
          return () => swap_free(k, slot);
        }),
      ).toEqual(['swap.used']);
      // commit accounting drift
      expect(inject(() => (k.mm.committedAs++, () => k.mm.committedAs--))).toEqual(['commit.total']);
      // a page on the wrong LRU list
      expect(
        inject(() => {
          p.lruAdd(pfn, Lru.InactiveFile);
          return () => p.lruAdd(pfn, Lru.InactiveAnon);
        }),
      ).toEqual(expect.arrayContaining(['lru.kind']));
      // a charged frame naming a memcg that does not exist
      expect(
        inject(() => {
          const old = p.memcg[pfn]!;
          p.memcg[pfn] = 9999;
          return () => (p.memcg[pfn] = old);
        }),
      ).toEqual(expect.arrayContaining(['memcg.exists']));
    });
  });

  it('after all processes exited, a leftover anon frame is reported by the idle checks', async () => {
    const { m } = await atMarker(() => {});
    const p = m.k.phys;
    const leak = p.takeFrame(PageKind.Anon);
    p.lruAdd(leak, Lru.InactiveAnon);
    p.refcount[leak] = 0;
    expect(ids(checkInvariants(m.k))).toEqual(['idle.anon', 'idle.free']);
    p.freeFrame(leak);
    expect(checkInvariants(m.k)).toEqual([]);
  });
});

describe('enableDebugVm', () => {
  it('checks after faults and exits on x86-64 too, and keeps a later onProgress handler working', async () => {
    const { m, dv } = machine({ arch: 'x86_64', memBytes: 64 << 20 });
    m.addProgram(
      '/prog/p',
      await x64(`
  mov edi, 0
  mov rsi, 0x8000
  mov edx, 3
  mov r10d, 0x22
  mov r8, -1
  xor r9d, r9d
  mov eax, 9
  syscall
  mov rcx, 8
1: mov byte ptr [rax], 1
  add rax, 4096
  dec rcx
  jnz 1b
  mov edi, 0
  mov eax, 231
  syscall
`),
    );
    let progress = 0;
    m.sys.onProgress = () => progress++;
    const t = m.spawn({ path: '/prog/p' });
    expect(m.run().kind).toBe('exited');
    expect(t.exitStatus).toBe(0);
    expect(t.minFlt).toBeGreaterThanOrEqual(8);
    // every user fault (text + 8 stores) was checked; exec-time kernel faults are not user faults
    expect(dv.faultChecks).toBeGreaterThanOrEqual(9);
    expect(dv.faultChecks).toBeLessThanOrEqual(t.minFlt + t.majFlt);
    expect(dv.exitChecks).toBe(1);
    expect(progress).toBeGreaterThan(0);
    dv.assertClean();
  });

  it('defers a check for an exit that happens inside a fault (OOM victim exiting from cond_resched)', async () => {
    const { m, dv } = machine({ arch: 'aarch64', memBytes: 64 << 20 });
    m.addProgram('/prog/ts', await a64(TOUCH_SLEEP_A64, 'touch_sleep.S'));
    m.addProgram(
      '/prog/hog',
      await a64(`
  mov x19, #700
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #1
  touch_w x23, x19
  exit_group 0
`),
    );
    cgroup(m, 'g');
    filename_lookup(m.sys.vfs, '/sys/fs/cgroup/g/memory.max', null)!.write!('4M');
    const victim = m.spawn({ path: '/prog/ts', argv: ['/prog/ts', '512', '60'], cgroup: 'g', oomScoreAdj: 1000 });
    const hog = m.spawn({ path: '/prog/hog', cgroup: 'g', oomScoreAdj: -1000 });
    const t0 = Date.now();
    expect(m.run().kind).toBe('exited');
    console.log('defer test', Date.now() - t0, 'ms', dv.checks, JSON.stringify(dv.byTrigger), m.k.sched.clock);
    expect(victim.termSignal).toBe(9);
    expect(hog.exitStatus).toBe(0);
    expect(dv.violations).toEqual([]);
    // the victim exited inside the hog's charge (cond_resched in reclaim): checked after that fault
    expect(dv.byTrigger['exit+fault']).toBe(1);
    expect(dv.exitChecks).toBe(1); // the hog's own exit
  });
});
