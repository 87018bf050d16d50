/**
 * HDF5 reading for Keras files, through jsfive (a maintained pure-JavaScript HDF5 reader, from
 * pyfive). Chosen over h5wasm after measuring both (docs/STUDIO.md, "Bring your own model"): 193 KB of ES module
 * against h5wasm's 4.1 MB (wasm inlined), no wasm start-up (h5wasm: 0.7 s), reads straight from
 * an ArrayBuffer (h5wasm copies into its virtual file system first), and faster at the studio's
 * model sizes (12 MB of weights: 0.4 s against 1.3 s, measured under load); both run in Node, a
 * Worker and under the studio's CSP. jsfive returns plain arrays, which cost memory past ~100 MB,
 * beyond TinyML sizes. Every jsfive error (it throws strings too) becomes a StudioError naming the
 * file and the object.
 */
import { Dataset, File, Group } from 'jsfive';
import { StudioError } from '../../errors';

export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** The HDF5 signature at offset 0 or at a user-block boundary (512, 1024, 2048). */
export function isHdf5(bytes: Uint8Array): boolean {
  return [0, 512, 1024, 2048].some((at) => bytes.length >= at + 8 && HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b));
}

function fail(file: string, what: string, e: unknown): never {
  if (e instanceof StudioError) throw e;
  const why = e instanceof Error ? e.message : String(e);
  throw new StudioError('bad-model', `${file}: ${what} (${why.slice(0, 160)}); the HDF5 file is truncated or damaged.`, { fileName: file });
}

export class Hdf5 {
  private readonly root: File;

  constructor(
    bytes: Uint8Array,
    readonly file: string,
  ) {
    if (!isHdf5(bytes)) throw new StudioError('bad-model', `${file} is not an HDF5 file (no HDF5 signature).`, { fileName: file });
    const buf = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
    try {
      this.root = new File(buf, file);
    } catch (e) {
      fail(file, 'the HDF5 superblock cannot be read', e);
    }
  }

  /** The group or dataset at `path`, or undefined when there is none. */
  find(path: string): Group | Dataset | undefined {
    try {
      const keys = this.root.keys;
      if (!keys) return undefined;
      return (this.root.get(path) ?? undefined) as Group | Dataset | undefined;
    } catch (e) {
      if (typeof e === 'string' && /not found in group/.test(e)) return undefined;
      return fail(this.file, `"${path}" cannot be read`, e);
    }
  }

  group(path: string): Group | undefined {
    const g = this.find(path);
    return g instanceof Group ? g : undefined;
  }

  keys(path: string): string[] {
    const g = path === '' ? this.root : this.group(path);
    try {
      return g ? g.keys : [];
    } catch (e) {
      return fail(this.file, `the members of "${path}" cannot be read`, e);
    }
  }

  /** An attribute of the root (path '') or of a group, as read (strings, arrays). */
  attr(path: string, key: string): unknown {
    const g = path === '' ? this.root : this.find(path);
    if (!g) return undefined;
    try {
      return g.attrs[key];
    } catch (e) {
      return fail(this.file, `the attributes of "${path || '/'}" cannot be read`, e);
    }
  }

  /**
   * A float dataset as float32 with its shape. `expected` (the shape the model's layer needs) is
   * checked against the dataset's declared shape before any value is read: a chunked, compressed
   * dataset can declare gigabytes in a few kilobytes, and jsfive would inflate it all.
   */
  floats(path: string, expected?: readonly number[]): { shape: number[]; values: Float32Array } {
    const d = this.find(path);
    if (!(d instanceof Dataset)) throw new StudioError('bad-model', `${this.file}: the weight dataset "${path}" is missing.`, { fileName: this.file, expected: path });
    let declared: number[];
    try {
      declared = [...d.shape];
    } catch (e) {
      return fail(this.file, `the shape of "${path}" cannot be read`, e);
    }
    if (expected && declared.join() !== expected.join())
      throw new StudioError('bad-model', `${this.file}: the weight dataset "${path}" has shape [${declared.join(', ')}]; its layer needs [${expected.join(', ')}].`, { fileName: this.file, expected, found: declared });
    try {
      const shape = declared;
      const values = Float32Array.from(d.value);
      if (values.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`${values.length} values for shape [${shape.join(', ')}]`);
      return { shape, values };
    } catch (e) {
      return fail(this.file, `the dataset "${path}" cannot be read`, e);
    }
  }
}

/** An attribute that holds text (h5py writes str as variable-length strings; older files as bytes). */
export function attrText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.replace(/\0+$/, '');
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v) && v.length === 1) return attrText(v[0]);
  return undefined;
}

/** An attribute that holds a list of names (layer_names, weight_names). */
export function attrNames(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : ArrayBuffer.isView(v) ? [] : [v];
  // Fixed-length strings come NUL-padded.
  return list.map((x) => (attrText(x) ?? String(x)).replace(/\0+$/, ''));
}
