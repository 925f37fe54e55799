import { describe, expect, it } from 'vitest';
import { SearchSpec, objectiveDirection, planTrials } from '../../../components/tuner/search.js';

const spec = (s: unknown) => SearchSpec.parse(s);

describe('planTrials', () => {
  it('grid: every combination in odometer order (names sorted, the last changes fastest), capped at trials', () => {
    const s = spec({ strategy: 'grid', trials: 100, space: { units: { values: [8, 16] }, lr: { min: 0.001, max: 0.1, scale: 'log', steps: 3 } } });
    const trials = planTrials(s);
    expect(trials).toHaveLength(6);
    expect(trials.map((t) => t.units)).toEqual([8, 16, 8, 16, 8, 16]);
    expect((trials.map((t) => t.lr) as number[]).map((v) => +v.toPrecision(6))).toEqual([0.001, 0.001, 0.01, 0.01, 0.1, 0.1]);
    expect(planTrials({ ...s, trials: 4 })).toEqual(trials.slice(0, 4));
  });

  it('random: seeded, distinct, inside the ranges, and the same plan on a retry', () => {
    const s = spec({ trials: 20, seed: 3, space: { units: { min: 4, max: 64, integer: true }, lr: { min: 1e-4, max: 1e-1, scale: 'log' }, act: { values: ['relu', 'tanh'] } } });
    const a = planTrials(s);
    expect(a).toHaveLength(20);
    expect(planTrials(s)).toEqual(a);
    expect(new Set(a.map((t) => JSON.stringify(t))).size).toBe(20);
    for (const t of a) {
      expect(Number.isInteger(t.units) && (t.units as number) >= 4 && (t.units as number) <= 64).toBe(true);
      expect((t.lr as number) >= 1e-4 && (t.lr as number) <= 1e-1).toBe(true);
      expect(['relu', 'tanh']).toContain(t.act);
    }
    expect(planTrials({ ...s, seed: 4 })).not.toEqual(a);
  });

  it('a small discrete space gives fewer trials than asked rather than repeats', () => {
    expect(planTrials(spec({ trials: 10, space: { a: { values: [1, 2] } } }))).toHaveLength(2);
  });

  it('refuses an empty space, an inverted range and a log range through 0, naming the hyperparameter', () => {
    expect(() => planTrials(spec({ trials: 1, space: {} }))).toThrow(/search space is empty/);
    expect(() => planTrials(spec({ trials: 1, space: { lr: { min: 1, max: 0.5 } } }))).toThrow(/max \(0.5\) must be above min/);
    try {
      planTrials(spec({ trials: 1, space: { lr: { min: 0, max: 1, scale: 'log' } } }));
      expect.unreachable();
    } catch (err) {
      expect((err as { path: string[] }).path).toEqual(['params', 'search', 'space', 'lr']);
    }
  });

  it('objective direction: losses and errors down, the rest up, unless stated', () => {
    expect(objectiveDirection({ metric: 'val_loss' })).toBe('min');
    expect(objectiveDirection({ metric: 'val_accuracy' })).toBe('max');
    expect(objectiveDirection({ metric: 'val_accuracy', direction: 'min' })).toBe('min');
  });
});
