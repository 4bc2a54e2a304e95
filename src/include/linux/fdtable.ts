/** struct files_struct / struct file as the model keeps them (include/linux/fdtable.h, fs.h). */

/** An open file: its path, f_pos, what backs it, and the open flags (O_ACCMODE in the low bits). */
export interface OpenFile {
  path: string;
  pos: number;
  kind: 'tty' | 'virtual';
  flags: number;
}

/** files_struct: fd → open file. */
export type FilesStruct = Map<number, OpenFile>;
