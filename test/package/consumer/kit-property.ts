// A user's property test with the kit, compiled in a CommonJS project (`npm init -y`: no "type")
// and in an ESM one ("type": "module"): the project's fast-check and the kit's must be one type.
import fc from 'fast-check';
import { checkScenarios, marketPath, scenario, type ScenarioCommand } from 'breakerbox/testing';

fc.assert(fc.property(marketPath({ maxSteps: 7 }), (values) => values.length >= 2));
const commands: fc.Arbitrary<ScenarioCommand[]> = scenario({ maxChunks: 3 });
fc.assert(fc.property(commands, fc.integer(), (cs, n) => cs.length > 0 && Number.isInteger(n)), { numRuns: 20 });
void checkScenarios({ commands, numRuns: 3 }).then(() => console.log('kit ok'));
