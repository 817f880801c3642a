import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/server/config.ts';
import { HostPolicy } from '../../src/server/hostPolicy.ts';

describe('Host and Origin policy', () => {
  it('bound to loopback: the bound address and the loopback names with the port pass, others do not', () => {
    const p = new HostPolicy();
    expect(p.hostProblem('evil.example')).toBeNull(); // not listening yet: only inject() can reach the app
    p.bind('127.0.0.1', 8787);
    for (const ok of ['127.0.0.1:8787', 'localhost:8787', '[::1]:8787', 'LOCALHOST:8787']) expect(p.hostProblem(ok), ok).toBeNull();
    for (const bad of ['evil.example:8787', 'localhost:8788', '127.0.0.1', '10.0.0.1:8787', undefined, '']) expect(p.hostProblem(bad), String(bad)).not.toBeNull();
    expect(p.originProblem('http://localhost:8787', 'same-origin')).toBeNull();
    expect(p.originProblem(undefined, undefined)).toBeNull();
    for (const [origin, site] of [['http://evil.example', undefined], ['null', undefined], ['file://x', undefined], [undefined, 'cross-site'], ['http://localhost:3000', 'same-site']] as const) {
      expect(p.originProblem(origin, site), `${origin} ${site}`).not.toBeNull();
    }
  });

  it('bound to a wildcard: IP literals pass, names only when configured; configured names may omit the port', () => {
    const p = new HostPolicy(['risk.example.com', 'proxy.internal:8443']);
    p.bind('0.0.0.0', 8787);
    expect(p.hostProblem('10.1.2.3:8787')).toBeNull();
    expect(p.hostProblem('10.1.2.3:9999')).not.toBeNull();
    expect(p.hostProblem('risk.example.com')).toBeNull();
    expect(p.hostProblem('risk.example.com:443')).toBeNull();
    expect(p.hostProblem('proxy.internal:8443')).toBeNull();
    expect(p.hostProblem('proxy.internal:80')).not.toBeNull();
    expect(p.hostProblem('rebind.attacker.example:8787')).not.toBeNull();
    expect(p.originProblem('https://risk.example.com', 'same-origin')).toBeNull();
  });

  it('is configured from the file and BREAKERBOX_ALLOWED_HOSTS, with stream limits', () => {
    const config = parseServerConfig({ strategies: [{ name: 'a' }], streams: { max: 5 } }, { BREAKERBOX_ALLOWED_HOSTS: 'a.example, b.example:8443' });
    expect(config.allowedHosts).toEqual(['a.example', 'b.example:8443']);
    expect(config.streams).toEqual({ max: 5, bufferBytes: 1_048_576 });
    expect(() => parseServerConfig({ strategies: [{ name: 'a' }], allowedHosts: ['http://x/'] }, {})).toThrow(/allowedHosts/);
  });
});
