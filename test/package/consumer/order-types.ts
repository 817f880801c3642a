// Compiled by the package test against the shipped declarations: every `@ts-expect-error` line
// must be an error (an unused directive fails tsc), every other line must compile.
import { createRiskRuntime, presets, type EffectiveConfig, type Order } from 'breakerbox';

const rt = await createRiskRuntime({ strategy: 'types', breakers: presets.moderate, store: false });
const order: Order = { symbol: 'ES', side: 'buy', quantity: 1 };
rt.check(order);
rt.check({ symbol: 'ES', side: 'sell', quantity: '2', price: 5000 });
// @ts-expect-error side 'hold'
rt.check({ side: 'hold' });
// @ts-expect-error side 'hold'
rt.check({ symbol: 'ES', side: 'hold', quantity: 1 });
// @ts-expect-error quantity missing
rt.check({ symbol: 'ES', side: 'buy' });
// Untyped input (parsed JSON): accepted, validated at run time.
const body: unknown = JSON.parse('{"side":"hold"}');
rt.check(body);
const config: EffectiveConfig | null = rt.status().config;
console.log(config?.strategy);
await rt.stop();
