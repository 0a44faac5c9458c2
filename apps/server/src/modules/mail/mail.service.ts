import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Queryable } from '../../db/connect.ts';
import type { Tenancy } from '../../db/tenant.ts';
import { findUnsentMessagesForUpdate, insertOutboxMessage, markMessageFailed, markMessageSent } from './mail.repo.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export type MailService = ReturnType<typeof createMailService>;

/**
 * Mail goes into the outbox inside the transaction that decided to send it (so a rolled-back sign-up
 * sends nothing), and a delivery loop sends it: through SMTP when configured; otherwise, in
 * development, it is printed so a newcomer can click the link. Production never prints mail.
 */
export function createMailService(deps: {
  tenancy: Tenancy;
  log: Logger;
  smtpUrl: string | undefined;
  from: string;
  printWithoutSmtp: boolean;
  print?: (text: string) => void;
}) {
  const transport = deps.smtpUrl ? nodemailer.createTransport(deps.smtpUrl) : undefined;
  const print = deps.print ?? ((text: string) => process.stdout.write(text));
  let warnedNoSmtp = false;

  async function deliverPending(): Promise<number> {
    if (!transport && !deps.printWithoutSmtp) {
      if (!warnedNoSmtp) deps.log.warn('SMTP_URL is not set: e-mail waits in the outbox and is not delivered');
      warnedNoSmtp = true;
      return 0;
    }
    return deps.tenancy.withSystemTx('mail delivery: the instance outbox', async (tx) => {
      const messages = await findUnsentMessagesForUpdate(tx, 20);
      for (const message of messages) {
        try {
          if (transport) {
            await transport.sendMail({ from: deps.from, to: message.to_address, subject: message.subject, text: message.body_text });
          } else {
            print(`\n--- Development outbox (no SMTP_URL) ---\nTo: ${message.to_address}\nSubject: ${message.subject}\n\n${message.body_text}\n---\n`);
          }
          await markMessageSent(tx, message.id);
        } catch (error) {
          deps.log.warn({ messageId: message.id }, 'e-mail delivery failed; will retry');
          await markMessageFailed(tx, message.id, (error as Error).message);
        }
      }
      return messages.length;
    });
  }

  return {
    /** Queues a message in the caller's transaction. */
    enqueue: (tx: Queryable, message: MailMessage) => insertOutboxMessage(tx, message),
    deliverPending,
    /** Polls the outbox until stopped. */
    startDelivery(intervalMs = 2000): () => void {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        deliverPending()
          .catch((error: unknown) => deps.log.error({ err: error }, 'outbox delivery failed'))
          .finally(() => {
            running = false;
          });
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
