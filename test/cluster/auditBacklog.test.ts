/**
 * The audit backlog lives in memory: a process that stops before its records reached the firm's
 * stream says so, naming how many (docs/cluster.md, "What a restart loses").
 */
import { describe, expect, it } from 'vitest';
import { clusterNodes } from '../../src/cluster/node.ts';
import { createMemoryLogger, createRiskRuntime, ManualClock } from '../../src/index.ts';

describe('the audit backlog at stop', () => {
  it('stopping with records not yet on the stream logs cluster_audit_unpublished with their count', async () => {
    const logger = createMemoryLogger();
    const clock = new ManualClock(Date.now());
    // No server answers: the cluster breaker trips at start, and its trip is an audit record that cannot be published.
    const rt = await createRiskRuntime({ strategy: 'unheard', store: false, clock, logger, cluster: { servers: 'nats://127.0.0.1:1', firm: 'unheard', heartbeatTimeout: 0.5 } });
    expect(rt.status().breakers.cluster).toMatchObject({ state: 'TRIPPED' });
    const node = clusterNodes().find((n) => n.config.firm === 'unheard')!;
    const waiting = node.auditBacklog;
    expect(waiting).toBeGreaterThan(0);
    await rt.stop();
    const line = logger.entries.find((e) => e.event === 'cluster_audit_unpublished');
    expect(line).toMatchObject({ level: 'error', count: waiting });
  });
});
