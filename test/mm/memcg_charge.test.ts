/**
 * try_charge retry accounting (kernel-reference §6.1, §6.5) for a single anonymous hog in a
 * memcg with memory.max = 8M and no swap, per profile:
 *
 *  6.1 (try_charge_memcg: batch 64, MAX_RECLAIM_RETRIES 16): the counter reaches the limit in
 *  whole batches; the failing charge fails once with the batch and once per reclaim round: one
 *  round before drain_all_stock, then nr_retries 16..0 → 18 rounds (18 MEMCG_MAX events,
 *  failcnt 19 when the OOM report is printed).  mem_cgroup_oom kills the hog (current) and
 *  resets nr_retries; the dying hog retries 17 more rounds before `passed_oom && task_is_dying()`
 *  gives up: memory.events max 35, final failcnt 36 (real 6.1 values: failcnt 19, max 35).
 *
 *  4.19 (try_charge: batch 32, MEM_CGROUP_RECLAIM_RETRIES 5): 1 + 5 + 1 = 7 reclaim rounds
 *  (max 7, failcnt 8 in the report), MEMCG_OOM raised in try_charge, OOM_SUCCESS → retry, the
 *  victim (current) then fails once more (failcnt 9) and is forced through.  Events stay local.
 */
import { describe, expect, it } from 'vitest';
import { a64, cgRead, cgroup, cgWrite, dmesg, kb, kv, machine, onMarker, proc, x64 } from '../helpers/vm.js';
import { filename_lookup } from '../../src/fs/namei.js';

const HOG_A64 = `
  mov x19, #16384
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #1
  touch_w x23, x19
  exit_group 0
`;
const HOG_X64 = `
  mov edi, 0
  mov rsi, 0x4000000
  mov edx, 3
  mov r10d, 0x22
  mov r8, -1
  xor r9d, r9d
  mov eax, 9
  syscall
  mov rcx, 16384
1: mov byte ptr [rax], 1
  add rax, 4096
  dec rcx
  jnz 1b
  mov edi, 0
  mov eax, 231
  syscall
`;

async function hog(arch: 'aarch64' | 'x86_64', kernel: string, path: string) {
  const elf = arch === 'aarch64' ? await a64(HOG_A64, 'hog.S') : await x64(HOG_X64, 'hog.S');
  const { m, dv } = machine({ arch, kernel, memBytes: 256 << 20 }, { everyNthFault: 128 });
  m.addProgram('/prog/hog', elf);
  cgroup(m, path);
  expect(cgWrite(m, path, 'memory.max', '8M')).toBeGreaterThan(0);
  const t = m.spawn({ path: '/prog/hog', cgroup: path });
  const end = m.run();
  const report = dmesg(m).find((l) => l.startsWith('memory: usage'));
  return { m, dv, t, end, report, memcg: m.k.memcg.lookup(path)! };
}

describe('memcg try_charge retries of a single hog at memory.max=8M', () => {
  for (const arch of ['aarch64', 'x86_64'] as const) {
    it(`6.1 ${arch}: failcnt 19 in the OOM report, memory.events max 35`, async () => {
      const { dv, t, end, report, memcg, m } = await hog(arch, '6.1', 'g');
      expect(end.kind).toBe('exited');
      expect(t.termSignal).toBe(9);
      expect(report).toBe('memory: usage 8192kB, limit 8192kB, failcnt 19');
      expect(kv(cgRead(m, 'g', 'memory.events'))).toEqual({
        low: 0,
        high: 0,
        max: 35,
        oom: 1,
        oom_kill: 1,
        oom_group_kill: 0,
      });
      expect(memcg.memory.failcnt).toBe(36);
      expect(dmesg(m).filter((l) => l.includes('invoked oom-killer'))).toHaveLength(1);
      dv.assertClean();
      expect(dv.check('end')).toEqual([]);
    });

    it(`4.19 ${arch}: MEM_CGROUP_RECLAIM_RETRIES=5 → max 7, failcnt 8 in the report, 9 after the forced charge`, async () => {
      const { dv, t, end, report, memcg, m } = await hog(arch, '4.19', 'g');
      expect(end.kind).toBe('exited');
      expect(t.termSignal).toBe(9);
      expect(report).toBe('memory: usage 8192kB, limit 8192kB, failcnt 8');
      // 4.19 has no oom_group_kill line
      expect(kv(cgRead(m, 'g', 'memory.events'))).toEqual({ low: 0, high: 0, max: 7, oom: 1, oom_kill: 1 });
      expect(memcg.memory.failcnt).toBe(9);
      dv.assertClean();
    });
  }

  it('6.1 propagates memory.events to ancestors, 4.19 keeps them local (hog in /a/b)', async () => {
    const r61 = await hog('aarch64', '6.1', 'a/b');
    expect(kv(cgRead(r61.m, 'a/b', 'memory.events')).max).toBe(35);
    expect(kv(cgRead(r61.m, 'a', 'memory.events'))).toMatchObject({ max: 35, oom: 1, oom_kill: 1 });
    expect(kv(cgRead(r61.m, 'a', 'memory.events.local'))).toMatchObject({ max: 0, oom: 0, oom_kill: 0 });
    const r419 = await hog('aarch64', '4.19', 'a/b');
    expect(kv(cgRead(r419.m, 'a/b', 'memory.events'))).toMatchObject({ max: 7, oom: 1, oom_kill: 1 });
    expect(kv(cgRead(r419.m, 'a', 'memory.events'))).toMatchObject({ max: 0, oom: 0, oom_kill: 0 });
    expect(filename_lookup(r419.m.sys.vfs, '/sys/fs/cgroup/a/memory.events.local', null)).toBeUndefined();
  });
});

describe('memcg charge batch (per-CPU stock refill)', () => {
  for (const [kernel, batch] of [
    ['6.1', 64],
    ['4.19', 32],
  ] as const) {
    it(`${kernel}: memory.current grows in batches of ${batch} pages while below the limit`, async () => {
      const elf = await a64(`
  mov x19, #100
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #1
  mov x20, #1
  touch_w x23, x20
  marker 1
  touch_w x23, x19
  marker 2
  exit_group 0
`);
      const { m, dv } = machine({ arch: 'aarch64', kernel, memBytes: 64 << 20 });
      m.addProgram('/prog/b', elf);
      cgroup(m, 'g');
      const cur: number[] = [];
      const stockAt: number[] = [];
      const pte: number[] = [];
      onMarker(m, (t) => {
        cur.push(Number(cgRead(m, 'g', 'memory.current')) / 4096);
        stockAt.push(m.k.memcg.stock.nrPages);
        pte.push(kb(proc(m, t.pid, 'status')).VmPTE! / 4);
        // usage = charged pages + stock: the stock holds the rest of the last batch
        expect(dv.check('marker')).toEqual([]);
        const stock = m.k.memcg.stock;
        expect(stock.memcg?.path).toBe('/g');
        expect(stock.nrPages).toBeLessThan(batch);
      });
      m.spawn({ path: '/prog/b', cgroup: 'g' });
      expect(m.run().kind).toBe('exited');
      expect(cur).toHaveLength(2);
      for (const c of cur) expect(c % batch).toBe(0);
      // 99 more anon pages (+ any new page-table page), taken from the stock first
      const need = 99 + (pte[1]! - pte[0]!) - stockAt[0]!;
      expect(cur[1]! - cur[0]!).toBe(batch * Math.ceil(need / batch));
      expect(stockAt[1]).toBe(cur[1]! - cur[0]! - need);
      dv.assertClean();
    });
  }
});
