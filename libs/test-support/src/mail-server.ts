import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from './env';

const ROOT = join(__dirname, '..', '..', '..');
const SERVER = join(ROOT, 'infra/smtp/server.mjs');

/** A message as the local mail server (infra/smtp) keeps it in its mailbox. */
export interface MailMessage {
  id: string;
  receivedAt: string;
  envelope: { mailFrom: string | null; rcptTo: string[] };
  messageId: string | null;
  from: string | null;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  /** The `List-Unsubscribe` header as sent (RFC 2369), e.g. `<https://...>, <mailto:...>`. */
  listUnsubscribe: string | null;
  /** The `List-Unsubscribe-Post` header (RFC 8058 one-click), e.g. `List-Unsubscribe=One-Click`. */
  listUnsubscribePost: string | null;
  /** Every header, lower-cased names; a header sent more than once is a list. */
  headers: Record<string, string | string[]>;
  /**
   * SMTP deliveries of this message: 1, or more when it was sent again with the same Message-ID
   * to the same recipients (stored once, as receivers that collapse by Message-ID show it).
   */
  receipts: number;
  /** When its last delivery came (its first: `receivedAt`). */
  lastReceivedAt: string;
}

/** The mailbox's counts: messages stored, SMTP deliveries accepted, and the difference. */
export interface MailboxStats {
  messages: number;
  receipts: number;
  /** Deliveries of a message already stored (same Message-ID and recipients): receipts - messages. */
  duplicates: number;
}

export interface MailFilter {
  /** An envelope recipient. */
  to?: string;
  /** Part of the subject. */
  subject?: string;
  /** The Message-ID header, exactly (with its angle brackets). */
  messageId?: string;
}

/** The mailbox of a local mail server, read over its HTTP reader. */
export class Mailbox {
  constructor(readonly url: string) {}

  async list(filter: MailFilter = {}): Promise<MailMessage[]> {
    const query = new URLSearchParams(
      Object.entries(filter).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    const response = await fetch(`${this.url}/messages?${query}`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`mailbox ${this.url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as MailMessage[];
  }

  /** The first message that matches, once it has arrived. */
  async waitFor(filter: MailFilter, timeoutMs = 10_000): Promise<MailMessage> {
    const what = `a message ${JSON.stringify(filter)} in the mailbox ${this.url}`;
    return waitFor(what, async () => (await this.list(filter))[0], timeoutMs, 100);
  }

  async stats(): Promise<MailboxStats> {
    const response = await fetch(`${this.url}/stats`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`mailbox ${this.url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as MailboxStats;
  }

  async clear(): Promise<number> {
    const response = await fetch(`${this.url}/messages`, { method: 'DELETE' });
    return ((await response.json()) as { deleted: number }).deleted;
  }
}

/** Where the services send mail: SMTP_URL, else the local server of `scripts/platform.sh`. */
export const smtpUrl = (): string => process.env.SMTP_URL ?? 'smtp://127.0.0.1:2525';
/** The HTTP reader of that server's mailbox. */
export const mailboxUrl = (): string => process.env.SMTP_MAILBOX_URL ?? 'http://127.0.0.1:2526';

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

let ensured: Promise<{ smtpUrl: string; mailbox: Mailbox }> | undefined;

/**
 * The shared local mail server (SMTP_URL and SMTP_MAILBOX_URL, as `scripts/platform.sh` exports
 * them): started as `platform.sh infra-up` starts it (log and pid in .run/) when it does not
 * answer, and left running, like the identity provider.
 */
export function mailServer(): Promise<{ smtpUrl: string; mailbox: Mailbox }> {
  ensured ??= ensureMailServer().catch((error: unknown) => {
    ensured = undefined;
    throw error;
  });
  return ensured;
}

async function ensureMailServer() {
  const info = { smtpUrl: smtpUrl(), mailbox: new Mailbox(mailboxUrl()) };
  if (await answers(info.mailbox.url)) return info;
  const smtp = /^smtp:\/\/127\.0\.0\.1:(\d+)\/?$/.exec(info.smtpUrl)?.[1];
  const http = /^http:\/\/127\.0\.0\.1:(\d+)\/?$/.exec(info.mailbox.url)?.[1];
  if (!smtp || !http)
    throw new Error(`the mail server ${info.mailbox.url} (SMTP_MAILBOX_URL) does not answer`);
  const run = join(ROOT, '.run');
  mkdirSync(run, { recursive: true });
  const log = openSync(join(run, 'smtp.log'), 'a');
  spawn(process.execPath, [SERVER], {
    cwd: ROOT,
    env: { ...process.env, SMTP_PORT: smtp, SMTP_HTTP_PORT: http, SMTP_PID_FILE: join(run, 'smtp.pid') },
    stdio: ['ignore', log, log],
    detached: true,
  }).unref();
  await waitFor(`the mail server at ${info.mailbox.url}`, () => answers(info.mailbox.url), 30_000, 100);
  return info;
}

/** A line of the mail server's JSON log. */
export interface MailServerLogEntry {
  msg: string;
  [field: string]: unknown;
}

/**
 * A mail server of a test's own: the same program on ports the system picks, with a fresh
 * mailbox folder. stop() ends it and deletes the folder.
 */
export class LocalMailServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly smtpPort: number,
    readonly mailbox: Mailbox,
    readonly mailboxDir: string,
    /** The server's log lines (JSON) so far, as it wrote them: e.g. `duplicate message collapsed`. */
    readonly log: MailServerLogEntry[],
  ) {}

  get smtpUrl(): string {
    return `smtp://127.0.0.1:${this.smtpPort}`;
  }

  static async start(): Promise<LocalMailServer> {
    const dir = mkdtempSync(join(tmpdir(), 'crm-mailbox-'));
    const child = spawn(process.execPath, [SERVER], {
      cwd: ROOT,
      env: { ...process.env, SMTP_PORT: '0', SMTP_HTTP_PORT: '0', SMTP_MAILBOX_DIR: dir, SMTP_PID_FILE: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const log: MailServerLogEntry[] = [];
    const ports = await new Promise<{ smtpPort: number; httpPort: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the mail server did not start in 15 s')), 15_000);
      child.once('exit', (code) => reject(new Error(`the mail server exited (${code}) before listening`)));
      // Read to the end: the server writes a line per message, and a pipe nobody reads blocks it.
      createInterface({ input: child.stdout! }).on('line', (line) => {
        let entry: MailServerLogEntry;
        try {
          entry = JSON.parse(line);
        } catch {
          return;
        }
        log.push(entry);
        if (entry.msg !== 'mail server listening') return;
        clearTimeout(timer);
        resolve({ smtpPort: Number(entry.smtpPort), httpPort: Number(entry.httpPort) });
      });
    });
    return new LocalMailServer(
      child,
      ports.smtpPort,
      new Mailbox(`http://127.0.0.1:${ports.httpPort}`),
      dir,
      log,
    );
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.mailboxDir, { recursive: true, force: true });
  }
}
