// A TypeScript CommonJS consumer (module nodenext, TypeScript 5.8+): imports compile to require().
import { createRiskRuntime, presets, type RiskRuntime } from 'breakerbox';
import machines = require('breakerbox/machines');

export async function start(): Promise<RiskRuntime> {
  const rt = await createRiskRuntime({ strategy: 'cts', breakers: presets.moderate, store: false });
  console.log(machines.supervisorMachine.id);
  return rt;
}
