/**
 * Symbols in one canonical form (PRODUCT.md, "Inputs and their bounds"): other spellings of a
 * symbol can never be a way around a limit on it; malformed ones are refused with the field and
 * the value, never thrown from check().
 */
import { describe, expect, it } from 'vitest';
import { canonicalSymbol, symbolProblem } from '../../machines/limits/symbol.ts';
import { ConfigError, createRiskRuntime, InvalidInputError, silentLogger } from '../../src/index.ts';
import { harness, only } from '../helpers.ts';

const OFF = only({});
type Options = Parameters<typeof createRiskRuntime>[0];

async function withLimits(limits: NonNullable<Options['limits']>, extra: Partial<Options> = {}) {
  const h = await harness({ breakers: OFF, limits, ...extra });
  h.rt.updatePortfolio({ value: '1000000' });
  return h;
}

/** Spellings of XYZ that must never pass a restriction on XYZ. */
const ATTACKS: [string, string][] = [
  ['trailing space', 'XYZ '],
  ['leading space', ' XYZ'],
  ['newline', 'XYZ\n'],
  ['tab', 'XYZ\t'],
  ['NUL', 'XYZ\0'],
  ['zero-width space', 'XYZ\u200b'],
  ['bidi override', '\u202eXYZ'],
  ['lower case', 'xyz'],
  ['full-width', 'ＸＹＺ'],
  ['line separator', 'XYZ\u2028'],
  ['no-break space', 'XYZ\u00a0'],
  ['zero-width joiner inside', 'X\u200dYZ'],
  ['lone surrogate', 'XYZ\ud800'],
];

describe('symbols: a restriction on XYZ cannot be bypassed by another spelling', () => {
  it.each(ATTACKS)('%s (%j) is rejected, never allowed', async (_name, symbol) => {
    const { rt } = await withLimits({ restrictedSymbols: ['XYZ'] });
    const decision = rt.check({ symbol, side: 'buy', quantity: 1 });
    expect(decision.allowed).toBe(false);
    expect(rt.check({ symbol: 'ABC', side: 'buy', quantity: 1 }).allowed).toBe(true); // the runtime keeps working
  });

  it('lower case is the same symbol (restricted); malformed spellings are MALFORMED_ORDER naming order.symbol and the value', async () => {
    const { rt } = await withLimits({ restrictedSymbols: ['XYZ'] });
    expect(rt.check({ symbol: 'xyz', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_RESTRICTED', reason: 'XYZ is a restricted symbol' });
    expect(rt.check({ symbol: 'xYz', side: 'sell', quantity: 1 })).toMatchObject({ code: 'LIMIT_RESTRICTED' });
    expect(rt.check({ symbol: 'XYZ ', side: 'buy', quantity: 1 })).toMatchObject({ code: 'MALFORMED_ORDER', reason: 'order.symbol: must not begin or end with whitespace (got "XYZ ")' });
    expect(rt.check({ symbol: 'XYZ\u200b', side: 'buy', quantity: 1 })).toMatchObject({ code: 'MALFORMED_ORDER', reason: expect.stringMatching(/^order\.symbol: must not hold control or format characters \(U\+200B at index 3\)/) });
    expect(rt.check({ symbol: 'ＸＹＺ', side: 'buy', quantity: 1 })).toMatchObject({ code: 'MALFORMED_ORDER', reason: expect.stringContaining('NFKC') });
    expect(rt.check({ symbol: 'A  B', side: 'buy', quantity: 1 })).toMatchObject({ code: 'MALFORMED_ORDER', reason: expect.stringContaining('repeated whitespace') });
    expect(rt.check({ symbol: 'X'.repeat(65), side: 'buy', quantity: 1 })).toMatchObject({ code: 'MALFORMED_ORDER', reason: expect.stringContaining('at most 64 characters') });
    expect(rt.check({ symbol: 'X'.repeat(64), side: 'buy', quantity: 1 }).allowed).toBe(true);
    expect(rt.check({ symbol: 'BRK B', side: 'buy', quantity: 1 }).allowed).toBe(true); // one inner space is a symbol
    expect(rt.status().controls.rejections).toEqual({ LIMIT_RESTRICTED: 2 });
  });

  it('per-symbol restriction and the restricted list are canonical too: "xyz" in config restricts XYZ', async () => {
    const { rt } = await withLimits({ restrictedSymbols: ['xyz'], perSymbol: { abc: { restricted: true } } });
    expect(rt.check({ symbol: 'XYZ', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_RESTRICTED' });
    expect(rt.check({ symbol: 'Abc', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_RESTRICTED' });
    expect(rt.status().controls.limits).toMatchObject({ restrictedSymbols: ['XYZ'], perSymbol: { ABC: { restricted: true } } });
  });
});

describe('symbols: one position per symbol, whatever the spelling', () => {
  it('maxPosition 10 on ES is not exceeded through "ES " or "es": 10 across the spellings at most', async () => {
    const { rt } = await withLimits({ perSymbol: { ES: { maxPosition: 10 } } });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 10 }).allowed).toBe(true);
    expect(rt.check({ symbol: 'ES ', side: 'buy', quantity: 10 }).allowed).toBe(false);
    expect(rt.check({ symbol: 'es', side: 'buy', quantity: 10 })).toMatchObject({ code: 'LIMIT_POSITION' });
    expect(rt.check({ symbol: 'Es', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_POSITION' });
    const shown = rt.status().controls.symbols;
    expect(shown.map((s) => [s.symbol, s.projected])).toEqual([['ES', '10']]);
  });

  it('fills and position reports in another case land on the same symbol', async () => {
    const { rt } = await withLimits({ maxPosition: 10 });
    rt.updatePortfolio({ value: '1000000', positions: [{ symbol: 'es', quantity: 6, price: 5000 }] });
    rt.recordFill({ symbol: 'eS', side: 'buy', quantity: 3, price: 5001 });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 2 })).toMatchObject({ code: 'LIMIT_POSITION' });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 1 }).allowed).toBe(true);
    expect(rt.status().controls.symbols).toEqual([expect.objectContaining({ symbol: 'ES', reported: '6', filled: '3', openBuy: '1', lastPrice: '5001' })]);
  });

  it('a malformed fill or report symbol is a data error naming the field and the value (never a new symbol)', async () => {
    const h = await withLimits({ maxPosition: 10 });
    expect(() => h.rt.recordFill({ symbol: 'ES\u200b', side: 'buy', quantity: 3, price: 1 })).toThrow(InvalidInputError);
    expect(() => h.rt.recordFill({ symbol: 'ES\u200b', side: 'buy', quantity: 3, price: 1 })).toThrow(/^fill\.symbol: must not hold control or format characters/);
    expect(() => h.rt.updatePortfolio({ value: '1000000', positions: [{ symbol: ' ES', quantity: 1 }] })).toThrow(/^positions\[0\]\.symbol: must not begin or end with whitespace \(got " ES"\)/);
    expect(h.rt.status().controls.symbols).toEqual([]);
    expect(h.rt.status().breakers.errorRate).toBeDefined();
  });

  it('the duplicate window compares canonical symbols: "es" repeats "ES"', async () => {
    const { rt } = await withLimits({ duplicateWindow: 1000 });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: '10' }).allowed).toBe(true);
    expect(rt.check({ symbol: 'es', side: 'buy', quantity: 1, price: '10' })).toMatchObject({ code: 'LIMIT_DUPLICATE' });
  });
});

describe("symbols: symbolCase 'exact'", () => {
  it('compares exactly as given: "es" is another symbol than "ES"; malformed spellings are still refused', async () => {
    const { rt } = await withLimits({ perSymbol: { ES: { maxPosition: 10 } }, restrictedSymbols: ['XYZ'] }, { symbolCase: 'exact' });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 10 }).allowed).toBe(true);
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_POSITION' });
    expect(rt.check({ symbol: 'es', side: 'buy', quantity: 20 }).allowed).toBe(true);
    expect(rt.check({ symbol: 'XYZ ', side: 'buy', quantity: 1 })).toMatchObject({ code: 'MALFORMED_ORDER' });
    expect(rt.check({ symbol: 'XYZ\u200b', side: 'buy', quantity: 1 })).toMatchObject({ code: 'MALFORMED_ORDER' });
    expect(rt.status().config).toMatchObject({ symbolCase: 'exact' });
  });
});

describe('symbols in the configuration', () => {
  const start = (limits: unknown, extra: object = {}) => createRiskRuntime({ strategy: 's', logger: silentLogger, limits: limits as never, ...extra }).catch((e: unknown) => e);

  it('malformed restricted symbols and per-symbol keys are refused, each with its path', async () => {
    const error = await start({ restrictedSymbols: ['OK', 'XYZ '], perSymbol: { 'ES\u200b': { maxPosition: 1 } } });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual(
      expect.arrayContaining([
        { path: 'limits.restrictedSymbols.1', message: expect.stringContaining('whitespace') },
        { path: 'limits.perSymbol.ES\u200b', message: expect.stringContaining('U+200B') },
      ]),
    );
  });

  it('two per-symbol keys that are one symbol are a config error; with symbolCase exact they are two symbols', async () => {
    const error = await start({ perSymbol: { ES: { maxPosition: 10 }, es: { maxPosition: 1000 } } });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([{ path: 'limits.perSymbol.es', message: expect.stringContaining('the same symbol as "ES"') }]);
    const rt = await start({ perSymbol: { ES: { maxPosition: 10 }, es: { maxPosition: 1000 } } }, { symbolCase: 'exact' });
    expect(rt).not.toBeInstanceOf(Error);
    await (rt as { stop(): Promise<void> }).stop();
  });

  it('symbolCase takes "upper" or "exact" only', async () => {
    const error = await start({}, { symbolCase: 'lower' });
    expect((error as ConfigError).issues).toEqual([{ path: 'symbolCase', message: expect.stringContaining('"upper" or "exact"') }]);
  });
});

describe('canonicalSymbol and symbolProblem (machines/limits/symbol.ts)', () => {
  it('agree: a symbol has a canonical form exactly when it has no problem, and the form is stable', () => {
    const samples = ['ES', 'es', 'BRK B', 'BRK.B', 'é', 'ß', 'ΐ', 'Straße', 'ＸＹＺ', 'e\u0301', 'X\u200b', ' ', 'A\u3000B', 'ǆ', '\u{1d400}', '😀', 'A\u0000'];
    for (const s of samples) {
      for (const mode of ['upper', 'exact'] as const) {
        const canonical = canonicalSymbol(s, mode);
        expect(canonical === null, s).toBe(symbolProblem(s) !== null);
        if (canonical !== null) {
          expect(symbolProblem(canonical), s).toBeNull();
          expect(canonicalSymbol(canonical, mode), s).toBe(canonical);
        }
      }
    }
    expect(canonicalSymbol('aapl', 'upper')).toBe('AAPL');
    expect(canonicalSymbol('aapl', 'exact')).toBe('aapl');
  });

  it('never throws on any value', () => {
    for (const v of [undefined, null, 0, {}, [], Symbol('x'), 'x'.repeat(1 << 20)]) expect(() => symbolProblem(v)).not.toThrow();
    expect(symbolProblem('x'.repeat(1 << 20))).toBe('must be at most 64 characters long');
  });
});

describe('symbols over HTTP (the sidecar API): the same refusal as through the API', () => {
  it('orders, fills and position reports with a malformed symbol are 400 VALIDATION naming the field; lower case is the symbol', async () => {
    const { call, startTestServer } = await import('../server/helpers.ts');
    const s = await startTestServer();
    try {
      const post = (path: string, body: unknown) => call(s.url, 'POST', `/api/strategies/alpha-1/${path}`, { body });
      expect((await post('portfolio', { value: '100000' })).status).toBe(200);
      for (const [path, body] of [
        ['orders/check', { symbol: 'AAPL\u200b', side: 'buy', quantity: 1 }],
        ['fills', { symbol: 'AAPL ', side: 'buy', quantity: 1, price: '1' }],
        ['portfolio', { value: '100000', positions: [{ symbol: '\u202eAAPL', quantity: '1' }] }],
      ] as const) {
        const res = await post(path, body);
        expect(res.status, path).toBe(400);
        expect(res.body.error, path).toMatchObject({ code: 'VALIDATION', field: expect.stringContaining('symbol'), message: expect.stringMatching(/control or format|whitespace/) });
      }
      expect((await post('fills', { symbol: 'aapl', side: 'buy', quantity: 2, price: '10' })).status).toBe(200);
      expect(s.runtimes.get('alpha-1')!.status().controls.symbols.map((r) => r.symbol)).toEqual(['AAPL']);
    } finally {
      await s.close();
    }
  });
});
