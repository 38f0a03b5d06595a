import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INPUT_BYTES } from '../../shared/parsing/parse-input.js';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';

const article = (id: string, title: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, title, bodyHtml: `<p>${title}. Isi berita yang cukup panjang untuk dibaca.</p>`, publishedAt: '2024-02-07T09:00:00Z', ...extra });

/**
 * Hostile files in the inbox, before start and while running: none may stop the job, none is read
 * through a link, each is moved to `.refused/` with a reason file and a log line, and good files next to
 * them are still published.
 */
describe('the inbox under hostile files', () => {
  let job: RunningMainJob;
  let dataDir: string;
  let inbox: string;
  let outside: string;
  const secret = 'RAHASIA-DI-LUAR-INBOX-7f3a';
  const longName = `${'a'.repeat(236)}.json`;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'warta-inbox-'));
    inbox = join(dataDir, 'inbox');
    outside = join(dataDir, 'outside');
    await mkdir(inbox, { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'secret.txt'), `${secret}\n\nJakarta (JurnalPagi) – ${secret} ada di luar folder inbox dan tidak boleh terbit.\n`);
    await writeFile(join(outside, 'secret.json'), article('rahasia', secret));
    // Waiting at start: a 241-character name, links out of the folder, an oversized file, a FIFO,
    // an item too large for DynamoDB, markup nested 20,000 deep, and one good article.
    await writeFile(join(inbox, longName), article('panjang', 'Nama berkas terlalu panjang'));
    await symlink('/etc/passwd', join(inbox, 'x.txt'));
    await symlink(join(outside, 'secret.json'), join(inbox, 'tautan.json'));
    await link(join(outside, 'secret.txt'), join(inbox, 'keras.txt'));
    await writeFile(join(inbox, 'besar.txt'), Buffer.alloc(MAX_INPUT_BYTES + 1, 'a'));
    execFileSync('mkfifo', [join(inbox, 'pipa.txt')]);
    await writeFile(join(inbox, 'hakcipta.json'), article('hakcipta', 'Hak cipta raksasa', { copyright: 'Hak Cipta '.repeat(60_000) }));
    await writeFile(join(inbox, 'dalam.json'), article('dalam', 'Bersarang dalam', { bodyHtml: `${'<b>'.repeat(20_000)}teks${'</b>'.repeat(20_000)}` }));
    await writeFile(join(inbox, 'baik-awal.json'), article('baik-awal', 'Berita baik yang menunggu di inbox'));
    job = await startMainJobProcess(['--memory', '--port', '0', '--no-examples', '--data', dataDir, '--inbox', inbox, '--quiet-edge']);
  }, 300_000);

  afterAll(async () => {
    await job?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const feed = async () => (await fetch(`${job.edgeUrl}/feeds/latest.rss`)).text();
  const refusedFolder = () => readdir(join(inbox, '.refused')).catch(() => [] as string[]);

  it('starts despite hostile files waiting, refuses each with a log line and moves it aside with a reason', async () => {
    const output = job.output();
    for (const name of ['x.txt', 'tautan.json', 'keras.txt', 'besar.txt', 'pipa.txt', 'hakcipta.json', longName]) {
      expect(output).toContain(`inbox: ${name} → refused: `);
    }
    expect(output).toMatch(/inbox: x\.txt → refused: is a symbolic link; .*moved to \.refused\/x\.txt/);
    expect(output).toMatch(/inbox: besar\.txt → refused: is \d+ bytes; the largest accepted input is \d+ bytes/);
    expect(output).toMatch(/inbox: keras\.txt → refused: has other hard links/);
    expect(output).toMatch(/inbox: pipa\.txt → refused: is not a regular file/);
    expect(output).toMatch(/file name is 241 bytes; the inbox takes names up to 200 bytes/);
    const refused = await refusedFolder();
    for (const name of ['x.txt', 'tautan.json', 'keras.txt', 'besar.txt', 'pipa.txt', 'hakcipta.json']) {
      expect(refused).toContain(name);
      expect(await readFile(join(inbox, '.refused', `${name}.reason.txt`), 'utf8')).toMatch(new RegExp(`^file: ${name.replace('.', '\\.')}\\nrefused: .+\\nreason: .+`));
    }
    // The long name is shortened with a hash; its reason file keeps the original name.
    const shortened = refused.find((n) => n.startsWith('a'.repeat(100)) && n.endsWith('.json'));
    expect(shortened).toBeDefined();
    expect(await readFile(join(inbox, '.refused', `${shortened}.reason.txt`), 'utf8')).toContain(`file: ${longName}`);
    // Links were moved as links: the files outside are untouched.
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toContain(secret);
    expect(await readFile('/etc/passwd', 'utf8')).toContain('root');
    // What remains in the inbox is what was taken.
    const left = (await readdir(inbox)).filter((n) => n !== '.refused');
    expect(left).toContain('baik-awal.json');
    for (const name of left) expect(['baik-awal.json', 'dalam.json']).toContain(name);
  });

  it('published the good article and nothing read through a link', async () => {
    const xml = await feed();
    expect(xml).toContain('Berita baik yang menunggu di inbox');
    expect(xml).not.toContain(secret);
    expect(xml).not.toMatch(/root:x:0:0/);
  });

  it('refuses hostile files dropped while running the same way, and keeps serving', async () => {
    const drops: [string, () => Promise<void>, RegExp][] = [
      ['lagi.txt', () => symlink('/etc/passwd', join(inbox, 'lagi.txt')), /is a symbolic link/],
      [`${'b'.repeat(241)}.txt`, () => writeFile(join(inbox, `${'b'.repeat(241)}.txt`), 'Judul\n\nIsi.'), /file name is 245 bytes/],
      ['raksasa.json', () => writeFile(join(inbox, 'raksasa.json'), Buffer.alloc(3 * 1024 * 1024, ' ')), /is \d+ bytes; the largest accepted input/],
    ];
    for (const [name, drop, reason] of drops) {
      const logged = job.waitForLine(new RegExp(`inbox: ${name.slice(0, 40)}.* → refused: `), 20_000);
      await drop();
      const line = await logged;
      expect(line).toMatch(reason);
      expect(line).toMatch(/moved to \.refused\//);
    }
    const logged = job.waitForLine(/inbox: baik-kemudian\.json → created baik-kemudian/, 20_000);
    await writeFile(join(inbox, 'baik-kemudian.json'), article('baik-kemudian', 'Berita baik yang datang kemudian'));
    await logged;
    const xml = await feed();
    expect(xml).toContain('Berita baik yang datang kemudian');
    expect(xml).not.toMatch(/root:x:0:0/);
    expect(job.process.exitCode).toBeNull();
  });
});
