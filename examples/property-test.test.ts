/**
 * Property-testing your own configuration and strategy with `breakerbox/testing`.
 * In your project: `import { checkScenarios, type Strategy } from 'breakerbox/testing';`
 * (this repository's examples import the sources). Run with PLANT_BUG=1 to see it catch a bug.
 */
import { expect, it } from 'vitest';
import { checkScenarios, type Strategy } from '../src/testing/index.ts';

const myConfig = { breakers: { drawdown: { threshold: -0.08 }, errorRate: { maxErrors: 5, window: 60 } } };

/** A strategy that retries an order the broker rejected. `buggy`: retries in a loop, straight to the broker. */
const retrying = (buggy: boolean): Strategy => ({
  onBrokerReject(ctx, order) {
    ctx.recordError('order_rejected', 'rejected by the broker');
    if (!buggy) ctx.submit(order); // one retry, through the breakers again
    else for (let attempt = 0; attempt < 3; attempt++) ctx.sendToBroker(order); // the planted bug
  },
});

it('my configuration and strategy keep the invariants', async () => {
  await checkScenarios({ runtime: myConfig, strategy: retrying(process.env.PLANT_BUG === '1'), numRuns: 100 });
});

it('the planted bug (retrying rejected orders in a loop) is caught, with a readable counterexample', async () => {
  await expect(checkScenarios({ runtime: myConfig, strategy: retrying(true), numRuns: 200 })).rejects.toThrow(/an order reached the broker while trading was not ACTIVE/);
});
