/**
 * A model file as a C header/source pair, in the style of `xxd -i` (12 bytes per line, lower-case
 * hex), the way TensorFlow Lite Micro projects embed their model:
 *
 *   // model_int8.h
 *   extern const unsigned char model_tflite[];
 *   extern const unsigned int model_tflite_len;
 *
 *   // model_int8.c
 *   alignas(16) const unsigned char model_tflite[] = { 0x1c, 0x00, ... };
 *   const unsigned int model_tflite_len = 152576;
 *
 * The array is 16-byte aligned because TFLite Micro reads the FlatBuffer in place and the writer
 * aligns every constant buffer to 16 bytes from the start of the file. The source compiles as C11
 * (alignas from <stdalign.h>) and as C++11 or later (alignas is a keyword).
 */
import { StudioError } from '../errors';

export interface CArrayOptions {
  /** C identifier of the array (default "model_tflite"); its length is `<name>_len`. */
  arrayName?: string;
  /** File name without extension (default "model"): `<baseName>.h` and `<baseName>.c`. */
  baseName?: string;
  /** One line of provenance written at the top of both files. */
  comment?: string;
}

export interface TextFile {
  fileName: string;
  text: string;
}

export interface CArrayFiles {
  header: TextFile;
  source: TextFile;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FILE_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Text safe inside a `//` comment: printable ASCII only (a newline or U+2028 could end it), no
 * backslash (a trailing one splices the next line into the comment) and no "??" (the trigraph
 * ??/ is a backslash where trigraphs are on).
 */
export function cCommentText(text: string): string {
  return text
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\\/g, '/')
    .replace(/\?\?/g, '?_');
}

/** The bytes as `xxd -i` lists them: "  0x1c, 0x00, ..." with 12 bytes per line. */
export function xxdBody(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 12) {
    const row: string[] = [];
    for (let k = i; k < Math.min(i + 12, bytes.length); k++) row.push(`0x${bytes[k].toString(16).padStart(2, '0')}`);
    lines.push(`  ${row.join(', ')}`);
  }
  return lines.join(',\n');
}

export function tfliteCArray(bytes: Uint8Array, opts: CArrayOptions = {}): CArrayFiles {
  const name = opts.arrayName ?? 'model_tflite';
  const base = opts.baseName ?? 'model';
  if (!IDENTIFIER.test(name)) throw new StudioError('bad-settings', `The C array name "${name}" is not a C identifier (letters, digits and _, not starting with a digit).`, { arrayName: name });
  if (!FILE_NAME.test(base)) throw new StudioError('bad-settings', `The file name "${base}" may hold only letters, digits, ".", "-" and "_".`, { baseName: base });
  // The include guard must be a macro name, so it may not start with a digit.
  const stem = base.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const guard = `${/^[A-Z]/.test(stem) ? '' : 'M_'}${stem}_H_`;
  const comment = opts.comment ? `// ${cCommentText(opts.comment)}\n` : '';
  const header = [
    `${comment}// ${bytes.length} bytes of a .tflite model, 16-byte aligned, for TensorFlow Lite Micro.`,
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '',
    '#ifdef __cplusplus',
    'extern "C" {',
    '#endif',
    '',
    `extern const unsigned char ${name}[];`,
    `extern const unsigned int ${name}_len;`,
    '',
    '#ifdef __cplusplus',
    '}',
    '#endif',
    '',
    `#endif  // ${guard}`,
    '',
  ].join('\n');
  const source = [
    `${comment}#include "${base}.h"`,
    '',
    '#ifndef __cplusplus',
    '#include <stdalign.h>',
    '#endif',
    '',
    `alignas(16) const unsigned char ${name}[] = {`,
    xxdBody(bytes),
    '};',
    `const unsigned int ${name}_len = ${bytes.length};`,
    '',
  ].join('\n');
  return { header: { fileName: `${base}.h`, text: header }, source: { fileName: `${base}.c`, text: source } };
}
