/** What `GET /api/firm` answers, as far as `firm status` prints it. */
export interface FirmStatusView {
  readonly firm: string;
  readonly link: string;
  readonly bucket: string;
  /** False while the link or the bucket is down: the halts are only the last ones seen. */
  readonly haltsKnown?: boolean;
  readonly lagMs: number | null;
  readonly auditBacklog: number;
  readonly halts: readonly { scope: string; operator: string; reason: string; at: string }[];
  readonly strategies: readonly { name: string; desk: string; cluster: string | null }[];
}

/**
 * The lines of `breakerbox firm status`. While the link or the bucket is down the process cannot
 * see the firm's halts, so it says "unknown" (with the last halts it saw) and never "no halts".
 */
export function firmStatusLines(s: FirmStatusView): string[] {
  const seen = s.haltsKnown ?? (s.link === 'up' && s.bucket === 'up');
  const lag = s.lagMs === null ? '' : `, lag ${s.lagMs.toFixed(1)} ms`;
  const backlog = s.auditBacklog > 0 ? `, ${s.auditBacklog} audit records not yet published` : '';
  const lines = [`firm ${s.firm}: link ${s.link}, bucket ${s.bucket}${lag}${backlog}`];
  const halts = s.halts.map((h) => `HALTED ${h.scope} by ${h.operator} at ${h.at}: ${h.reason}`);
  if (seen) lines.push(...(halts.length === 0 ? ['no halts'] : halts));
  else {
    lines.push(`halts: unknown (the ${s.link !== 'up' ? 'link' : 'bucket'} is down; this process cannot see the firm's halts)`);
    if (halts.length > 0) lines.push('last seen before the link was lost:', ...halts.map((h) => `  ${h}`));
  }
  for (const st of s.strategies) lines.push(`  ${st.name} (desk ${st.desk}): cluster ${st.cluster ?? 'unknown'}`);
  return lines;
}
