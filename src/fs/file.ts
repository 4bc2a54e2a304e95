/** fs/file.c: the open-file table of a thread group. */
import type { KernelState } from '../include/faultpath/kernel_state.js';
import type { FilesStruct, OpenFile } from '../include/linux/fdtable.js';
import type { Task } from '../include/linux/sched.js';

/**
 * current->files: one table per thread group, made on first use with stdin/stdout/stderr open on
 * the terminal (a forked child starts from these too: the model does not dup_fd() the parent's).
 */
export function get_files_struct(k: KernelState, t: Task): FilesStruct {
  let f = k.files.get(t.tgid);
  if (!f) {
    f = new Map([
      [0, { path: '/dev/tty', pos: 0, kind: 'tty', flags: 0 }],
      [1, { path: '/dev/tty', pos: 0, kind: 'tty', flags: 1 }],
      [2, { path: '/dev/tty', pos: 0, kind: 'tty', flags: 1 }],
    ]);
    k.files.set(t.tgid, f);
  }
  return f;
}

/** fdget(): the open file behind `fd`, if any. */
export function fdget(k: KernelState, t: Task, fd: number): OpenFile | undefined {
  return get_files_struct(k, t).get(fd);
}
