/**
 * C header/source pair of a .tflite (src/engine/export/c-array.ts): the xxd -i layout (checked
 * against the system's xxd where it exists), names validated, and the pair compiled and run with
 * the system's gcc as C11 and as C++11 (skipped where gcc is missing) to check length, content
 * and 16-byte alignment.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tfliteCArray, xxdBody } from '../../src/engine/export/c-array';

const bytes = Uint8Array.from({ length: 30 }, (_, i) => (i * 37) & 255);
bytes.set([0x54, 0x46, 0x4c, 0x33], 4); // "TFL3"
const has = (bin: string) => existsSync(bin);

describe('C array', () => {
  it('lists 12 bytes per line in lower-case hex, like xxd -i', () => {
    const body = xxdBody(bytes);
    const lines = body.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('  0x00, 0x25, 0x4a, 0x6f, 0x54, 0x46, 0x4c, 0x33, 0x28, 0x4d, 0x72, 0x97,');
    expect(lines[2]).toBe('  0x78, 0x9d, 0xc2, 0xe7, 0x0c, 0x31'); // (24..29) x 37 mod 256
    expect(xxdBody(new Uint8Array(0))).toBe('');
  });

  it.skipIf(!has('/usr/bin/xxd'))('has the same byte listing as the system xxd -i', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carray-'));
    try {
      writeFileSync(join(dir, 'model_tflite'), bytes);
      const xxd = execFileSync('/usr/bin/xxd', ['-i', 'model_tflite'], { cwd: dir, encoding: 'utf8' });
      const listing = xxd.slice(xxd.indexOf('{\n') + 2, xxd.indexOf('\n};'));
      expect(xxdBody(bytes)).toBe(listing);
      expect(xxd).toContain(`unsigned int model_tflite_len = ${bytes.length};`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a header declaring the array and its length, and a source defining them 16-byte aligned', () => {
    const c = tfliteCArray(bytes, { baseName: 'model_int8', comment: 'custom-cnn-mnist, int8' });
    expect(c.header.fileName).toBe('model_int8.h');
    expect(c.source.fileName).toBe('model_int8.c');
    expect(c.header.text).toContain('#ifndef MODEL_INT8_H_');
    expect(c.header.text).toContain('extern const unsigned char model_tflite[];');
    expect(c.header.text).toContain('extern const unsigned int model_tflite_len;');
    expect(c.source.text.startsWith('// custom-cnn-mnist, int8\n#include "model_int8.h"\n')).toBe(true);
    expect(c.source.text).toContain(`alignas(16) const unsigned char model_tflite[] = {\n${xxdBody(bytes)}\n};\nconst unsigned int model_tflite_len = 30;\n`);
  });

  it('refuses names that are not C identifiers or safe file names', () => {
    expect(() => tfliteCArray(bytes, { arrayName: '1model' })).toThrow(/C identifier/);
    expect(() => tfliteCArray(bytes, { arrayName: 'my-model' })).toThrow(expect.objectContaining({ code: 'bad-settings' }));
    expect(() => tfliteCArray(bytes, { baseName: '../model' })).toThrow(/file name/);
  });

  it.skipIf(!has('/usr/bin/gcc'))('a comment or file name from outside cannot change the code: line splices, trigraphs, line separators, a leading digit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carray-'));
    try {
      // A comment ending in a backslash (or the trigraph ??/) would splice the next line into
      // the comment; the guard of a name starting with a digit would not be a macro name.
      const comment = 'model \\\n??/\u2028evil */ \\';
      const c = tfliteCArray(bytes, { baseName: '1model', arrayName: 'g_model', comment });
      const first = c.source.text.split('\n')[0];
      expect(first).toMatch(/^\/\/ [\x20-\x7e]*$/);
      expect(first).not.toMatch(/\\|\?\?/);
      writeFileSync(join(dir, c.header.fileName), c.header.text);
      writeFileSync(join(dir, c.source.fileName), c.source.text);
      writeFileSync(join(dir, 'main.c'), `#include "1model.h"\nint main(void) { return g_model_len == ${bytes.length} && g_model[4] == 'T' ? 0 : 1; }\n`);
      execFileSync('/usr/bin/gcc', ['-std=c11', '-trigraphs', '-Wall', '-Wextra', '-Werror', '-o', 'c11', 'main.c', '1model.c'], { cwd: dir });
      execFileSync(join(dir, 'c11'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!has('/usr/bin/gcc'))('compiles as C11 and C++11; the array holds the bytes, 16-byte aligned', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carray-'));
    try {
      const c = tfliteCArray(bytes, { baseName: 'model_int8', arrayName: 'g_model' });
      writeFileSync(join(dir, c.header.fileName), c.header.text);
      writeFileSync(join(dir, c.source.fileName), c.source.text);
      const main = `#include <stdint.h>\n#include <stdio.h>\n#include <string.h>\n#include "model_int8.h"\nint main(void) {\n  if (g_model_len != ${bytes.length}) return 1;\n  if (((uintptr_t)g_model) % 16 != 0) return 2;\n  if (memcmp(g_model + 4, "TFL3", 4) != 0) return 3;\n  if (g_model[29] != ${bytes[29]}) return 4;\n  puts("ok");\n  return 0;\n}\n`;
      writeFileSync(join(dir, 'main.c'), main);
      execFileSync('/usr/bin/gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-o', 'c11', 'main.c', 'model_int8.c'], { cwd: dir });
      expect(execFileSync(join(dir, 'c11'), { encoding: 'utf8' })).toBe('ok\n');
      if (has('/usr/bin/g++')) {
        execFileSync('/usr/bin/g++', ['-std=c++11', '-Wall', '-Werror', '-x', 'c++', '-o', 'cxx', 'main.c', 'model_int8.c'], { cwd: dir });
        expect(execFileSync(join(dir, 'cxx'), { encoding: 'utf8' })).toBe('ok\n');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
