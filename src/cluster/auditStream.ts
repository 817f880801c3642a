/**
 * The firm's audit stream on JetStream: one stream per firm, a subject per firm/desk/strategy
 * scope (docs/cluster.md). Publishing is acknowledged; reading is an ephemeral ordered fetch.
 */
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { auditStreamName, auditSubjects } from './scopes.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Creates the firm's audit stream unless it exists (no age limit: the firm decides retention). */
export async function ensureAuditStream(jsm: JetStreamManager, firm: string): Promise<void> {
  const name = auditStreamName(firm);
  try {
    await jsm.streams.info(name);
  } catch {
    await jsm.streams.add({ name, subjects: [auditSubjects(firm)], max_age: 0 });
  }
}

/** Publishes one record, resolving once JetStream has acknowledged it. */
export async function publishAudit(js: JetStreamClient, subject: string, record: unknown): Promise<void> {
  await js.publish(subject, enc.encode(JSON.stringify(record)), { timeout: 2000 });
}

/** The records since `since` (ms), at most `limit`, oldest first; an unreadable one says so by its subject. */
export async function readAudit(js: JetStreamClient, firm: string, options: { since?: number; limit: number; subject?: string }): Promise<unknown[]> {
  const consumer = await js.consumers.get(auditStreamName(firm), {
    filter_subjects: options.subject ?? auditSubjects(firm),
    ...(options.since === undefined
      ? { deliver_policy: DeliverPolicy.All }
      : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(options.since).toISOString() }),
  });
  const out: unknown[] = [];
  const messages = await consumer.fetch({ max_messages: options.limit, expires: 1500 });
  for await (const m of messages) {
    try {
      out.push(JSON.parse(dec.decode(m.data)));
    } catch {
      out.push({ unreadable: m.subject });
    }
    if (m.info.pending === 0 || out.length >= options.limit) break;
  }
  return out;
}
