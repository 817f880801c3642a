import { interval, map, share, take } from 'rxjs';
import { createRiskRuntime, presets, silentLogger } from 'breakerbox';

const rt = await createRiskRuntime({ strategy: 'alpha-1', breakers: presets.moderate, logger: silentLogger,
  broker: { cancelAllOrders: ({ breaker }) => console.log(`broker: cancel all pending orders (${breaker})`) } });
const prices$ = interval(5).pipe(take(150), map((i) => 100 - i * 0.1), share()); // a market sliding 15 %
rt.connect({ ledger$: prices$.pipe(map((price) => ({ value: (price * 10_000).toFixed(2) }))) });
rt.events$.subscribe((e) => e.type === 'CircuitBreakerTripped' && console.log(`TRIPPED ${e.breaker}: ${e.details.reason}`));
rt.rejected$.subscribe(({ decision }) => console.log(`rejected: ${decision.reason}`));
prices$
  .pipe(map((price) => ({ symbol: 'ES', side: 'buy' as const, quantity: '1', price: price.toFixed(2) })), rt.guard())
  .subscribe({ next: (order) => console.log(`sent ${order.side} ${order.symbol} @ ${order.price}`), complete: () => void rt.stop() });
