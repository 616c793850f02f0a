// The local mail server: `node infra/smtp/server.mjs`. A real SMTP server (smtp-server) on
// 127.0.0.1:SMTP_PORT (default 2525) that accepts every message and keeps it, parsed (mailparser),
// as one JSON file in the mailbox folder; a small HTTP reader of that folder on SMTP_HTTP_PORT
// (default 2526). What the services send lands here, so tests can take the mailbox as witness.
// Recipients whose local part starts with `bounce` are refused at RCPT TO (550 5.1.1): a hard
// bounce on demand. A message whose Message-ID the mailbox holds already (same recipients) is
// accepted but not stored again, as real receivers collapse it: its `receipts` is counted up and
// the duplicate logged. A demo for one machine: no TLS, no authentication, never expose it.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { clearMailbox, deliverMessage, listMessages, mailboxStats, readMessage } from './mailbox.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const host = process.env.SMTP_HOST || '127.0.0.1';
const port = Number(process.env.SMTP_PORT ?? 2525);
const httpPort = Number(process.env.SMTP_HTTP_PORT ?? 2526);
const mailbox = resolve(process.env.SMTP_MAILBOX_DIR || join(ROOT, '.run', 'mailbox'));
const maxBytes = Number(process.env.SMTP_MAX_MESSAGE_BYTES ?? 10 * 1024 * 1024);
const BOUNCE = /^bounce([+.-][^@]*)?@/i;

const log = (msg, fields = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), msg, ...fields }));

/** Header lines as a record, keys lower-cased; a header given more than once is a list. */
function headersOf(headerLines) {
  const headers = {};
  for (const { key, line } of headerLines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    const existing = headers[key];
    headers[key] = existing === undefined ? value : [].concat(existing, value);
  }
  return headers;
}

const addresses = (field) => (field ? [].concat(field).flatMap((f) => f.value.map((v) => v.address)) : []);

async function receive(stream, session) {
  const parsed = await simpleParser(stream, { skipImageLinks: true, skipTextToHtml: true });
  const headers = headersOf(parsed.headerLines);
  return deliverMessage(mailbox, {
    receivedAt: new Date().toISOString(),
    envelope: {
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
      rcptTo: session.envelope.rcptTo.map((r) => r.address),
    },
    messageId: parsed.messageId ?? null,
    from: addresses(parsed.from)[0] ?? null,
    to: addresses(parsed.to),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : null,
    listUnsubscribe: headers['list-unsubscribe'] ?? null,
    listUnsubscribePost: headers['list-unsubscribe-post'] ?? null,
    headers,
  });
}

const smtp = new SMTPServer({
  name: 'crm-mail.local',
  banner: 'CRM local mail server (demo)',
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  size: maxBytes,
  logger: false,
  onRcptTo(address, _session, callback) {
    if (BOUNCE.test(address.address)) {
      log('recipient refused (hard bounce)', { to: address.address });
      const error = new Error('5.1.1 mailbox unavailable');
      error.responseCode = 550;
      return callback(error);
    }
    callback();
  },
  onData(stream, session, callback) {
    receive(stream, session).then(
      ({ stored, duplicate }) => {
        if (stream.sizeExceeded) {
          const error = new Error(`5.3.4 message larger than ${maxBytes} bytes`);
          error.responseCode = 552;
          return callback(error);
        }
        if (duplicate)
          log('duplicate message collapsed', {
            id: stored.id,
            messageId: stored.messageId,
            to: stored.envelope.rcptTo,
            receipts: stored.receipts,
          });
        else log('message received', { id: stored.id, to: stored.envelope.rcptTo, subject: stored.subject });
        callback(null, `2.0.0 queued as ${stored.id}`);
      },
      (error) => {
        log('message refused', { error: String(error) });
        const refused = new Error('4.3.0 could not store the message');
        refused.responseCode = 451;
        callback(refused);
      },
    );
  },
});
const fatal = (what) => (error) => {
  log(`${what} failed`, { error: String(error) });
  // A port taken (another mail server already serves it) ends this one.
  if (error.code === 'EADDRINUSE' || error.code === 'EACCES') process.exit(1);
};
smtp.on('error', fatal('smtp'));

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

/**
 * GET /messages[?to=&subject=&messageId=] (oldest first), GET /messages/:id, GET /stats (messages
 * stored, SMTP receipts, duplicates), DELETE /messages, GET /health.
 */
const http = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://mailbox');
  Promise.resolve()
    .then(async () => {
      if (url.pathname === '/health') return json(res, 200, { status: 'ok', mailbox });
      if (url.pathname === '/messages' && req.method === 'GET') {
        const to = url.searchParams.get('to');
        const subject = url.searchParams.get('subject');
        const messageId = url.searchParams.get('messageId');
        const messages = (await listMessages(mailbox)).filter(
          (m) =>
            (!to || m.envelope.rcptTo.some((r) => r.toLowerCase() === to.toLowerCase())) &&
            (!subject || m.subject.includes(subject)) &&
            (!messageId || m.messageId === messageId),
        );
        return json(res, 200, messages);
      }
      if (url.pathname === '/stats' && req.method === 'GET')
        return json(res, 200, await mailboxStats(mailbox));
      if (url.pathname === '/messages' && req.method === 'DELETE') {
        return json(res, 200, { deleted: await clearMailbox(mailbox) });
      }
      const one = /^\/messages\/([\w-]+)$/.exec(url.pathname);
      if (one && req.method === 'GET') {
        const message = await readMessage(mailbox, one[1]);
        return message ? json(res, 200, message) : json(res, 404, { error: 'no such message' });
      }
      json(res, 404, { error: 'not found' });
    })
    .catch((error) => json(res, 500, { error: String(error) }));
});

let listening = 0;
const ready = () => {
  if (++listening < 2) return;
  const ports = { smtpPort: smtp.server.address().port, httpPort: http.address().port };
  // Written once listening: of two servers started at once, the one that serves owns the file.
  if (process.env.SMTP_PID_FILE) writeFileSync(process.env.SMTP_PID_FILE, String(process.pid));
  log('mail server listening', { host, ...ports, mailbox });
};
http.on('error', fatal('http'));
smtp.listen(port, host, ready);
http.listen(httpPort, host, ready);

const stop = () => {
  http.close();
  smtp.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
