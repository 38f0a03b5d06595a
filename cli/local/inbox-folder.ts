import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { MAX_INPUT_BYTES } from '../../shared/parsing/parse-input.js';

/**
 * The local inbox folder, read defensively: it is a drop box anyone with access to the folder can
 * write to, so a file in it is only ever read as a regular file of its own (never through a symbolic
 * or hard link, never a FIFO or device), its size is checked before a byte is read, and a file that
 * cannot be taken is moved aside to `.refused/` with a reason file instead of stopping the job.
 */

/** Files the watcher leaves alone: editors' swap and backup files, hidden files (and `.refused/`), partial downloads. */
export const IGNORED_INBOX_FILE = /(^\.|~$|\.(swp|swx|tmp|part|crdownload)$|^README(\.md)?$)/i;

/** Where refused files go, inside the inbox (hidden, so the watcher ignores it). */
export const REFUSED_FOLDER = '.refused';

/**
 * Longest file name (UTF-8 bytes) the inbox takes. The local S3 stores each object as a file named after
 * its key plus a suffix of up to 22 bytes, and file systems stop at 255 bytes; ids are at most 128 characters.
 */
export const MAX_INBOX_NAME_BYTES = 200;

export type InboxRead = { ok: true; body: Buffer } | { ok: false; reason: string };

/** Names of the candidate files in the inbox (not directories, not ignored names), sorted. */
export async function inboxFileNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory() && !IGNORED_INBOX_FILE.test(e.name))
    .map((e) => e.name)
    .sort();
}

/**
 * Reads one inbox file by name, or says why it cannot be taken. Opened with O_NOFOLLOW (a symbolic link
 * fails to open instead of being followed) and O_NONBLOCK (a FIFO cannot hang the job), then checked on
 * the open handle, so the file cannot be swapped for a link between the check and the read.
 */
export async function readInboxFile(dir: string, name: string, maxBytes = MAX_INPUT_BYTES): Promise<InboxRead> {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) return { ok: false, reason: 'is not a plain file name' };
  const nameBytes = Buffer.byteLength(name, 'utf8');
  if (nameBytes > MAX_INBOX_NAME_BYTES) {
    return { ok: false, reason: `file name is ${nameBytes} bytes; the inbox takes names up to ${MAX_INBOX_NAME_BYTES} bytes` };
  }
  let handle;
  try {
    handle = await open(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') return { ok: false, reason: 'is a symbolic link; the inbox reads regular files only, never through links' };
    if (code === 'ENOENT') return { ok: false, reason: 'is gone' };
    return { ok: false, reason: `cannot be opened (${code ?? (error as Error).message})` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, reason: 'is not a regular file; the inbox reads regular files only' };
    if (info.nlink > 1) return { ok: false, reason: 'has other hard links; the inbox reads only files of its own, never links to files elsewhere' };
    if (info.size > maxBytes) return { ok: false, reason: `is ${info.size} bytes; the largest accepted input is ${maxBytes} bytes` };
    // Read at most one byte past the limit: a file still growing cannot smuggle more in.
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > maxBytes) return { ok: false, reason: `is more than ${maxBytes} bytes; the largest accepted input is ${maxBytes} bytes` };
    return { ok: true, body: buffer.subarray(0, length) };
  } finally {
    await handle.close();
  }
}

/**
 * Moves a refused file (or link: the link itself, never its target) to `.refused/` beside a
 * `<name>.reason.txt` that says why. Over-long names are shortened with a hash so the move and the
 * reason file fit the file system; the reason file keeps the original name. Returns the new relative path.
 */
export async function moveAside(dir: string, name: string, reason: string, now: Date): Promise<string> {
  const folder = join(dir, REFUSED_FOLDER);
  await mkdir(folder, { recursive: true });
  const target = Buffer.byteLength(name, 'utf8') <= MAX_INBOX_NAME_BYTES ? name : shortName(name);
  await rename(join(dir, name), join(folder, target));
  await writeFile(join(folder, `${target}.reason.txt`), `file: ${name}\nrefused: ${now.toISOString()}\nreason: ${reason}\n`, 'utf8');
  return `${REFUSED_FOLDER}/${target}`;
}

function shortName(name: string): string {
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 12);
  const extension = extname(name).slice(0, 16);
  const characters = Array.from(name).slice(0, 100);
  while (Buffer.byteLength(characters.join(''), 'utf8') > 100) characters.pop();
  const stem = characters.join('');
  return `${stem}-${digest}${extension}`;
}
