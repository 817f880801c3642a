import fc from 'fast-check';
import { describe, it } from 'vitest';
import { collectRxjsErrors, commands, LEVEL_RUNS, MAX_COMMANDS_LEVEL, replay, scenario } from './harness.ts';

// See runtime.model.test.ts: the same harness, restarting from a real LevelDB directory.
collectRxjsErrors();

describe('model-based: persist-and-restart through a real LevelDB directory', () => {
  it(`supervisor with every breaker: ${LEVEL_RUNS} random sequences with restarts from LevelDB agree with the model`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.commands(commands, { maxCommands: MAX_COMMANDS_LEVEL, size: 'large' }),
        scenario(['drawdown', 'dailyLoss', 'orderRate', 'errorRate'], 'level'),
      ),
      { numRuns: LEVEL_RUNS, verbose: 1, ...replay },
    );
  }, 600_000);
});
