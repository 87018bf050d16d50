/**
 * JSON parsing for files a user supplies. JSON.parse itself is safe from code execution, but a
 * model file can still hurt: nesting deep enough to exhaust the stack of any recursive walker,
 * keys like `__proto__` that become prototype writes the moment some code copies the object with
 * `Object.assign` or a spread, and sizes that exhaust memory. Those are refused before parsing
 * (depth, size) or during it (keys), each with the file's name.
 */
import { StudioError } from '../errors';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface SafeJsonLimits {
  maxBytes: number;
  maxDepth: number;
}

export const DEFAULT_JSON_LIMITS: SafeJsonLimits = { maxBytes: 32 * 1024 * 1024, maxDepth: 64 };

/** Deepest bracket nesting in JSON text, skipping string contents. Linear, no recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

export function safeParseJson(bytes: Uint8Array, fileName: string, limits: SafeJsonLimits = DEFAULT_JSON_LIMITS): unknown {
  if (bytes.length > limits.maxBytes) {
    throw new StudioError('size-mismatch', `${fileName} is ${bytes.length} bytes; a model.json over ${limits.maxBytes} bytes is refused.`, { fileName, expected: limits.maxBytes, found: bytes.length });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new StudioError('bad-model', `${fileName} is not UTF-8 text, so it is not a model.json.`, { fileName });
  }
  const depth = jsonDepth(text);
  if (depth > limits.maxDepth) {
    throw new StudioError('bad-model', `${fileName} nests ${depth} levels deep; at most ${limits.maxDepth} are accepted.`, { fileName, expected: limits.maxDepth, found: depth });
  }
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new StudioError('bad-model', `${fileName} contains the key "${key}", which is refused (it could alter object prototypes).`, { fileName, key });
      return value;
    });
  } catch (e) {
    if (e instanceof StudioError) throw e;
    throw new StudioError('bad-model', `${fileName} is not valid JSON (${(e as Error).message}).`, { fileName });
  }
}
