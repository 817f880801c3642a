// A CommonJS consumer: require() of the ES module package (require(esm), Node 20.19+).
const { createRiskRuntime, presets, silentLogger, BreakerState } = require('breakerbox');
const { supervisorMachine, REGISTRY } = require('breakerbox/machines');

(async () => {
  const rt = await createRiskRuntime({ strategy: 'cjs', breakers: presets.conservative, logger: silentLogger, store: false });
  rt.updatePortfolio({ value: '1000000' });
  const before = rt.check({ symbol: 'ES', side: 'sell', quantity: 2, price: '5000' }).allowed;
  rt.halt({ operator: 'bob', reason: 'package test' });
  const state = rt.state;
  await rt.stop();
  console.log(JSON.stringify({ before, state, halted: BreakerState.MANUALLY_HALTED, machines: [supervisorMachine.id, REGISTRY[0].chart.id] }));
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
