import { describe, it } from 'vitest';
import { agreeWithModel, collectRxjsErrors, NUM_RUNS } from './harness.ts';
import type { B } from './referenceModel.ts';

// The model-based tests are split in three files so that vitest runs them in parallel:
// this one (value breakers), supervisor.model.test.ts (the rest) and level.model.test.ts (LevelDB).
collectRxjsErrors();

describe('model-based: runtime against the reference model (value breakers)', () => {
  const configs: [string, B[]][] = [
    ['drawdown', ['drawdown']],
    ['dailyLoss', ['dailyLoss']],
    ['supervisor with every breaker', ['drawdown', 'dailyLoss', 'orderRate', 'errorRate']],
  ];
  for (const [name, enabled] of configs) {
    it(`${name}: ${NUM_RUNS} random sequences agree with the model`, () => agreeWithModel(enabled), 600_000);
  }
});
