import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../cli/warta.mjs', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../examples/articles/000_1274e15701f62eef.txt', import.meta.url));

function warta(...args: string[]) {
  const out = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('the warta command', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warta-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('parse prints the article the sample would become, without storing anything', () => {
    const { code, stdout } = warta('parse', SAMPLE, '--now', '2024-02-07T05:00:00Z');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.status).toBe('ok');
    expect(result.format).toBe('text');
    expect(result.notes).toEqual(['publishedAt: not given; ingest would use the ingest time (here 2024-02-07T05:00:00.000Z)']);
    expect(result.article).toMatchObject({
      id: '000_1274e15701f62eef',
      title: 'Kementerian Komunikasi dan Informatika mengoordinasikan platform untuk menjaga keamanan layanan dalam pemilu',
      editor: 'Siti Zulikha',
      dateline: { place: 'Jakarta', source: 'JurnalPagi' },
      copyright: 'Hak Cipta © JurnalPagi 2024',
      language: 'id',
    });
    expect(result.article.bodyHtml.match(/<p>/g)).toHaveLength(11);
    expect(result.article.relatedHeadlines).toHaveLength(3);
  });

  it('parse refuses bad input with every problem and exit code 1', async () => {
    const file = join(dir, 'rusak.json');
    await writeFile(file, JSON.stringify({ title: '', bodyHtml: '<p>x</p>', publishedAt: '31/02/2024', tags: 'politik' }));
    const { code, stdout } = warta('parse', file);
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result.status).toBe('refused');
    expect(result.problems.map((p: { field: string }) => p.field).sort()).toEqual(['publishedAt', 'tags', 'title']);
  });

  it('explains itself and rejects misuse with exit code 2', () => {
    expect(warta('--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/Commands:[\s\S]*start[\s\S]*parse[\s\S]*sign-url[\s\S]*partners/) });
    expect(warta('start', '--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/--port N[\s\S]*--data DIR[\s\S]*--inbox DIR[\s\S]*--memory/) });
    expect(warta('parse', '--help').code).toBe(0);
    expect(warta('publish').code).toBe(2);
    expect(warta('parse').code).toBe(2);
    expect(warta('parse', join(dir, 'tidak-ada.txt'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot read/) });
    expect(warta('start', '--port', 'empat').code).toBe(2);
    // Seven processes, each loading the TypeScript sources through tsx: seconds apiece on a busy two-core runner.
  }, 120_000);
});
