/**
 * Persistence of the history: what to write (the difference since the last batch) and how to
 * read it back. History is not a decision input, so it is written in batches without `sync`
 * (see docs/persistence.md): a crash loses at most the last batch.
 *
 * Keys (in the strategy's `history` sublevel): `p.<t>.<n>` a point, `open` the latest value not
 * yet closed into a point, `m.<seq>` a mark, `o.<seq>` an order, `f.<seq>` a fill, `e.<seq>` an
 * error, `g.<seq>` a downtime (a gap in the chart). Every key is written once (items never change), and deleted when it falls out.
 */
import type { CappedLog, OrderLog } from './logs.ts';
import { seriesPoint, type Series, type SeriesPoint } from './series.ts';
import type { HistoryError, HistoryFill, HistoryGap, HistoryMark, HistoryOrder, HistoryPoint } from './types.ts';

/** One write of a batch. */
export type HistoryOp = { readonly type: 'put'; readonly key: string; readonly value: string } | { readonly type: 'del'; readonly key: string };

/** Where a strategy's history is kept between runs. */
export interface HistoryStore {
  /** Every stored entry, as `[key, value]`. */
  load(): Promise<readonly (readonly [string, string])[]>;
  /** Applies one batch (not synced). */
  write(ops: readonly HistoryOp[]): Promise<void>;
}

/** A list as it was read back: its items in order and the next sequence number. */
export interface RestoredList<T> {
  readonly items: T[];
  readonly next: number;
}

/** Everything read back from a store. */
export interface RestoredHistory {
  readonly points: SeriesPoint[];
  readonly open: SeriesPoint | null;
  readonly marks: RestoredList<HistoryMark>;
  readonly orders: RestoredList<HistoryOrder>;
  readonly fills: RestoredList<HistoryFill>;
  readonly errors: RestoredList<HistoryError>;
  readonly gaps: RestoredList<HistoryGap>;
}

/** The parts of the history a batch is computed from. */
export interface HistoryState {
  readonly series: Series;
  /** The latest value not closed into a point yet, or null. */
  readonly open: SeriesPoint | null;
  readonly marks: CappedLog<HistoryMark>;
  readonly orders: OrderLog;
  readonly fills: CappedLog<HistoryFill>;
  readonly errors: CappedLog<HistoryError>;
  readonly gaps: CappedLog<HistoryGap>;
}

const LISTS = ['m', 'o', 'f', 'e', 'g'] as const;
type ListPrefix = (typeof LISTS)[number];
const seqKey = (prefix: ListPrefix, seq: number) => `${prefix}.${String(seq).padStart(12, '0')}`;

interface Held {
  readonly first: number;
  readonly next: number;
  get(seq: number): unknown;
}

/** Reads stored entries back. Entries that do not parse are skipped: history never stops a start. */
export function decodeHistory(entries: readonly (readonly [string, string])[]): RestoredHistory {
  const points: SeriesPoint[] = [];
  let open: SeriesPoint | null = null;
  const lists: Record<ListPrefix, { seq: number; item: unknown }[]> = { m: [], o: [], f: [], e: [], g: [] };
  for (const [key, value] of entries) {
    let item: unknown;
    try {
      item = JSON.parse(value);
    } catch {
      continue;
    }
    if (typeof item !== 'object' || item === null || typeof (item as { t?: unknown }).t !== 'number') continue;
    if (key === 'open' || key.startsWith('p.')) {
      if (typeof (item as { value?: unknown }).value !== 'string') continue;
      const point = seriesPoint(item as HistoryPoint, key === 'open' ? 'open' : key.slice(2), (item as { pinned?: unknown }).pinned === true);
      if (key === 'open') open = point;
      else points.push(point);
    } else {
      const prefix = key.slice(0, 1) as ListPrefix;
      const seq = Number(key.slice(2));
      if (key[1] === '.' && LISTS.includes(prefix) && Number.isSafeInteger(seq)) lists[prefix].push({ seq, item });
    }
  }
  const restored = <T>(prefix: ListPrefix): RestoredList<T> => {
    const rows = lists[prefix].sort((a, b) => a.seq - b.seq);
    return { items: rows.map((r) => r.item as T), next: rows.length === 0 ? 0 : rows[rows.length - 1]!.seq + 1 };
  };
  return { points, open, marks: restored('m'), orders: restored('o'), fills: restored('f'), errors: restored('e'), gaps: restored('g') };
}

/**
 * Computes each batch: the points added since the last one (and deletes for those downsampled
 * away), the list items added (and deletes for those that fell out), the open value if it moved.
 */
export class HistoryBatcher {
  readonly #points = new Set<string>();
  readonly #lists: Record<ListPrefix, { lo: number; hi: number }>;
  #open: string | null = null;

  /** Starts from what a store held (all of it is written already). */
  constructor(restored: RestoredHistory | null) {
    for (const p of restored?.points ?? []) this.#points.add(p.key);
    const range = (list: RestoredList<unknown> | undefined) => ({ lo: list ? list.next - list.items.length : 0, hi: list?.next ?? 0 });
    this.#lists = { m: range(restored?.marks), o: range(restored?.orders), f: range(restored?.fills), e: range(restored?.errors), g: range(restored?.gaps) };
    this.#open = restored?.open ? JSON.stringify(openRow(restored.open)) : null;
  }

  /** The writes that bring the store to `state`; the batcher then counts them as written. */
  next(state: HistoryState): HistoryOp[] {
    const ops: HistoryOp[] = [];
    const current = new Set<string>();
    for (const p of state.series.points) {
      current.add(p.key);
      if (!this.#points.has(p.key)) {
        ops.push({ type: 'put', key: `p.${p.key}`, value: JSON.stringify(p.pinned ? { ...openRow(p), pinned: true } : openRow(p)) });
        this.#points.add(p.key);
      }
    }
    for (const key of this.#points) {
      if (!current.has(key)) {
        ops.push({ type: 'del', key: `p.${key}` });
        this.#points.delete(key);
      }
    }
    const open = state.open === null ? null : JSON.stringify(openRow(state.open));
    if (open !== this.#open) {
      ops.push(open === null ? { type: 'del', key: 'open' } : { type: 'put', key: 'open', value: open });
      this.#open = open;
    }
    this.#list('m', state.marks, ops);
    this.#list('o', state.orders, ops);
    this.#list('f', state.fills, ops);
    this.#list('e', state.errors, ops);
    this.#list('g', state.gaps, ops);
    return ops;
  }

  #list(prefix: ListPrefix, held: Held, ops: HistoryOp[]): void {
    const written = this.#lists[prefix];
    const live = held.first;
    for (let s = written.lo; s < Math.min(written.hi, live); s++) ops.push({ type: 'del', key: seqKey(prefix, s) });
    for (let s = Math.max(written.hi, live); s < held.next; s++) ops.push({ type: 'put', key: seqKey(prefix, s), value: JSON.stringify(held.get(s)) });
    this.#lists[prefix] = { lo: live, hi: held.next };
  }
}

/** A point without its key and pin flag, as stored. */
function openRow(p: SeriesPoint): Omit<SeriesPoint, 'key' | 'pinned'> {
  const { key: _key, pinned: _pinned, ...row } = p;
  return row;
}
