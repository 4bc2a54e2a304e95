/**
 * cgroup core (kernel/cgroup/cgroup.c) for the one controller the model has, memory, on the
 * unified hierarchy mounted at /sys/fs/cgroup: mkdir/rmdir, the core interface files
 * (cgroup_base_files[]: cgroup.procs, cgroup.subtree_control, cgroup.controllers), migrating a
 * process on a cgroup.procs write, /proc/<pid>/cgroup, and opening a cgroup's interface file
 * from its cftype (the controller's files are in src/mm/memcontrol.ts).
 */
import type { KernelState } from '../../include/faultpath/kernel_state.js';
import { CFTYPE_NOT_ON_ROOT, CFTYPE_ONLY_ON_ROOT, type CfType } from '../../include/linux/cgroup-defs.js';
import type { VirtualFile } from '../../include/linux/fs.js';
import type { Task } from '../../include/linux/sched.js';
import { EBUSY, EINVAL, ENOENT, ESRCH } from '../../include/uapi/asm-generic/errno.js';
import type { MemCgroup } from '../../include/linux/memcontrol.js';
import { mem_cgroup_legacy_files, memory_files, swap_files } from '../../mm/memcontrol.js';

type CgroupCfType = CfType<MemCgroup, KernelState>;

// ------------------------------------------------------------------ directories

/**
 * cgroup_mkdir(): creates the cgroup at path, and missing ancestors too (like `mkdir -p`, which
 * is how the model's callers use it); an existing cgroup is returned as it is.
 */
export function cgroup_mkdir(k: KernelState, path: string): MemCgroup {
  let m = k.memcg.root;
  for (const name of path.split('/').filter(Boolean)) {
    if (!/^[A-Za-z0-9_.:-]+$/.test(name)) throw new Error(`invalid cgroup name '${name}'`);
    let c = m.children.find((x) => x.name === name && !x.removed);
    if (!c) {
      c = k.memcg.css_alloc(name, m);
      m.children.push(c);
    }
    m = c;
  }
  return m;
}

/** cgroup_rmdir(): only an empty cgroup without children goes (-EBUSY otherwise). */
export function cgroup_rmdir(k: KernelState, path: string): void {
  const m = k.memcg.lookup(path);
  if (!m || m.isRoot) throw Object.assign(new Error(`no such cgroup ${path}`), { errno: ENOENT });
  if (m.procs.size || m.children.some((c) => !c.removed))
    throw Object.assign(new Error(`cgroup ${path} is busy`), { errno: EBUSY });
  m.removed = true;
  m.parent!.children.splice(m.parent!.children.indexOf(m), 1);
}

// ------------------------------------------------------------------ migration

/**
 * cgroup_migrate_vet_dst(): cgroup v2 "no internal processes" — a non-root cgroup that enables
 * controllers for (live) children refuses processes.
 */
function cgroup_migrate_vet_dst(dst: MemCgroup): number {
  if (dst.subtreeControl.size && dst.children.some((c) => !c.removed) && !dst.isRoot) return -EBUSY;
  return 0;
}

/** cgroup_attach_task(): moves a whole thread group to dst (charges stay, v2 semantics). */
export function cgroup_attach_task(k: KernelState, dst: MemCgroup, leader: Task): void {
  for (const o of k.sched.tasks.values()) {
    if (o.tgid !== leader.tgid) continue;
    k.memcg.get(o.memcgId).procs.delete(o.pid);
    o.memcgId = dst.id;
    if (o.state !== 'Z' && o.state !== 'X') dst.procs.add(o.pid);
  }
}

// ------------------------------------------------------------------ cgroup_base_files[]

function cgroup_procs_show(_k: KernelState, cgrp: MemCgroup): string {
  return [...cgrp.procs]
    .sort((a, b) => a - b)
    .map((p) => `${p}\n`)
    .join('');
}

/** cgroup_procs_write(): cgroup_procs_write_start() finds the task, then vet and attach. */
function cgroup_procs_write(k: KernelState, dst: MemCgroup, buf: string): number {
  const t = k.sched.tasks.get(Number(buf.trim()));
  if (!t || t.state === 'Z' || t.state === 'X') return -ESRCH;
  const r = cgroup_migrate_vet_dst(dst);
  if (r < 0) return r;
  cgroup_attach_task(k, dst, t);
  return buf.length;
}

function cgroup_subtree_control_show(_k: KernelState, cgrp: MemCgroup): string {
  return [...cgrp.subtreeControl].join(' ') + '\n';
}

/** cgroup_subtree_control_write(): "+memory" / "-memory" tokens; any other is -EINVAL. */
function cgroup_subtree_control_write(_k: KernelState, cgrp: MemCgroup, buf: string): number {
  for (const w of buf.trim().split(/\s+/)) {
    if (w === '+memory') cgrp.subtreeControl.add('memory');
    else if (w === '-memory') cgrp.subtreeControl.delete('memory');
    else if (w) return -EINVAL;
  }
  return buf.length;
}

/** cgroup_controllers_show(): the controllers the parent enables here (the root has them all). */
function cgroup_controllers_show(_k: KernelState, cgrp: MemCgroup): string {
  return cgrp.isRoot || cgrp.parent!.subtreeControl.has('memory') ? 'memory\n' : '\n';
}

const cgroup_base_files: readonly CgroupCfType[] = [
  { name: 'cgroup.procs', seq_show: cgroup_procs_show, write: cgroup_procs_write },
  { name: 'cgroup.controllers', seq_show: cgroup_controllers_show },
  { name: 'cgroup.subtree_control', seq_show: cgroup_subtree_control_show, write: cgroup_subtree_control_write },
];

/** The memory controller's files as memory_cgrp_subsys registers them (dfl + legacy cftypes). */
const memory_cgrp_files: readonly CgroupCfType[] = [...memory_files, ...swap_files, ...mem_cgroup_legacy_files];

// ------------------------------------------------------------------ files

/** /proc/<pid>/cgroup: proc_cgroup_show() for the unified hierarchy. */
export function proc_cgroup_show(k: KernelState, t: Task): string {
  return `0::${k.memcg.get(t.memcgId).path}\n`;
}

/** Whether cgroup_addrm_files() created this cftype's file in cgrp. */
function cgroup_has_file(k: KernelState, cgrp: MemCgroup, cft: CgroupCfType): boolean {
  const flags = cft.flags ?? 0;
  if (flags & CFTYPE_NOT_ON_ROOT && cgrp.isRoot) return false;
  if (flags & CFTYPE_ONLY_ON_ROOT && !cgrp.isRoot) return false;
  return cft.present?.(k) ?? true;
}

/**
 * cgroup_file_open(): the open file of one cftype in cgrp — read through seq_show or read_u64
 * ("%llu\n", cgroup_seqfile_show), written through cgroup_file_write().
 */
function cgroup_file_open(k: KernelState, cgrp: MemCgroup, cft: CgroupCfType): VirtualFile {
  const read = (): string => {
    if (cft.seq_show) return cft.seq_show(k, cgrp);
    return `${cft.read_u64!(k, cgrp, cft)}\n`;
  };
  const write = cft.write;
  return write ? { read, write: (buf) => write(k, cgrp, buf) } : { read };
}

/**
 * kernfs lookup under the cgroup2 mount (kernfs_iop_lookup over the directories cgroup_mkdir
 * made): "/<cgroup path>/<file>" → the open file, or undefined.  Memory controller files carry
 * the "memory." prefix of cgroup_file_name().
 */
export function cgroup_kn_lookup(k: KernelState, path: string): VirtualFile | undefined {
  const m = /^((?:\/[^/]+)*)\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  const cgrp = k.memcg.lookup(m[1] || '/');
  if (!cgrp) return undefined;
  const name = m[2]!;
  const cft =
    cgroup_base_files.find((c) => c.name === name) ??
    (name.startsWith('memory.') ? memory_cgrp_files.find((c) => `memory.${c.name}` === name) : undefined);
  if (!cft || !cgroup_has_file(k, cgrp, cft)) return undefined;
  return cgroup_file_open(k, cgrp, cft);
}
