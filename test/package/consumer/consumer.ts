// A TypeScript (ESM) consumer, type-checked with `tsc --noEmit` against the shipped declarations.
import { interval, map, take } from 'rxjs';
import { BreakerState, createRiskRuntime, presets, type Decision, type RiskEvent, type RiskRuntime, type RiskRuntimeOptions } from 'breakerbox';
import { supervisorMachine, type BreakerContext } from 'breakerbox/machines';

interface MyOrder {
  symbol: string;
  side: 'buy' | 'sell';
  quantity: number;
  price: string;
}

const options: RiskRuntimeOptions = {
  strategy: 'typed',
  breakers: presets.aggressive,
  store: false,
  broker: { cancelAllOrders: ({ breaker }) => console.log(breaker) },
};
const rt: RiskRuntime = await createRiskRuntime(options);
rt.updatePortfolio({ value: '1000000' });
const decision: Decision = rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: '1' });
if (!decision.allowed) {
  const reason: string = decision.reason;
  const state: BreakerState = decision.state;
  console.log(reason, state);
}
rt.events$.subscribe((event: RiskEvent) => console.log(event.type, event.strategy));
interval(1)
  .pipe(
    take(3),
    map((i): MyOrder => ({ symbol: 'ES', side: 'buy', quantity: i + 1, price: '1' })),
    rt.guard(),
  )
  .subscribe((order) => {
    const side: 'buy' | 'sell' = order.side; // the guard keeps the element type
    console.log(side);
  });
const id: string = supervisorMachine.id;
export type Context = BreakerContext;
console.log(id);

// @ts-expect-error the declarations are real: a strategy name is required
await createRiskRuntime({ breakers: presets.moderate });
// @ts-expect-error and halt needs an operator
rt.halt({ reason: 'no operator' });
await rt.stop();
