import { generateKeyPairSync, randomInt } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Local stand-in for a CloudFront trusted key group: RSA-2048 key pairs under `<dataDir>/keys/`.
 * Every `*.public.pem` there is trusted by the local edge; `active-key-id` names the one that signs.
 * The folder lives in the git-ignored data directory (`.warta/` by default).
 */

export interface LocalKeyPair {
  keyPairId: string;
  privateKeyPem: string;
  publicKeyPem: string;
  dir: string;
}

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const KEY_ID_PATTERN = /^K[A-Z0-9]{13}$/;
const ACTIVE_FILE = 'active-key-id';

function keysDir(dataDir: string): string {
  return join(dataDir, 'keys');
}

/** A key id shaped like CloudFront's: `K` and 13 uppercase letters or digits. */
export function newKeyPairId(): string {
  let id = 'K';
  for (let i = 0; i < 13; i += 1) id += KEY_ID_ALPHABET[randomInt(KEY_ID_ALPHABET.length)];
  return id;
}

async function createKeyPair(dir: string): Promise<LocalKeyPair> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const keyPairId = newKeyPairId();
  const privatePath = join(dir, `${keyPairId}.private.pem`);
  await writeFile(privatePath, privateKey, { mode: 0o600 });
  // writeFile's mode is filtered by the umask; make 0600 explicit.
  await chmod(privatePath, 0o600);
  await writeFile(join(dir, `${keyPairId}.public.pem`), publicKey, { mode: 0o644 });
  return { keyPairId, privateKeyPem: privateKey, publicKeyPem: publicKey, dir };
}

async function readActive(dir: string): Promise<LocalKeyPair | undefined> {
  let keyPairId: string;
  try {
    keyPairId = (await readFile(join(dir, ACTIVE_FILE), 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!KEY_ID_PATTERN.test(keyPairId)) throw new Error(`${join(dir, ACTIVE_FILE)} does not name a key id`);
  const [privateKeyPem, publicKeyPem] = await Promise.all([
    readFile(join(dir, `${keyPairId}.private.pem`), 'utf8'),
    readFile(join(dir, `${keyPairId}.public.pem`), 'utf8'),
  ]);
  return { keyPairId, privateKeyPem, publicKeyPem, dir };
}

/** The active signing key pair, created (RSA-2048, private key mode 0600) on first use. */
export async function ensureLocalKeyPair(dataDir: string): Promise<LocalKeyPair> {
  const dir = keysDir(dataDir);
  const existing = await readActive(dir);
  if (existing) return existing;
  const created = await createKeyPair(dir);
  await writeFile(join(dir, ACTIVE_FILE), `${created.keyPairId}\n`);
  return created;
}

/** Every trusted public key by key pair id: all `*.public.pem` files, so old and new keys overlap during rotation. */
export async function loadTrustedPublicKeys(dataDir: string): Promise<Map<string, string>> {
  const dir = keysDir(dataDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const keys = new Map<string, string>();
  for (const name of names.sort()) {
    const match = /^(K[A-Z0-9]{13})\.public\.pem$/.exec(name);
    if (match?.[1]) keys.set(match[1], await readFile(join(dir, name), 'utf8'));
  }
  return keys;
}

/** Creates a new key pair and makes it the signing key; the previous public key stays trusted until retired. */
export async function rotateLocalKeyPair(dataDir: string): Promise<LocalKeyPair> {
  const dir = keysDir(dataDir);
  const created = await createKeyPair(dir);
  await writeFile(join(dir, ACTIVE_FILE), `${created.keyPairId}\n`);
  return created;
}

/** Removes a key pair from the trusted set; refuses to retire the active signing key. */
export async function retireLocalKey(dataDir: string, keyPairId: string): Promise<void> {
  if (!KEY_ID_PATTERN.test(keyPairId)) throw new Error(`Not a key pair id: ${keyPairId}`);
  const dir = keysDir(dataDir);
  const active = await readActive(dir);
  if (active?.keyPairId === keyPairId) throw new Error(`${keyPairId} is the active signing key; rotate first`);
  await rm(join(dir, `${keyPairId}.public.pem`), { force: true });
  await rm(join(dir, `${keyPairId}.private.pem`), { force: true });
}
