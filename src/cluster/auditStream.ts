/**
 * The firm's audit stream on JetStream: one stream per firm, a subject per firm/desk/strategy
 * scope (docs/cluster.md). Publishing is acknowledged; reading is an ephemeral ordered fetch.
 */
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { checkAudit, type InvalidRecord } from './records.ts';
import { auditStreamName, auditSubjects } from './scopes.ts';

const enc = new TextEncoder();

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

/** The records since `since` (ms), at most `limit`, oldest first; one that fails validation says so by its subject and sequence. */
export async function readAudit(
  js: JetStreamClient,
  firm: string,
  options: { since?: number; limit: number; subject?: string },
  onInvalid: (record: InvalidRecord) => void = () => undefined,
): Promise<unknown[]> {
  const consumer = await js.consumers.get(auditStreamName(firm), {
    filter_subjects: options.subject ?? auditSubjects(firm),
    ...(options.since === undefined
      ? { deliver_policy: DeliverPolicy.All }
      : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(options.since).toISOString() }),
  });
  const out: unknown[] = [];
  const messages = await consumer.fetch({ max_messages: options.limit, expires: 1500 });
  for await (const m of messages) {
    const key = `${m.subject}#${m.seq}`;
    const checked = checkAudit(key, m.data);
    if (checked.ok) out.push(checked.value);
    else {
      // Shown by where it is, never as if it were a record.
      onInvalid(checked.invalid);
      out.push({ unreadable: m.subject, seq: m.seq, problem: checked.invalid.problem });
    }
    if (m.info.pending === 0 || out.length >= options.limit) break;
  }
  return out;
}
