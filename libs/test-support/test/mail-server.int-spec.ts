import { readdirSync } from 'node:fs';
import { createTransport, type Transporter } from 'nodemailer';
import { LocalMailServer } from '@crm/test-support';

/**
 * The local mail server (infra/smtp/server.mjs) as the services will use it: a real process, mail
 * sent over SMTP by nodemailer (no mock transport), read back from its mailbox as the witness.
 */
describe('local mail server', () => {
  let server: LocalMailServer;
  let mailer: Transporter;

  beforeAll(async () => {
    server = await LocalMailServer.start();
    mailer = createTransport({ url: server.smtpUrl, ignoreTLS: true });
  });
  afterAll(async () => {
    mailer?.close();
    await server?.stop();
  });

  it('keeps what it received: envelope, subject, text and the one-click unsubscribe headers', async () => {
    const sent = await mailer.sendMail({
      from: 'CRM Marketing <marketing@crm.example>',
      to: 'ana@example.com',
      subject: 'Spring offers for Ana',
      text: 'Hello Ana,\n\nour spring offers are here.',
      list: { unsubscribe: { url: 'https://crm.example/u/token-1', comment: 'Unsubscribe' } },
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
    expect(sent.accepted).toEqual(['ana@example.com']);

    const message = await server.mailbox.waitFor({ to: 'ana@example.com' });
    expect(message).toMatchObject({
      envelope: { mailFrom: 'marketing@crm.example', rcptTo: ['ana@example.com'] },
      messageId: sent.messageId,
      from: 'marketing@crm.example',
      to: ['ana@example.com'],
      subject: 'Spring offers for Ana',
      listUnsubscribePost: 'List-Unsubscribe=One-Click',
    });
    expect(message.text).toContain('our spring offers are here.');
    expect(message.listUnsubscribe).toContain('<https://crm.example/u/token-1>');
    expect(message.headers['list-unsubscribe']).toBe(message.listUnsubscribe);
    // the witness is a file of the mailbox folder, one per message
    expect(readdirSync(server.mailboxDir)).toContain(`${message.id}.json`);
  });

  it('refuses a hard-bouncing recipient at RCPT TO and delivers to the others', async () => {
    await expect(
      mailer.sendMail({
        from: 'marketing@crm.example',
        to: 'bounce@example.com',
        subject: 'Lost',
        text: '-',
      }),
    ).rejects.toMatchObject({ responseCode: 550 });

    const sent = await mailer.sendMail({
      from: 'marketing@crm.example',
      to: ['bounce+old@example.com', 'bea@example.com'],
      subject: 'Half delivered',
      text: '-',
    });
    expect(sent.rejected).toEqual(['bounce+old@example.com']);
    expect(sent.accepted).toEqual(['bea@example.com']);
    const message = await server.mailbox.waitFor({ subject: 'Half delivered' });
    expect(message.envelope.rcptTo).toEqual(['bea@example.com']);
    expect(await server.mailbox.list({ to: 'bounce@example.com' })).toEqual([]);
  });

  it('lists messages in arrival order, filters them, and empties on request', async () => {
    for (const n of [1, 2, 3])
      await mailer.sendMail({
        from: 'marketing@crm.example',
        to: 'carla@example.com',
        subject: `Issue ${n}`,
        text: `${n}`,
      });
    const carla = await server.mailbox.list({ to: 'carla@example.com' });
    expect(carla.map((m) => m.subject)).toEqual(['Issue 1', 'Issue 2', 'Issue 3']);
    expect((await server.mailbox.list({ subject: 'Issue 2' })).map((m) => m.text.trim())).toEqual(['2']);
    expect(await server.mailbox.clear()).toBeGreaterThanOrEqual(3);
    expect(await server.mailbox.list()).toEqual([]);
  });
});
