/**
 * tsd-style fixture of the public types (checked by `npm run typecheck` and by order.test.ts):
 * every `@ts-expect-error` line must be an error, every other line must compile.
 */
import { of, type Observable } from 'rxjs';
import type { EffectiveConfig, Order, RiskRuntime } from 'breakerbox';

declare const rt: RiskRuntime; // types only: this file is compiled, never run

// Typed callers: an Order, or an object literal that is one.
const order: Order = { symbol: 'ES', side: 'buy', quantity: 1 };
rt.check(order);
rt.check({ symbol: 'ES', side: 'sell', quantity: '2.5', price: 5000 });
rt.check({ id: 'o-1', symbol: 'ES', side: 'buy', quantity: 1 } as const);

// A wrong side, a missing field, a wrong type, a widened side: compile errors.
// @ts-expect-error side 'hold' is not an OrderSide
rt.check({ side: 'hold' });
// @ts-expect-error side 'hold' is not an OrderSide
rt.check({ symbol: 'ES', side: 'hold', quantity: 1 });
// @ts-expect-error quantity is missing
rt.check({ symbol: 'ES', side: 'buy' });
// @ts-expect-error quantity is not a decimal input
rt.check({ symbol: 'ES', side: 'buy', quantity: true });
const widened = { symbol: 'ES', side: 'buy', quantity: 1 };
// @ts-expect-error side widened to string: declare it as Order (or `as const`)
rt.check(widened);
// @ts-expect-error a number is not an order
rt.check(42);

// Untyped callers: a value of static type unknown (or any) is accepted, and validated at run time.
const body: unknown = JSON.parse('{"symbol":"ES","side":"hold"}');
rt.check(body);
const loose: any = { side: 'hold' };
rt.check(loose);

// guard(): a stream of Orders (or a subtype, kept downstream), or of unknown items.
interface TaggedOrder extends Order {
  readonly tag: string;
}
const tagged$: Observable<TaggedOrder> = of({ symbol: 'ES', side: 'buy', quantity: 1, tag: 't' });
const passedTagged: Observable<TaggedOrder> = tagged$.pipe(rt.guard());
const passedOrders: Observable<Order> = of<Order>(order).pipe(rt.guard());
const passedUnknown: Observable<unknown> = of<unknown>(body).pipe(rt.guard());
// @ts-expect-error a stream of { side: 'hold' } is not a stream of orders
of({ side: 'hold' as const }).pipe(rt.guard());
// @ts-expect-error a stream of numbers is not a stream of orders
of(1, 2, 3).pipe(rt.guard());

// status().config is typed.
const config: EffectiveConfig | null = rt.status().config;
const resetTimeout: number | undefined = config?.resetTimeout;
const drawdownOn: boolean = config !== null && config.breakers.drawdown !== false;
// @ts-expect-error config is not unknown: no such field
void config?.noSuchField;

export const used = [passedTagged, passedOrders, passedUnknown, resetTimeout, drawdownOn];
