import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenancy } from '../../db/tenant.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.ts';
import { createMailService } from './mail.service.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

const unsent = async () =>
  (await database.owner.transaction((tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM email_outbox WHERE sent_at IS NULL'))).rows[0]!.n;

describe('outgoing mail', () => {
  it('MON-03 without SMTP, production keeps mail in the outbox and never prints links or tokens', async () => {
    const tenancy = createTenancy(database.db);
    const printed: string[] = [];
    const mail = createMailService({ tenancy, log: pino({ level: 'silent' }), smtpUrl: undefined, from: 'x@example.test', printWithoutSmtp: false, print: (text) => printed.push(text) });
    await tenancy.withSystemTx('queue test mail', (tx) => mail.enqueue(tx, { to: 'p@example.test', subject: 'Reset', text: 'https://x/reset#token=swp_secret' }));
    expect(await mail.deliverPending()).toBe(0);
    expect(printed).toEqual([]);
    expect(await unsent()).toBe(1);
  });

  it('IN-01 in development without SMTP, mail is printed once so a newcomer can click the link', async () => {
    const tenancy = createTenancy(database.db);
    const printed: string[] = [];
    const mail = createMailService({ tenancy, log: pino({ level: 'silent' }), smtpUrl: undefined, from: 'x@example.test', printWithoutSmtp: true, print: (text) => printed.push(text) });
    await mail.deliverPending();
    expect(printed.join('')).toContain('#token=swp_secret');
    expect(await unsent()).toBe(0);
    await mail.deliverPending();
    expect(printed).toHaveLength(1);
  });

  it('IN-01 mail queued in a transaction that rolls back is never sent', async () => {
    const tenancy = createTenancy(database.db);
    const mail = createMailService({ tenancy, log: pino({ level: 'silent' }), smtpUrl: undefined, from: 'x@example.test', printWithoutSmtp: true, print: () => undefined });
    await expect(
      tenancy.withSystemTx('queue test mail', async (tx) => {
        await mail.enqueue(tx, { to: 'q@example.test', subject: 'Never', text: 'never' });
        throw new Error('the sign-up failed');
      }),
    ).rejects.toThrow('the sign-up failed');
    expect(await unsent()).toBe(0);
  });
});

describe('SMTP delivery', () => {
  it('IN-01 with SMTP_URL set, queued mail is delivered to a real SMTP server and marked sent', async () => {
    const received: { to: string; data: string }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address).join(','), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    try {
      const tenancy = createTenancy(database.db);
      const mail = createMailService({
        tenancy,
        log: pino({ level: 'silent' }),
        smtpUrl: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
        from: 'Seatwise <no-reply@example.test>',
        printWithoutSmtp: false,
      });
      await tenancy.withSystemTx('queue test mail', (tx) => mail.enqueue(tx, { to: 'r@example.test', subject: 'Welcome', text: 'Hello over SMTP' }));
      expect(await mail.deliverPending()).toBe(1);
      expect(received).toHaveLength(1);
      expect(received[0]!.to).toBe('r@example.test');
      expect(received[0]!.data).toContain('Subject: Welcome');
      expect(received[0]!.data).toContain('Hello over SMTP');
      expect(await unsent()).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
