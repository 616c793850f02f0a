// The mailbox of the local mail server: one JSON file per message received, named so that file
// order is arrival order. Written to a temporary name and renamed, so a reader never sees half a
// message. The server writes it; the HTTP reader of server.mjs (and anything on this machine)
// reads it.
//
// Like real receivers (Gmail and others collapse by Message-ID), a message whose Message-ID the
// mailbox holds already for the same envelope recipients is not stored again: the stored one's
// `receipts` (SMTP deliveries of it, 1 for the first) is counted up instead, so a resend stays
// visible to whoever reads the raw counts.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const NAME = /^(\d{13}-[0-9a-f]{12})\.json$/;
let sequence = 0;

/** What makes two deliveries the same message: its Message-ID to the same envelope recipients. */
const keyOf = (message) =>
  message.messageId
    ? `${message.messageId}\n${[...message.envelope.rcptTo]
        .map((r) => r.toLowerCase())
        .sort()
        .join(',')}`
    : undefined;

/**
 * The mailbox folders this process writes: per folder, stored message id by key, and the counts
 * (`messages` stored, `receipts` SMTP deliveries accepted). Built from the folder on first use.
 */
const folders = new Map();

async function folderOf(dir) {
  let folder = folders.get(dir);
  if (!folder) {
    folder = (async () => {
      const index = new Map();
      const counts = { messages: 0, receipts: 0 };
      for (const message of await listMessages(dir)) {
        counts.messages++;
        counts.receipts += message.receipts ?? 1;
        const key = keyOf(message);
        if (key) index.set(key, message.id);
      }
      return { index, counts, writes: new Map() };
    })();
    folders.set(dir, folder);
  }
  return folder;
}

/** The last write of a stored message, until it is done: the next receipt waits for it. */
function track(folder, id, write) {
  const settled = write.then(
    () => undefined,
    () => undefined,
  );
  folder.writes.set(id, settled);
  void settled.then(() => {
    if (folder.writes.get(id) === settled) folder.writes.delete(id);
  });
}

/** Writes through a temporary name, so a reader never sees half a message. */
async function writeMessage(dir, message) {
  const temporary = join(dir, `.${message.id}.${randomBytes(3).toString('hex')}.tmp`);
  await writeFile(temporary, `${JSON.stringify(message, null, 2)}\n`);
  await rename(temporary, join(dir, `${message.id}.json`));
}

/**
 * Stores a parsed message, or counts one more receipt of the message already stored with its
 * Message-ID and recipients. Answers the stored message and whether this delivery was a duplicate.
 */
export async function deliverMessage(dir, message) {
  await mkdir(dir, { recursive: true });
  const folder = await folderOf(dir);
  const key = keyOf(message);
  folder.counts.receipts++;
  const existing = key && folder.index.get(key);
  if (existing) {
    // Receipts of one message are written one after another (read, count, rename).
    const previous = folder.writes.get(existing) ?? Promise.resolve();
    const write = previous.then(async () => {
      const stored = await readMessage(dir, existing);
      const updated = { ...stored, receipts: (stored.receipts ?? 1) + 1, lastReceivedAt: message.receivedAt };
      await writeMessage(dir, updated);
      return updated;
    });
    track(folder, existing, write);
    return { stored: await write, duplicate: true };
  }
  // Arrival order: milliseconds, then a counter for messages of the same millisecond.
  sequence = (sequence + 1) % 1_000_000;
  const id = `${Date.now()}-${String(sequence).padStart(6, '0')}${randomBytes(3).toString('hex')}`;
  const stored = { id, ...message, receipts: 1, lastReceivedAt: message.receivedAt };
  // Indexed before the write: a second delivery arriving meanwhile is a duplicate of this one.
  if (key) folder.index.set(key, id);
  folder.counts.messages++;
  const write = writeMessage(dir, stored).then(() => stored);
  track(folder, id, write);
  try {
    return { stored: await write, duplicate: false };
  } catch (error) {
    if (key) folder.index.delete(key);
    folder.counts.messages--;
    folder.counts.receipts--;
    throw error;
  }
}

/** Stores a parsed message (a duplicate by Message-ID is counted, not stored); answers the stored one. */
export async function storeMessage(dir, message) {
  return (await deliverMessage(dir, message)).stored;
}

/** How many messages the mailbox holds and how many SMTP deliveries it accepted (duplicates included). */
export async function mailboxStats(dir) {
  const { counts } = await folderOf(dir);
  return { ...counts, duplicates: counts.receipts - counts.messages };
}

/** Every message in the mailbox, oldest first. */
export async function listMessages(dir) {
  let names;
  try {
    names = await readdir(dir);
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  const ids = names.flatMap((name) => NAME.exec(name)?.[1] ?? []).sort();
  const messages = await Promise.all(ids.map((id) => readMessage(dir, id)));
  return messages.filter(Boolean);
}

/** One message by id; undefined when there is none. */
export async function readMessage(dir, id) {
  if (!/^\d{13}-[0-9a-f]{12}$/.test(id)) return undefined;
  try {
    return JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Empties the mailbox (and its counts); answers how many messages it held. */
export async function clearMailbox(dir) {
  const folder = await folderOf(dir);
  await Promise.all([...folder.writes.values()]);
  const messages = await listMessages(dir);
  await Promise.all(messages.map((m) => rm(join(dir, `${m.id}.json`), { force: true })));
  folder.index.clear();
  folder.writes.clear();
  folder.counts.messages = 0;
  folder.counts.receipts = 0;
  return messages.length;
}
