/**
 * The page's explanations are keyed by the choices' own tables: every pruning method that prunes
 * names an idea that exists, and a recipe's ideas follow its settings.
 */
import { describe, expect, it } from 'vitest';
import { IDEAS, pruneIdea, recipeIdeas } from '../../src/components/ideas/ideas';
import { PRUNE_METHOD_OPTIONS } from '../../src/engine/choices/prune-methods';
import { withDefaults } from '../../src/engine/jobs/compress-settings';

describe('ideas', () => {
  it('every pruning method except none names an idea of the table', () => {
    for (const m of PRUNE_METHOD_OPTIONS) {
      if (m.id === 'none') expect(m.idea).toBeUndefined();
      else expect(Object.keys(IDEAS), m.id).toContain(m.idea);
    }
  });

  it('a recipe shows the ideas of its method, format and calibration', () => {
    const s = withDefaults({ prune: { method: 'obs', sparsity: 0.8 }, quant: { mode: 'int8' } });
    expect(recipeIdeas(s)).toMatchObject({ prune: 'reconstruction', combined: 'combined', calibration: 'calibration' });
    expect(pruneIdea('n:m')).toBe('nm');
    expect(pruneIdea('none')).toBeUndefined();
    expect(recipeIdeas(withDefaults({ prune: { method: 'none' }, quant: { mode: 'none' } }))).toMatchObject({ prune: undefined, combined: undefined, calibration: undefined });
  });
});
