import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as natsConnect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

/** A free loopback port (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A real `nats-server -js` on a free loopback port, its store in a temp directory. */
export class NatsServer {
  readonly port: number;
  readonly dir: string;
  child: ChildProcess | null = null;
  output = '';

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async start(): Promise<NatsServer> {
    const server = new NatsServer(await freePort(), mkdtempSync(join(tmpdir(), 'bb-nats-')));
    await server.restart();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** (Re)starts the server on the same port and store. */
  async restart(): Promise<void> {
    const child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    const until = Date.now() + 10_000;
    while (!(await listening(this.port))) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`nats-server did not start:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGKILL (a crash), waiting until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }
}

/** Polls `predicate` every 5 ms until it holds; throws after `ms` (default 2 s). */
export async function until(predicate: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Three `nats-server` processes with JetStream on free loopback ports, routed to each other (a
 * `cluster` block in each one's config), each with its store in its own temp directory. Any
 * node can be killed and restarted on its port and store.
 */
export class NatsCluster {
  readonly nodes: ClusterNode[];

  private constructor(nodes: ClusterNode[]) {
    this.nodes = nodes;
  }

  static async start(size = 3): Promise<NatsCluster> {
    const ports = await Promise.all(Array.from({ length: size * 2 }, () => freePort()));
    const clusterPorts = ports.slice(size);
    const nodes = Array.from({ length: size }, (_, i) => new ClusterNode(`n${i}`, ports[i]!, clusterPorts[i]!, clusterPorts));
    const cluster = new NatsCluster(nodes);
    await Promise.all(nodes.map((n) => n.restart()));
    await cluster.jetStreamReady();
    return cluster;
  }

  /** Resolves once JetStream answers through the running nodes (a meta leader is elected). */
  async jetStreamReady(ms = 30_000): Promise<void> {
    const nc = await natsConnect({ servers: this.nodes.filter((n) => n.running).map((n) => n.url) });
    try {
      const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 1000 });
      const end = Date.now() + ms;
      for (;;) {
        try {
          await jsm.getAccountInfo();
          return;
        } catch (error) {
          if (Date.now() > end) throw new Error(`JetStream not ready: ${(error as Error).message}\n${this.output()}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      await nc.close();
    }
  }

  /** Every node's client URL (what a process is given). */
  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
  }

  /** Everything the servers logged last (for a failure's message). */
  output(chars = 1500): string {
    return this.nodes.map((n) => `--- ${n.name}:\n${n.output.slice(-chars)}`).join('\n');
  }
}

/** One node of a {@link NatsCluster}. */
export class ClusterNode {
  readonly name: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly dir: string;
  readonly #routes: number[];
  child: ChildProcess | null = null;
  output = '';

  constructor(name: string, port: number, clusterPort: number, routes: number[]) {
    this.name = name;
    this.port = port;
    this.clusterPort = clusterPort;
    this.#routes = routes;
    this.dir = mkdtempSync(join(tmpdir(), `bb-nats-${name}-`));
    writeFileSync(
      join(this.dir, 'server.conf'),
      [
        `server_name: ${name}`,
        `listen: 127.0.0.1:${port}`,
        `jetstream { store_dir: "${join(this.dir, 'js')}" }`,
        `cluster {`,
        `  name: bbtest`,
        `  listen: 127.0.0.1:${clusterPort}`,
        `  routes: [${routes.map((p) => `nats-route://127.0.0.1:${p}`).join(', ')}]`,
        `}`,
      ].join('\n'),
    );
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** (Re)starts the node on its port and store; resolves once it accepts clients. */
  async restart(): Promise<void> {
    const child = spawn('nats-server', ['-c', join(this.dir, 'server.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    const until = Date.now() + 15_000;
    while (!(await listening(this.port))) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`nats-server ${this.name} did not start:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGKILL (a crash), waiting until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }
}
