import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const docFiles = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(path: string): Set<string> {
  const text = readFileSync(path, 'utf8');
  return new Set([...text.matchAll(/^#+\s+(.*)$/gm)].map((m) => slug(m[1] ?? '')));
}

/** Relative links in `text` (from file `from`) that do not resolve to a file, or to a heading. */
export function brokenLinks(text: string, from: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1] ?? '';
    if (/^[a-z]+:/i.test(target)) continue;
    const [file = '', anchor] = target.split('#');
    const path = file === '' ? join(root, from) : resolve(root, dirname(from), file);
    if (!existsSync(path)) bad.push(target);
    else if (anchor && path.endsWith('.md') && !anchorsOf(path).has(anchor)) bad.push(target);
  }
  return bad;
}

const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

export function unknownScripts(text: string): string[] {
  // `npm run bench:*` names a family of scripts: at least one must exist.
  return [...text.matchAll(/npm run ([\w:-]+\*?)/g)].map((m) => m[1] ?? '').filter((s) => (s.endsWith('*') ? !scripts.some((k) => k.startsWith(s.slice(0, -1))) : !scripts.includes(s)));
}

/** Backticked paths in `text` that exist neither from the root, nor from src/ or src/engine/ (recipes abbreviate). */
export function missingPaths(text: string): string[] {
  const paths = [...text.matchAll(/`([\w./-]+\.(?:ts|tsx|py|json|md|js)|[\w.-]+(?:\/[\w.-]+)+\/)`/g)].map((m) => m[1] ?? '');
  return paths.filter((p) => !['', 'src', 'src/engine'].some((base) => existsSync(join(root, base, p))));
}

function recipes(): string {
  const text = readFileSync(join(root, 'docs/ARCHITECTURE.md'), 'utf8');
  const start = text.indexOf('## Recipes');
  return text.slice(start, text.indexOf('\n## ', start + 1));
}

describe('docs links', () => {
  it('the path checker catches a missing file', () => {
    expect(missingPaths('`src/engine/choices/deploy.ts`, `state/url-state.ts`, `src/engine/nope.ts`')).toEqual(['src/engine/nope.ts']);
  });

  it('every file named in the ARCHITECTURE recipes exists', () => {
    const section = recipes();
    expect(section.length).toBeGreaterThan(1000);
    expect(missingPaths(section)).toEqual([]);
  });

  it('the checkers catch a bad link, a bad anchor and an unknown script', () => {
    expect(brokenLinks('[x](docs/NOPE.md) [y](README.md#no-such-heading) [ok](README.md)', 'README.md')).toEqual(['docs/NOPE.md', 'README.md#no-such-heading']);
    expect(unknownScripts('`npm run no-such-script`, `npm run cli`, `npm run bench:*`, `npm run nope:*`')).toEqual(['no-such-script', 'nope:*']);
  });

  it.each(docFiles)('%s: relative links resolve and npm scripts exist', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    expect(brokenLinks(text, file)).toEqual([]);
    expect(unknownScripts(text)).toEqual([]);
  });
});
