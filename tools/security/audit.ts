/**
 * `npm run audit`: fails on any high or critical advisory in the dependency tree. Where the
 * registry's advisory endpoint cannot be reached (an offline or mirrored registry answers 405),
 * it says plainly that nothing was checked rather than passing silently as if clean.
 */
import { spawnSync } from 'node:child_process';

const r = spawnSync('npm', ['audit', '--json'], { encoding: 'utf8', timeout: 120_000 });
let report: { metadata?: { vulnerabilities?: Record<string, number> }; error?: { summary?: string }; message?: string } = {};
try {
  report = JSON.parse(r.stdout || '{}');
} catch {
  // npm printed no JSON
}
const v = report.metadata?.vulnerabilities;
if (!v) {
  const why = report.message ?? report.error?.summary ?? (r.stderr || r.stdout || 'no output').split('\n').find((l) => l.trim()) ?? 'unknown';
  console.warn(`npm audit: NOT CHECKED: the advisory endpoint could not be used (${why.trim()}).`);
  process.exit(0);
}
const serious = (v.high ?? 0) + (v.critical ?? 0);
console.log(`npm audit: ${v.critical ?? 0} critical, ${v.high ?? 0} high, ${v.moderate ?? 0} moderate, ${v.low ?? 0} low`);
process.exit(serious > 0 ? 1 : 0);
