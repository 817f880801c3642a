import { describe, expect, it } from 'vitest';
import { effectiveConfig, presets, resolveSettings, runtimeSettingsSchema, toConfigIssues } from '../../src/config.ts';
import { ConfigError, type ConfigIssue } from '../../src/errors.ts';

function issuesOf(options: Record<string, unknown>): readonly ConfigIssue[] {
  try {
    resolveSettings({ strategy: 's', ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

const halt = { warnAt: 0.8, onTrip: 'halt' };
/** The reset policy every breaker that accepts one resolves to by default: an operator resets. */
const manual = { autoReset: null };

describe('presets', () => {
  it('are exactly the seed numbers', () => {
    expect(presets).toEqual({
      conservative: { drawdown: { threshold: -0.05 }, dailyLoss: { limit: -0.02 }, orderRate: { maxOrders: 50, window: 60 }, errorRate: { maxErrors: 5, window: 60 } },
      moderate: { drawdown: { threshold: -0.1 }, dailyLoss: { limit: -0.05 }, orderRate: { maxOrders: 100, window: 60 }, errorRate: { maxErrors: 10, window: 60 } },
      aggressive: { drawdown: { threshold: -0.2 }, dailyLoss: { limit: -0.1 }, orderRate: { maxOrders: 200, window: 60 }, errorRate: { maxErrors: 20, window: 60 } },
    });
  });

  it('moderate is the default; a preset name picks another', () => {
    expect(resolveSettings({ strategy: 's' }).breakers).toEqual({
      drawdown: { threshold: -0.1, ...halt, ...manual },
      dailyLoss: { limit: -0.05, ...halt, ...manual },
      orderRate: { maxOrders: 100, window: 60, ...halt },
      errorRate: { maxErrors: 10, window: 60, ...halt, ...manual },
      orderToTrade: null,
      reconciliation: null,
      messageRate: null,
      executionRate: null,
      tradeLosses: null,
      staleData: null,
      cluster: null, // from the process-wide cluster option
    });
    expect(resolveSettings({ strategy: 's', breakers: 'aggressive' }).breakers.orderRate).toEqual({ maxOrders: 200, window: 60, ...halt });
    expect(resolveSettings({ strategy: 's', breakers: { preset: 'conservative', orderRate: false } }).breakers).toMatchObject({
      drawdown: { threshold: -0.05 },
      orderRate: null,
      errorRate: { maxErrors: 5 },
    });
  });
});

describe('merging', () => {
  it('a breaker not named keeps the preset; only false turns one off; an object merges field by field', () => {
    const { breakers } = resolveSettings({ strategy: 's', warnAt: 0.7, breakers: { orderRate: { maxOrders: 5 }, errorRate: false, drawdown: { warnAt: 0.5, onTrip: 'reduceOnly' } } });
    expect(breakers.orderRate).toEqual({ maxOrders: 5, window: 60, warnAt: 0.7, onTrip: 'halt' });
    expect(breakers.errorRate).toBeNull();
    expect(breakers.drawdown).toEqual({ threshold: -0.1, warnAt: 0.5, onTrip: 'reduceOnly', ...manual });
    expect(breakers.dailyLoss).toEqual({ limit: -0.05, warnAt: 0.7, onTrip: 'halt', ...manual });
  });

  it('dailyLoss: limitAmount replaces the preset limit; warnAt alone keeps it', () => {
    expect(resolveSettings({ strategy: 's', breakers: { dailyLoss: { limitAmount: '-5000.50' } } }).breakers.dailyLoss).toEqual({ limitAmount: '-5000.5', ...halt, ...manual });
    expect(resolveSettings({ strategy: 's', breakers: { dailyLoss: { limitAmount: -5000 } } }).breakers.dailyLoss).toEqual({ limitAmount: '-5000', ...halt, ...manual });
    expect(resolveSettings({ strategy: 's', breakers: { dailyLoss: { warnAt: 0.9 } } }).breakers.dailyLoss).toEqual({ limit: -0.05, warnAt: 0.9, onTrip: 'halt', ...manual });
  });

  it('staleData is off unless configured', () => {
    expect(resolveSettings({ strategy: 's', breakers: { staleData: { maxAge: 30 } } }).breakers.staleData).toEqual({ maxAge: 30, ...halt });
    expect(issuesOf({ breakers: { staleData: {} } })).toEqual([{ path: 'breakers.staleData.maxAge', message: 'is required' }]);
  });

  it('resolves the other settings with their defaults', () => {
    const s = resolveSettings({ strategy: 's' });
    expect(s).toMatchObject({ warnAt: 0.8, marketOpen: { time: '00:00', timeZone: 'UTC' }, resetTimeoutMs: 60_000, maxClockSkewMs: 5000, supervision: { maxRestarts: 3, windowMs: 60_000 }, figuresDebounceMs: 250 });
    expect(resolveSettings({ strategy: 's', maxClockSkew: 0.5, supervision: { maxRestarts: 0 }, figuresDebounceMs: 0 })).toMatchObject({
      maxClockSkewMs: 500,
      supervision: { maxRestarts: 0, windowMs: 60_000 },
      figuresDebounceMs: 0,
    });
  });

  it('effectiveConfig is plain JSON that resolves to the same settings', () => {
    const settings = resolveSettings({ strategy: 's', breakers: { orderRate: false, dailyLoss: { limitAmount: '-5000' }, staleData: { maxAge: 30 } }, maxClockSkew: 2 });
    const effective = effectiveConfig(settings);
    expect(JSON.parse(JSON.stringify(effective))).toEqual(effective);
    expect(effective.breakers.orderRate).toBe(false);
    expect(effective.breakers.dailyLoss).toEqual({ limitAmount: '-5000', ...halt, ...manual });
    expect(effective).toMatchObject({ resetTimeout: 60, maxClockSkew: 2, supervision: { maxRestarts: 3, window: 60 }, figuresDebounceMs: 250 });
    expect(resolveSettings(effective)).toEqual(settings);
  });
});

describe('every problem, with its path and the offending value', () => {
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['NaN', { breakers: { drawdown: { threshold: NaN } } }, 'breakers.drawdown.threshold', /must be a number \(got NaN\)/],
    ['Infinity', { breakers: { orderRate: { window: Infinity } } }, 'breakers.orderRate.window', /\(got Infinity\)/],
    ['a string for a number', { breakers: { drawdown: { threshold: '-0.1' } } }, 'breakers.drawdown.threshold', /must be a number \(got "-0\.1"\)/],
    ['a positive threshold', { breakers: { drawdown: { threshold: 0.1 } } }, 'breakers.drawdown.threshold', /must be negative, e\.g\. -0\.10 \(got 0\.1\)/],
    ['limit with limitAmount', { breakers: { dailyLoss: { limit: -0.05, limitAmount: '-5000' } } }, 'breakers.dailyLoss', /not both \(got limit -0\.05 and limitAmount "-5000"\)/],
    ['a positive limitAmount', { breakers: { dailyLoss: { limitAmount: '5000' } } }, 'breakers.dailyLoss.limitAmount', /must be a negative amount.*\(got "5000"\)/],
    ['an unbounded limitAmount', { breakers: { dailyLoss: { limitAmount: '-1e999999999' } } }, 'breakers.dailyLoss.limitAmount', /exponent of more than 6 digits \(got "-1e999999999"\)/],
    ['a misspelt breaker', { breakers: { drawdon: { threshold: -0.1 } } }, 'breakers.drawdon', /unknown key; did you mean drawdown\? \(got \{"threshold":-0\.1\}\)/],
    ['a misspelt field', { breakers: { orderRate: { maxOrder: 5 } } }, 'breakers.orderRate.maxOrder', /did you mean maxOrders\? \(got 5\)/],
    ['an unknown field', { breakers: { errorRate: { colour: 'red' } } }, 'breakers.errorRate.colour', /^unknown key \(got "red"\)$/],
    ['warnAt 1', { warnAt: 1 }, 'warnAt', /above 0 and below 1.*\(got 1\)/],
    ['warnAt 0 on a breaker', { breakers: { drawdown: { warnAt: 0 } } }, 'breakers.drawdown.warnAt', /\(got 0\)/],
    ['a bad onTrip', { breakers: { orderRate: { onTrip: 'panic' } } }, 'breakers.orderRate.onTrip', /must be "halt" or "reduceOnly" \(got "panic"\)/],
    ['true for a breaker', { breakers: { orderRate: true } }, 'breakers.orderRate', /must be false \(turns it off\) or an object of settings \(got true\)/],
    ['an unknown preset', { breakers: 'yolo' }, 'breakers', /must be a preset name .* \(got "yolo"\)/],
    ['an unknown preset in the object', { breakers: { preset: 'yolo' } }, 'breakers.preset', /\(got "yolo"\)/],
    ['maxClockSkew 0', { maxClockSkew: 0 }, 'maxClockSkew', /positive.*\(got 0\)/],
    ['maxClockSkew above an hour', { maxClockSkew: 3601 }, 'maxClockSkew', /at most 3600 seconds \(got 3601\)/],
    ['a fractional maxRestarts', { supervision: { maxRestarts: 1.5 } }, 'supervision.maxRestarts', /whole number \(got 1\.5\)/],
    ['a negative supervision window', { supervision: { window: -60 } }, 'supervision.window', /\(got -60\)/],
    ['fractional figuresDebounceMs', { figuresDebounceMs: 2.5 }, 'figuresDebounceMs', /whole number of ms \(got 2\.5\)/],
    ['figuresDebounceMs above a minute', { figuresDebounceMs: 60_001 }, 'figuresDebounceMs', /at most 60000 \(got 60001\)/],
    ['a negative window', { breakers: { errorRate: { window: -1 } } }, 'breakers.errorRate.window', /positive number of seconds \(got -1\)/],
    ['fractional maxOrders', { breakers: { orderRate: { maxOrders: 2.5 } } }, 'breakers.orderRate.maxOrders', /whole number \(got 2\.5\)/],
    ['a bad time zone', { marketOpen: { time: '09:30', timeZone: 'Mars/Olympus' } }, 'marketOpen.timeZone', /IANA time zone.*\(got "Mars\/Olympus"\)/],
    ['a bad open time', { marketOpen: { time: '9:30', timeZone: 'UTC' } }, 'marketOpen.time', /HH:MM.*\(got "9:30"\)/],
  ])('%s', (_name, options, path, message) => {
    const issues = issuesOf(options);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe(path);
    expect(issues[0]!.message).toMatch(message);
  });

  it('lists several problems at once, with the caller’s own issues', () => {
    let error: ConfigError | undefined;
    try {
      resolveSettings(
        { strategy: '', warnAt: 2, breakers: { drawdown: { threshold: 'x' }, orderRate: { maxOrders: 0, window: NaN } }, figuresDebounceMs: -1 },
        [{ path: 'store', message: 'must be false' }],
      );
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.issues.map((i) => i.path).sort()).toEqual(
      ['breakers.drawdown.threshold', 'breakers.orderRate.maxOrders', 'breakers.orderRate.window', 'figuresDebounceMs', 'store', 'strategy', 'warnAt'].sort(),
    );
    expect(error!.message).toMatch(/^invalid configuration: 7 problems:/);
  });

  it('toConfigIssues prefixes paths (as the server config does)', () => {
    const parsed = runtimeSettingsSchema.safeParse({ strategy: 'a', breakers: { drawdon: {} } }, { reportInput: true });
    expect(parsed.success).toBe(false);
    expect(toConfigIssues(parsed.error!, 'strategies.a')).toEqual([{ path: 'strategies.a.breakers.drawdon', message: 'unknown key; did you mean drawdown? (got {})' }]);
  });
});
