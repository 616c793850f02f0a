// The mailbox of the local mail server: one JSON file per message received, named so that file
// order is arrival order. Written to a temporary name and renamed, so a reader never sees half a
// message. The server writes it; the HTTP reader of server.mjs (and anything on this machine)
// reads it.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const NAME = /^(\d{13}-[0-9a-f]{12})\.json$/;
let sequence = 0;

/** Stores a parsed message; answers it with its id. */
export async function storeMessage(dir, message) {
  await mkdir(dir, { recursive: true });
  // Arrival order: milliseconds, then a counter for messages of the same millisecond.
  sequence = (sequence + 1) % 1_000_000;
  const id = `${Date.now()}-${String(sequence).padStart(6, '0')}${randomBytes(3).toString('hex')}`;
  const stored = { id, ...message };
  const temporary = join(dir, `.${id}.tmp`);
  await writeFile(temporary, `${JSON.stringify(stored, null, 2)}\n`);
  await rename(temporary, join(dir, `${id}.json`));
  return stored;
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

/** Empties the mailbox; answers how many messages it held. */
export async function clearMailbox(dir) {
  const messages = await listMessages(dir);
  await Promise.all(messages.map((m) => rm(join(dir, `${m.id}.json`), { force: true })));
  return messages.length;
}
