import { z } from 'zod';
import { RateTracker } from '../figures/rate.ts';
import type { Signal } from '../figures/signal.ts';
import { countWord, rateEvent, rateLine, rateRecovered, rateView, type RateFigures } from '../words/rate.ts';
import { ChartKind, Observes, type BreakerRule, type Evidence, type RuleInput } from './rule.ts';
import { WindowTracker } from './windowTracker.ts';
import { commonSettings, count, seconds } from './settings.ts';

/** The kinds of message counted: submissions (`check`), modifications (`checkModify`), cancellations (`checkCancel`). */
export const MESSAGE_KINDS = ['order', 'modify', 'cancel'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Message-rate settings: at most `maxMessages` messages of any kind within `window` seconds. */
export interface MessageRateSettings {
  readonly maxMessages: number;
  readonly window: number;
  readonly warnAt: number;
}

/** Message-rate figures: the rate's, its limit by name, the count of each kind and when the condition clears. */
export interface MessageRateFigures extends RateFigures {
  maxMessages: number;
  /** Messages in the window by kind: submissions (`order`), modifications (`modify`), cancellations (`cancel`). */
  byKind: Record<MessageKind, number>;
  /** Milliseconds until the window no longer holds more than the limit, or null. */
  clearsInMs: number | null;
}

const NOUNS: Record<MessageKind, string> = { order: 'submissions', modify: 'modifications', cancel: 'cancellations' };

/** The kinds in untrusted details: "submissions 8, modifications 3, cancellations 1" (each shown, "?" when missing or malformed). */
function kindsWord(byKind: unknown, separator = ', '): string {
  const counts = typeof byKind === 'object' && byKind !== null && !Array.isArray(byKind) ? (byKind as Record<string, unknown>) : {};
  return MESSAGE_KINDS.map((k) => `${NOUNS[k]} ${countWord(counts[k])}`).join(separator);
}

const isKind = (tag: unknown): tag is MessageKind => tag === 'order' || tag === 'modify' || tag === 'cancel';

/**
 * Counts every well-formed message (submission, modification, cancellation; allowed or not) in
 * the sliding window (t − window, t], tagged by kind.
 */
class MessageRateTracker extends WindowTracker<MessageKind> {
  constructor(settings: MessageRateSettings) {
    super(new RateTracker<MessageKind>(settings.maxMessages, settings.window, settings.warnAt, true), isKind);
  }

  observeInput(input: RuleInput, at: number): Signal {
    // The runtime routes only the inputs this rule observes: order, modify, cancel.
    return this.rate.record(at, input.input as MessageKind);
  }


  byKind(now: number): Record<MessageKind, number> {
    const counts: Record<MessageKind, number> = { order: 0, modify: 0, cancel: 0 };
    for (const [kind, n] of this.rate.window.countByTag(now)) if (kind !== undefined) counts[kind] = n;
    return counts;
  }

  figures(now: number): Evidence {
    const common = this.rate.figures(now);
    const clearsAt = this.rate.window.clearsAt(now);
    return { ...common, maxMessages: common.limit, byKind: this.byKind(now), clearsInMs: clearsAt === null ? null : clearsAt - now };
  }





}

const over = (e: Evidence): boolean => Number(e.count) > Number(e.maxMessages);

/**
 * The message-rate breaker's rule (RTS 6 Art 15(1)(d)): submissions, modifications and
 * cancellations share one window; it heals itself once the window clears. The runtime lets every
 * well-formed cancellation through whatever its state (src/runtime/messages.ts).
 */
export const messageRateRule = {
  kind: 'messageRate' as const,
  name: 'MESSAGE_RATE' as const,
  chart: ChartKind.SELF_HEALING,
  observes: [Observes.ORDER, Observes.MODIFY, Observes.CANCEL],
  settings: {
    schema: z.strictObject({ maxMessages: count.optional(), window: seconds(86_400).optional(), ...commonSettings }),
    // Off unless configured: no preset sets it (a firm's message limit is its venue's, not a default).
    presets: null,
    replacesPreset: [],
  },
  alwaysOn: false,
  recordSince: 3,
  track: (settings: MessageRateSettings) => new MessageRateTracker(settings),
  tripHolds: over,
  // A confirmed reset clears the window: nothing to re-check.
  recheck: () => ({ passed: true, reason: null }),
  cleared: (e: Evidence) => !over(e),
  describe: (e: Evidence) =>
    `${String(e.count)} messages within ${String(e.windowSeconds)}s exceed the limit of ${String(e.maxMessages)} (${kindsWord(e.byKind)})`,
  resetEffects: (f: Evidence): readonly string[] => [
    `The message window is cleared: ${String(f.count)} messages counted now go to 0 (limit ${String(f.maxMessages)} in ${String(f.windowSeconds)} s).`,
    'This breaker also recovers by itself once the window holds no more than the limit.',
  ],
  words: {
    label: 'Message rate',
    shout: 'MESSAGE RATE',
    view: (f: MessageRateFigures) => rateView(f, 'messages', [kindsWord(f.byKind, ' · ')]),
    line: (f: MessageRateFigures) => rateLine(f, 'messages', kindsWord(f.byKind)),
    event: (d: Evidence) => rateEvent(d, 'messages', 'maxMessages', kindsWord(d.byKind)),
    recovered: (d: Evidence) => rateRecovered(d, 'messages', 'maxMessages'),
  },
} satisfies BreakerRule<MessageRateSettings, MessageRateTracker, MessageRateFigures>;

export type { MessageRateTracker };
