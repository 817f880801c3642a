import { describe, it } from 'vitest';
import { agreeWithModel, collectRxjsErrors, NUM_RUNS } from './harness.ts';
import type { B } from './referenceModel.ts';

// See runtime.model.test.ts: the same harness, the count breakers and the manual one alone.
collectRxjsErrors();

describe('model-based: runtime against the reference model (count breakers, manual)', () => {
  const configs: [string, B[]][] = [
    ['orderRate', ['orderRate']],
    ['errorRate', ['errorRate']],
    ['manual only', []],
  ];
  for (const [name, enabled] of configs) {
    it(`${name}: ${NUM_RUNS} random sequences agree with the model`, () => agreeWithModel(enabled), 600_000);
  }
});
