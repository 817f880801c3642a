/** An order as the limits see it: validated, quantity positive, figures as doubles and as given. */
export interface OrderFacts {
  readonly id: string | undefined;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly qtyRaw: unknown;
  /** Limit price, or undefined for a market order. */
  readonly price: number | undefined;
  readonly priceRaw: unknown;
}
