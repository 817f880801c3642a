// An ES module consumer of the installed package (plain node, no loader).
import { BreakerState, createRiskRuntime, presets, silentLogger } from 'breakerbox';
import { supervisorMachine } from 'breakerbox/machines';
import { from, lastValueFrom, toArray } from 'rxjs';

const rt = await createRiskRuntime({ strategy: 'esm', breakers: presets.moderate, logger: silentLogger, store: false });
rt.updatePortfolio({ value: '1000000' });
const order = { symbol: 'ES', side: 'buy', quantity: 1, price: '5000.25' };
const before = rt.check(order).allowed;
const passed = await lastValueFrom(from([order, order]).pipe(rt.guard(), toArray()));
rt.halt({ operator: 'ann', reason: 'package test' });
const after = rt.check(order);
await rt.stop();

let deepImport = 'allowed';
try {
  await import('breakerbox/dist/src/index.js');
} catch (error) {
  deepImport = error.code;
}
console.log(JSON.stringify({ before, passed: passed.length, after, halted: BreakerState.MANUALLY_HALTED, machine: supervisorMachine.id, deepImport }));
