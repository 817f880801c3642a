import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(import.meta.dirname, 'order.fixture.ts');

/**
 * Compiles the fixture with every `// @ts-expect-error` turned into a plain comment, with the
 * repository's compiler options: the errors must be exactly on the lines those directives guard.
 * (`npm run typecheck` checks the directives themselves: an unused one is an error there.)
 */
function errorsWithoutDirectives(): { expected: Map<number, string>; found: Map<number, string> } {
  const source = readFileSync(FIXTURE, 'utf8');
  const expected = new Map<number, string>();
  source.split('\n').forEach((line, i) => {
    const m = /\/\/ @ts-expect-error (.*)$/.exec(line);
    if (m) expected.set(i + 2, m[1]!); // the directive guards the next line (1-based)
  });
  const stripped = source.replaceAll('// @ts-expect-error', '// expected error:');
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const host = ts.createCompilerHost(parsed.options);
  const read = host.readFile.bind(host);
  host.readFile = (file) => (resolve(file) === FIXTURE ? stripped : read(file));
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError) =>
    resolve(file) === FIXTURE ? ts.createSourceFile(file, stripped, language, true) : getSource(file, language, onError);
  const program = ts.createProgram({ rootNames: [FIXTURE], options: parsed.options, host });
  const found = new Map<number, string>();
  // Only the fixture's own diagnostics (the sources it imports are checked by `npm run typecheck`).
  const file = program.getSourceFile(FIXTURE)!;
  for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
    const line = d.file!.getLineAndCharacterOfPosition(d.start!).line + 1;
    found.set(line, `${found.get(line) ?? ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n`);
  }
  return { expected, found };
}

describe('public types: check(), guard() and status().config (tsd-style fixture compiled with tsc)', () => {
  it('a wrong side, a missing quantity, a widened side and a non-order are compile errors; unknown and any are accepted; config is typed', () => {
    const { expected, found } = errorsWithoutDirectives();
    expect([...found.keys()].sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b));
    expect(expected.size).toBe(9);
    // The errors say why: the side, the missing field, the property that does not exist.
    const at = (why: string) => found.get([...expected].find(([, w]) => w.startsWith(why))![0])!;
    expect(at("side 'hold' is not an OrderSide")).toMatch(/'"hold"' is not assignable to type 'OrderSide'/);
    expect(at('quantity is missing')).toMatch(/Property 'quantity' is missing/);
    expect(at('side widened to string')).toMatch(/Type 'string' is not assignable to type 'OrderSide'/);
    expect(at('config is not unknown')).toMatch(/Property 'noSuchField' does not exist on type 'EffectiveConfig'/);
  }, 60_000);
});
