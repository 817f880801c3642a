import { describe, expect, it } from 'vitest';
import { firmStatusLines, type FirmStatusView } from '../../src/present/firmStatus.ts';

const base: FirmStatusView = {
  firm: 'acme',
  link: 'up',
  bucket: 'up',
  lagMs: 1.25,
  auditBacklog: 0,
  halts: [],
  strategies: [{ name: 'alpha', desk: 'rates', cluster: 'NORMAL' }],
};
const halt = { scope: 'desk/rates', operator: 'ops', reason: 'fat finger', at: '2026-12-07T01:00:00.000Z' };

describe('firm status lines', () => {
  it('says "no halts" only when the link and the bucket are up', () => {
    expect(firmStatusLines(base)).toEqual(['firm acme: link up, bucket up, lag 1.3 ms', 'no halts', '  alpha (desk rates): cluster NORMAL']);
  });

  it('says the halts are unknown while the link is down, never "no halts"', () => {
    const lines = firmStatusLines({ ...base, link: 'down', lagMs: null, strategies: [{ name: 'alpha', desk: 'rates', cluster: null }] });
    expect(lines).not.toContain('no halts');
    expect(lines[1]).toBe("halts: unknown (the link is down; this process cannot see the firm's halts)");
    expect(lines).toContain('  alpha (desk rates): cluster unknown');
  });

  it('names the bucket when only the bucket is down, and shows the last halts seen as such', () => {
    const lines = firmStatusLines({ ...base, bucket: 'down', halts: [halt] });
    expect(lines[1]).toContain('the bucket is down');
    expect(lines).toContain('last seen before the link was lost:');
    expect(lines).toContain(`  HALTED desk/rates by ops at ${halt.at}: fat finger`);
  });

  it('lists the halts and the audit backlog while up', () => {
    const lines = firmStatusLines({ ...base, auditBacklog: 3, halts: [halt] });
    expect(lines[0]).toBe('firm acme: link up, bucket up, lag 1.3 ms, 3 audit records not yet published');
    expect(lines[1]).toBe(`HALTED desk/rates by ops at ${halt.at}: fat finger`);
  });
});
