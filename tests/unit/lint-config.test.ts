/**
 * The lint configuration (eslint.config.js) enforces the import rules of docs/ARCHITECTURE.md:
 * each rule is shown to fire on a file that breaks it, and to stay quiet on the allowed form, by
 * linting source text as if it stood at a path of the tree (ESLint's Node API, the same config
 * `npm run lint` uses).
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../tools/cli/node-io';

const eslint = new ESLint({ cwd: ROOT });

async function problems(path: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return r.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const COMPONENT = 'src/components/deploy/LintProbe.tsx';
const ENGINE = 'src/engine/export/lint-probe.ts';

describe('components', () => {
  it('fail on `import * as tf` from tfjs', async () => {
    const p = await problems(COMPONENT, "import * as tf from '@tensorflow/tfjs';\nexport const probe = () => tf.tensor([1]);\n");
    expect(p).toEqual([expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*Components never run tfjs/)]);
  });

  it('fail on engine compute, and on the worker', async () => {
    expect(await problems(COMPONENT, "import { checkFit } from '../../engine/export/mcu-fit';\nexport const probe = checkFit;\n")).toEqual([expect.stringMatching(/no-restricted-imports: .*compute goes through the store/)]);
    expect(await problems(COMPONENT, "import { compressBaseline } from '../../engine/jobs/compress';\nexport const probe = compressBaseline;\n")).toHaveLength(1);
    expect(await problems(COMPONENT, "import { EngineClient } from '../../workers/client';\nexport const probe = EngineClient;\n")).toEqual([expect.stringMatching(/through the store/)]);
  });

  it('may import engine types, the choice tables and the catalogs', async () => {
    const ok = [
      "import type { McuFit } from '../../engine/export/mcu-fit';\nexport type Probe = McuFit;\n",
      "import type * as tf from '@tensorflow/tfjs';\nexport type Probe = tf.Tensor;\n",
      "import { BOARDS } from '../../engine/choices/deploy';\nexport const probe = BOARDS;\n",
      "import { getDataset } from '../../engine/data/registry';\nexport const probe = getDataset;\n",
      "import { STUDY_CITATION } from '../../engine/study/published';\nexport const probe = STUDY_CITATION;\n",
    ];
    for (const code of ok) expect(await problems(COMPONENT, code), code).toEqual([]);
  });
});

describe('the engine', () => {
  it('fails on React, the store, components, workers and the DOM', async () => {
    expect(await problems(ENGINE, "import { useState } from 'react';\nexport const probe = useState;\n")).toEqual([expect.stringMatching(/no UI or store library/)]);
    expect(await problems(ENGINE, "import { useStudio } from '../../state/store';\nexport const probe = useStudio;\n")).toEqual([expect.stringMatching(/no store, component or worker code/)]);
    expect(await problems(ENGINE, "import { post } from '../../workers/engine.worker';\nexport const probe = post;\n")).toHaveLength(1);
    expect(await problems(ENGINE, 'export const probe = () => document.title;\n')).toEqual([expect.stringMatching(/^no-restricted-globals: .*no DOM/)]);
  });
});

describe('everywhere', () => {
  it('wants `import type` where only types are used', async () => {
    expect(await problems(ENGINE, "import { McuFit } from './mcu-fit';\nexport type Probe = McuFit;\n")).toEqual([expect.stringMatching(/^@typescript-eslint\/consistent-type-imports:/)]);
    expect(await problems(ENGINE, "import { type McuFit, checkFit } from './mcu-fit';\nexport type Probe = McuFit;\nexport const probe = checkFit;\n")).toEqual([]);
  });

  it('the store may call the engine but not run tfjs or import views', async () => {
    const STATE = 'src/state/lint-probe.ts';
    expect(await problems(STATE, "import { checkFit } from '../engine/export/mcu-fit';\nexport const probe = checkFit;\n")).toEqual([]);
    expect(await problems(STATE, "import * as tf from '@tensorflow/tfjs';\nexport const probe = tf;\n")).toHaveLength(1);
    expect(await problems(STATE, "import { App } from '../components/App';\nexport const probe = App;\n")).toHaveLength(1);
  });
});

describe('the tree as it is', () => {
  it('lints clean under the architecture rules (components, state, workers)', async () => {
    const results = await eslint.lintFiles(['src/components', 'src/state', 'src/workers']);
    expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId}`))).toEqual([]);
  }, 120_000);
});
