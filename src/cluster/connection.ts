/**
 * Opens a process's NATS connection to the firm, with the options the cluster's guarantees rest
 * on: reconnect for ever, notice a silent partition within the heartbeat timeout, authenticate
 * with a credentials file or a token.
 */
import { readFile } from 'node:fs/promises';
import { connect } from '@nats-io/transport-node';
import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { ClusterConfig } from '../clusterConfig.ts';
import type { Logger } from '../logger.ts';

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

/** A connection with its JetStream client and manager, each request bounded by the same timeout. */
export interface Connected {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

/**
 * Connects, trying every server in turn until one answers or {@link ConnectLoop.stop} is called.
 * Each try is bounded (the client's own wait for a first connection could not be stopped, and
 * kept a stopping process alive); once connected, the client reconnects by itself.
 */
export class ConnectLoop {
  #stopped = false;
  #wait: NodeJS.Timeout | null = null;
  #wake: () => void = () => undefined;

  /** Resolves with the connection, or null once stopped (a connection made meanwhile is closed). */
  async run(config: ClusterConfig, processId: string, timeoutMs: number, log: Logger): Promise<Connected | null> {
    let lastError = '';
    while (!this.#stopped) {
      try {
        const nc = await openConnection(config, processId, timeoutMs);
        if (this.#stopped) {
          await nc.close().catch(() => undefined);
          return null;
        }
        try {
          return { nc, js: jetstream(nc, { timeout: timeoutMs }), jsm: await jetstreamManager(nc, { timeout: timeoutMs, checkAPI: false }) };
        } catch (error) {
          await nc.close().catch(() => undefined); // never a second connection left reconnecting behind the next try
          throw error;
        }
      } catch (error) {
        // Never an unhandled rejection: the link stays down and the cluster breaker trips in time.
        const message = (error as Error).message;
        if (message !== lastError) log.error({ event: 'cluster_connect_failed', error: message }, 'cannot connect to the cluster: retrying');
        lastError = message;
        await new Promise<void>((resolve) => {
          this.#wait = setTimeout(resolve, 500);
          this.#wait.unref?.();
          this.#wake = resolve;
        });
      }
    }
    return null;
  }

  /** Ends the loop (and its pause between tries) at once. */
  stop(): void {
    this.#stopped = true;
    if (this.#wait) clearTimeout(this.#wait);
    this.#wake();
  }
}
