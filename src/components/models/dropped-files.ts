/**
 * The files a user dropped or chose, each with its path relative to what was given: a dropped or
 * chosen folder keeps its structure (a converted model often keeps its shards in a sub-folder that
 * its model.json names), loose files are bare names. The engine resolves manifest paths against
 * these (engine/validate/weight-paths.ts).
 */
export interface GivenFile {
  file: File;
  /** Relative path, '/'-separated; the file's name for loose files. */
  path: string;
}

/** At most this many files are collected from dropped folders (a model has a handful). */
const MAX_FILES = 512;

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: GivenFile[]): Promise<void> {
  if (out.length >= MAX_FILES) return;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path: prefix + entry.name });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches (100 in Chromium) until it answers an empty one.
  for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader)) {
    for (const e of batch) await walk(e, `${prefix}${entry.name}/`, out);
  }
}

/** Dropped items: folders walked through the entries API where the browser has it. */
export async function droppedFiles(dt: DataTransfer): Promise<GivenFile[]> {
  const entries = [...dt.items].map((i) => (i.kind === 'file' && typeof i.webkitGetAsEntry === 'function' ? i.webkitGetAsEntry() : null));
  if (entries.length === 0 || entries.some((e) => e === null)) return chosenFiles(dt.files);
  const out: GivenFile[] = [];
  for (const e of entries) await walk(e!, '', out);
  return out;
}

/** Files from an <input type=file>; with `webkitdirectory` each carries its path in the folder. */
export function chosenFiles(list: FileList | null): GivenFile[] {
  return [...(list ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}
