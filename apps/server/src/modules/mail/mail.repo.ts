import type { Queryable } from '../../db/connect.ts';

export interface OutboxMessage {
  id: number;
  to_address: string;
  subject: string;
  body_text: string;
}

export async function insertOutboxMessage(tx: Queryable, message: { to: string; subject: string; text: string }): Promise<void> {
  await tx.query('INSERT INTO email_outbox (to_address, subject, body_text) VALUES ($1, $2, $3)', [
    message.to,
    message.subject,
    message.text,
  ]);
}

/** Claims unsent messages; SKIP LOCKED lets several server instances deliver without sending twice. */
export async function findUnsentMessagesForUpdate(tx: Queryable, limit: number): Promise<OutboxMessage[]> {
  const { rows } = await tx.query<OutboxMessage>(
    `SELECT id, to_address, subject, body_text FROM email_outbox
      WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

export async function markMessageSent(tx: Queryable, id: number): Promise<void> {
  await tx.query('UPDATE email_outbox SET sent_at = now(), last_error = NULL WHERE id = $1', [id]);
}

export async function markMessageFailed(tx: Queryable, id: number, error: string): Promise<void> {
  await tx.query('UPDATE email_outbox SET last_error = $2 WHERE id = $1', [id, error.slice(0, 500)]);
}
