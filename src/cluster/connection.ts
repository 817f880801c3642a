/**
 * Opens a process's NATS connection to the firm, with the options the cluster's guarantees rest
 * on: reconnect for ever, notice a silent partition within the heartbeat timeout, authenticate
 * with a credentials file or a token.
 */
import { readFile } from 'node:fs/promises';
import { connect } from '@nats-io/transport-node';
import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import type { ClusterConfig } from '../clusterConfig.ts';

/**
 * Connects to the first server that answers within `timeoutMs`; rejects when the credentials
 * cannot be read or no server answers (the caller retries, and can stop retrying).
 */
export async function openConnection(config: ClusterConfig, processId: string, timeoutMs: number): Promise<NatsConnection> {
  const auth = config.credentials ? { authenticator: credsAuthenticator(await readFile(config.credentials)) } : config.token ? { token: config.token } : {};
  return connect({
    servers: [...config.servers],
    name: `breakerbox ${config.firm}/${config.desk} ${processId}`,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 50,
    waitOnFirstConnect: false,
    timeout: timeoutMs,
    // A silent partition (no TCP reset) is noticed by missed pings within the heartbeat timeout.
    pingInterval: Math.max(250, Math.floor((config.heartbeatTimeout * 1000) / 3)),
    maxPingOut: 2,
    // No stack captured per request: every audit publish is one, and the two Errors captured
    // for it cost about two thirds of its socket write (our own logs say where it started).
    noAsyncTraces: true,
    ...auth,
  });
}
