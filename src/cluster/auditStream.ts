/**
 * The firm's audit stream on JetStream: one stream per firm, a subject per firm/desk/strategy
 * scope (docs/cluster.md). Publishing is acknowledged; reading is an ephemeral ordered fetch.
 */
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { checkAudit, type InvalidRecord } from './records.ts';
import { auditStreamName, auditSubjects } from './scopes.ts';

const enc = new TextEncoder();

/**
 * Creates the firm's audit stream at `replicas` unless it exists (no age limit: the firm
 * decides retention); one that exists with fewer replicas is raised to `replicas`. Returns the
 * replicas it has.
 */
export async function ensureAuditStream(jsm: JetStreamManager, firm: string, replicas: number): Promise<number> {
  const name = auditStreamName(firm);
  let info;
  try {
    info = await jsm.streams.info(name);
  } catch (error) {
    if (!/stream not found/i.test((error as Error).message)) throw error;
    info = await jsm.streams.add({ name, subjects: [auditSubjects(firm)], max_age: 0, num_replicas: replicas });
  }
  return raiseReplicas(jsm, info.config, replicas);
}

/** Raises a stream's replicas to `replicas` (never lowers them); returns the replicas it has. */
export async function raiseReplicas(jsm: JetStreamManager, config: { name: string; num_replicas: number }, replicas: number): Promise<number> {
  if (config.num_replicas >= replicas) return config.num_replicas;
  const updated = await jsm.streams.update(config.name, { num_replicas: replicas });
  return updated.config.num_replicas;
}

/**
 * Publishes one record, resolving once JetStream has acknowledged it. `msgID` is the record's
 * own id: a retry of a publish whose acknowledgement was lost is dropped by the stream as a
 * duplicate (within its two-minute window), never stored twice.
 */
export async function publishAudit(js: JetStreamClient, subject: string, record: unknown, msgID: string, timeout = 2000): Promise<void> {
  await js.publish(subject, enc.encode(JSON.stringify(record)), { timeout, msgID });
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
