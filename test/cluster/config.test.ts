/** The `cluster.replicas` option: 1 (the default: one server) or 3, anything else refused by name. */
import { describe, expect, it } from 'vitest';
import { clusterSchema, publicCluster, resolveCluster } from '../../src/clusterConfig.ts';

const base = { servers: 'nats://127.0.0.1:4222', firm: 'acme' };

describe('cluster.replicas', () => {
  it('defaults to 1, takes 3, and is shown in the effective configuration', () => {
    expect(resolveCluster(clusterSchema.parse(base))!.replicas).toBe(1);
    const three = resolveCluster(clusterSchema.parse({ ...base, replicas: 3 }));
    expect(three!.replicas).toBe(3);
    expect(publicCluster(three)).toMatchObject({ replicas: 3 });
  });

  it.each([0, 2, 5, '3', 3.0000001, -1, null])('refuses %s naming the field', (replicas) => {
    const result = clusterSchema.safeParse({ ...base, replicas });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['replicas'], message: expect.stringContaining('must be 1 or 3') });
  });
});
