// Signing keys and secrets of the local OpenID provider, generated at first start into a folder
// of this machine (OIDC_KEYS_DIR, default ~/.local/state/crm-oidc/keys: the provider on port 9400
// is one per machine, whichever checkout started it, and so are its keys) and kept across restarts, so that tokens stay
// valid while the provider restarts. `node infra/oidc/keys.mjs rotate` puts a new signing key in
// front (restart the provider): services fetch the new key by its `kid`, tokens signed by the old
// one stay valid until they expire, as with any identity provider's key rotation.
import { randomBytes, randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair } from 'jose';

export const keysDir = () =>
  process.env.OIDC_KEYS_DIR ?? join(homedir(), '.local', 'state', 'crm-oidc', 'keys');

const KEYS = 'jwks.json';
const SECRETS = 'secrets.json';

async function signingKey(alg) {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg, use: 'sig' };
}

/** Writes `file` only if it does not exist yet (atomically): two first starts keep one set. */
function createOnce(file, content) {
  const temporary = `${file}.${process.pid}.${randomUUID()}`;
  writeFileSync(temporary, JSON.stringify(content, null, 2), { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

const read = (file) => JSON.parse(readFileSync(file, 'utf8'));

/**
 * The provider's private JWKS (an RS256 and an ES256 key; the first one of an algorithm signs) and
 * its secrets (cookie signing keys, the integrator client's secret), created on first use.
 */
export async function loadKeys(dir = keysDir()) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keysFile = join(dir, KEYS);
  const secretsFile = join(dir, SECRETS);
  try {
    return { jwks: read(keysFile), secrets: read(secretsFile) };
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  createOnce(keysFile, { keys: [await signingKey('RS256'), await signingKey('ES256')] });
  createOnce(secretsFile, {
    cookieKeys: [randomBytes(32).toString('base64url')],
    integratorSecret: randomBytes(32).toString('base64url'),
  });
  return { jwks: read(keysFile), secrets: read(secretsFile) };
}

/** A new RS256 and ES256 key in front of the old ones (which still verify until dropped). */
export async function rotateKeys(dir = keysDir()) {
  const { jwks } = await loadKeys(dir);
  const file = join(dir, KEYS);
  const next = { keys: [await signingKey('RS256'), await signingKey('ES256'), ...jwks.keys] };
  writeFileSync(`${file}.next`, JSON.stringify(next, null, 2), { mode: 0o600 });
  renameSync(`${file}.next`, file);
  return next.keys.slice(0, 2).map((k) => k.kid);
}

// Run as a program (through any symlink), not imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] !== 'rotate') {
    console.error('usage: node infra/oidc/keys.mjs rotate   (then restart the provider)');
    process.exit(2);
  }
  console.log(`new signing keys ${(await rotateKeys()).join(', ')}; restart the provider to sign with them`);
}
