/**
 * Synthetic traces for the formatter tests, recorded through the real Tracer so the events have
 * exactly the shape the kernel model produces (e.g. `args: undefined` keys, `noinstr: true`).
 *
 * mixedTrace(): on an arm64 6.1 guest,
 *   prog-123   an ordinary anonymous write fault (el0t_64_sync … do_anonymous_page → 0)
 *   other-124  (after a sched_switch) a brk() syscall and an ordinary fault of its own
 *   prog-123   (switched back) a memcg-limited fault that ends in the memcg OOM killer:
 *              try_charge_memcg fails → reclaim → mem_cgroup_out_of_memory → oom_kill_process
 *              (oom decision, printk report, SIGKILL, oom:mark_victim) → VM_FAULT_OOM
 *   oom_reaper-45 on CPU 1 reaps the victim (oom:start_task_reaping / finish_task_reaping)
 */
import type { ArgValue, TraceEvent } from '../../src/trace/events.js';
import { Tracer } from '../../src/trace/tracer.js';
import type { ModeledFunction } from '../../src/trace/functions.js';

export class Sim {
  t: number;
  pid = 0;
  comm = 'swapper/0';
  cpu = 0;
  readonly tracer = new Tracer(true);
  private cpuMarks: [number, number][] = [];

  constructor(start = 5_000_000_000) {
    this.t = start;
    this.tracer.setContext({ now: () => this.t, pid: () => this.pid, comm: () => this.comm });
  }

  run(pid: number, comm: string, cpu = 0): void {
    this.pid = pid;
    this.comm = comm;
    if (cpu !== this.cpu) this.cpuMarks.push([this.tracer.events.length, cpu]);
    this.cpu = cpu;
  }

  step(ns: number): void {
    this.t += ns;
  }

  /** A modeled call: entry, `cost/2` ns, the body, `cost/2` ns, return. */
  fn(name: string, cost: number, body?: () => string | undefined | void, args?: Record<string, ArgValue>): void {
    // formatter tests use synthetic frame names; the model's own names are ModeledFunction
    this.tracer.enter(name as ModeledFunction, args);
    this.t += Math.floor(cost / 2);
    const r = body ? body() : undefined;
    this.t += cost - Math.floor(cost / 2);
    this.tracer.exit(name as ModeledFunction, typeof r === 'string' ? r : undefined);
  }

  /** A leaf call that returns `ret`. */
  leaf(name: string, cost: number, ret?: string, args?: Record<string, ArgValue>): void {
    this.fn(name, cost, () => ret, args);
  }

  /** The recorded events, with the CPU of each stretch applied (the Tracer always records 0). */
  events(): TraceEvent[] {
    const evs = this.tracer.events.map((e) => ({ ...e }));
    const marks = [...this.cpuMarks, [evs.length, -1] as [number, number]];
    let cpu = 0;
    let from = 0;
    for (const [at, next] of marks) {
      for (let i = from; i < at; i++) evs[i]!.cpu = cpu;
      from = at;
      cpu = next;
    }
    return evs;
  }
}

const ESR = '0x92000047';

/** The arm64 6.1 user-fault entry path around `handler` (el0t_64_sync → … → do_page_fault). */
export function arm64Fault(sim: Sim, address: string, handler: () => string): void {
  sim.tracer.emit('exception', {
    arch: 'aarch64',
    vector: 'el0_da',
    address,
    pc: '0x0000aaaac0000a2c',
    esr: ESR,
    decoded: 'DABT (lower EL), WnR=1, level 3 translation fault',
  });
  sim.step(40);
  sim.fn('el0t_64_sync', 90, () => {
    sim.fn('el0t_64_sync_handler', 70, () => {
      sim.fn(
        'el0_da',
        60,
        () => {
          sim.fn(
            'do_mem_abort',
            50,
            () => {
              sim.fn(
                'do_translation_fault',
                40,
                () => {
                  // arm64 do_page_fault() handles VM_FAULT_OOM itself and returns 0
                  sim.fn(
                    'do_page_fault',
                    180,
                    () => {
                      sim.leaf('lock_mm_and_find_vma', 310, '0xffff000002d1e3c0');
                      handler();
                      sim.leaf('mmap_read_unlock', 95);
                      return '0';
                    },
                    { far: address, esr: ESR },
                  );
                  return '0';
                },
                { far: address, esr: ESR },
              );
            },
            { far: address, esr: ESR },
          );
        },
        { far: address, esr: ESR },
      );
    });
  });
}

/** handle_mm_fault → … → do_anonymous_page, with `charge` deciding the memcg outcome. */
function anonFault(sim: Sim, address: string, charge: () => string): string {
  let ret = '0';
  sim.fn(
    'handle_mm_fault',
    120,
    () => {
      sim.fn('__handle_mm_fault', 110, () => {
        sim.fn('handle_pte_fault', 100, () => {
          sim.fn('do_anonymous_page', 250, () => {
            sim.fn(
              '__alloc_pages',
              900,
              () => {
                sim.tracer.emit('alloc', { pfn: 0x4a3c1, order: 0, gfp: 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO', ok: true });
                return '0xfffffc00012a7040';
              },
              { gfp_mask: '0x140dca', order: 0 },
            );
            const c = charge();
            if (c !== '0') {
              ret = 'VM_FAULT_OOM';
              sim.leaf('folio_put', 210);
              return ret;
            }
            sim.leaf('set_pte_at', 130);
            sim.tracer.emit('pte', {
              address,
              level: 3,
              old: '0x0',
              new: '0x00e800004a3c1f43',
              why: 'do_anonymous_page',
            });
            return '0';
          });
          return ret;
        });
        return ret;
      });
      return ret;
    },
    { address, flags: '0x255' },
  );
  return ret;
}

function okCharge(sim: Sim, usage: number): () => string {
  return () => {
    sim.fn(
      '__mem_cgroup_charge',
      160,
      () => {
        sim.fn(
          'try_charge_memcg',
          140,
          () => {
            sim.tracer.emit('charge', { memcg: '/sys/fs/cgroup/job', pages: 1, ok: true, usage, max: 4096 });
            return '0';
          },
          { nr_pages: 1 },
        );
        return '0';
      },
      { memcg: '/sys/fs/cgroup/job' },
    );
    return '0';
  };
}

function oomCharge(sim: Sim): () => string {
  return () => {
    sim.fn(
      '__mem_cgroup_charge',
      160,
      () => {
        sim.fn(
          'try_charge_memcg',
          140,
          () => {
            sim.tracer.emit('charge', { memcg: '/sys/fs/cgroup/job', pages: 1, ok: false, usage: 4096, max: 4096 });
            sim.fn(
              'try_to_free_mem_cgroup_pages',
              48_000,
              () => {
                sim.tracer.emit('reclaim', { scope: '/sys/fs/cgroup/job', nrToReclaim: 32, nrReclaimed: 0 });
                return '0';
              },
              { nr_pages: 1 },
            );
            sim.fn(
              'mem_cgroup_out_of_memory',
              300,
              () => {
                sim.fn('out_of_memory', 400, () => {
                  sim.tracer.emit('oom', {
                    constraint: 'CONSTRAINT_MEMCG',
                    totalpages: 4096,
                    candidates: [
                      {
                        pid: 123,
                        comm: 'prog',
                        rssAnon: 4090,
                        rssFile: 2,
                        rssShmem: 0,
                        swapents: 0,
                        pgtablesPages: 12,
                        oomScoreAdj: 0,
                        adjPoints: 0,
                        points: 4104,
                      },
                      {
                        pid: 124,
                        comm: 'other',
                        rssAnon: 3,
                        rssFile: 1,
                        rssShmem: 0,
                        swapents: 0,
                        pgtablesPages: 4,
                        oomScoreAdj: -1000,
                        adjPoints: -1000,
                        points: null,
                        excluded: 'OOM_SCORE_ADJ_MIN',
                      },
                    ],
                    victim: 123,
                    rule: 'largest badness (4104)',
                  });
                  sim.fn('oom_kill_process', 1_250_000, () => {
                    sim.tracer.emit('printk', {
                      level: 3,
                      text: 'Memory cgroup out of memory: Killed process 123 (prog) total-vm:16640kB, anon-rss:16360kB, file-rss:8kB, shmem-rss:0kB, UID:0 pgtables:48kB oom_score_adj:0\n',
                    });
                    sim.fn('__oom_kill_process', 900, () => {
                      sim.tracer.emit('signal', { sig: 9, name: 'SIGKILL', code: 'SI_KERNEL', target: 123 });
                      sim.tracer.emit('tracepoint', {
                        system: 'oom',
                        name: 'mark_victim',
                        fields: { pid: 123 },
                        text: 'pid=123',
                      });
                    });
                  });
                  return 'true';
                });
                return 'true';
              },
              { memcg: '/sys/fs/cgroup/job', order: 0 },
            );
            return '-ENOMEM';
          },
          { nr_pages: 1 },
        );
        return '-ENOMEM';
      },
      { memcg: '/sys/fs/cgroup/job' },
    );
    return '-ENOMEM';
  };
}

export function mixedTrace(): TraceEvent[] {
  const sim = new Sim();
  sim.run(123, 'prog');
  arm64Fault(sim, '0x0000aaaad0001008', () => anonFault(sim, '0x0000aaaad0001008', okCharge(sim, 4095)));
  sim.step(12_000);

  sim.tracer.emit('sched_switch', { prevPid: 123, prevState: 'R+', nextPid: 124, nextComm: 'other' });
  sim.run(124, 'other');
  sim.step(3_000);
  sim.tracer.emit('syscall', { nr: 214, name: 'brk', args: ['0x0'], ret: '0xaaaae0000000' });
  sim.step(2_000);
  arm64Fault(sim, '0x0000aaaae0000010', () => anonFault(sim, '0x0000aaaae0000010', okCharge(sim, 4096)));
  sim.step(5_000);

  sim.tracer.emit('sched_switch', { prevPid: 124, prevState: 'S', nextPid: 123, nextComm: 'prog' });
  sim.run(123, 'prog');
  sim.step(1_000);
  arm64Fault(sim, '0x0000aaaad0002008', () => {
    const r = anonFault(sim, '0x0000aaaad0002008', oomCharge(sim));
    if (r === 'VM_FAULT_OOM') sim.leaf('pagefault_out_of_memory', 220);
    return r;
  });

  sim.step(2_000_000_000);
  sim.run(45, 'oom_reaper', 1);
  sim.tracer.emit('tracepoint', { system: 'oom', name: 'start_task_reaping', fields: { pid: 123 }, text: 'pid=123' });
  sim.fn('oom_reap_task_mm', 35_000, () => {
    sim.leaf('unmap_page_range', 31_000);
  });
  sim.tracer.emit('tracepoint', {
    system: 'oom',
    name: 'finish_task_reaping',
    fields: { pid: 123 },
    text: 'pid=123',
  });
  sim.tracer.emit('printk', {
    level: 6,
    text: 'oom_reaper: reaped process 123 (prog), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB',
  });
  return sim.events();
}

/** Nested calls whose durations cross every overhead-marker threshold of trace_find_mark(). */
export function markerTrace(): TraceEvent[] {
  const sim = new Sim(1_000);
  sim.run(7, 'marks');
  sim.fn('outer', 100, () => {
    for (const [name, ns] of [
      ['d_10us', 10_000],
      ['d_plus', 10_001],
      ['d_bang', 150_000],
      ['d_hash', 1_500_000],
      ['d_star', 15_000_000],
      ['d_at', 150_000_000],
      ['d_dollar', 1_500_000_000],
    ] as const) {
      sim.leaf(name, ns);
    }
  });
  return sim.events();
}
