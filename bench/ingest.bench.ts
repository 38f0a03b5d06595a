/**
 * Local ingest throughput (`npm run bench -- ingest [--quick]`): the real local runtime (`warta start
 * --memory`, dynalite + s3rver in its process) takes 1,000 synthetic articles from `warta import` at
 * concurrency 8, as a newsroom's archive import would. Reports articles/s as the import prints it (the
 * API answers once an article is stored), then the time until the feeds hold the last article (one
 * more article sent with `?wait=1`, which answers after the build that includes it, and builds run in
 * order). Goal (issue 12): at least 30 articles/s. `--quick`: 200 articles.
 * Results: bench/results/ingest.json.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMainJobProcess } from '../tests/support/main-job-process.js';
import { syntheticArticle, writeSyntheticArchive } from '../tests/support/synthetic-archive.js';

const QUICK = process.argv.includes('--quick');
const COUNT = QUICK ? 200 : 1_000;
const CONCURRENCY = 8;
const CLI = fileURLToPath(new URL('../cli/warta.mjs', import.meta.url));
const RESULTS = join(import.meta.dirname, 'results');

/** Runs `warta import` as a user would and returns its closing line. */
function runImport(folder: string, dataDir: string): Promise<{ line: string; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'import', folder, '--data', dataDir, '--concurrency', String(CONCURRENCY)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (exitCode) => {
      const line = output.split('\n').find((l) => l.startsWith('imported ')) ?? output.slice(-2000);
      resolve({ line, exitCode });
    });
  });
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'warta-ingest-bench-'));
  const folder = join(work, 'articles');
  const dataDir = join(work, 'data');
  await writeSyntheticArchive(folder, COUNT, 12);
  const loadAtStart = loadavg().map((l) => round(l, 2));
  const job = await startMainJobProcess(['--memory', '--no-examples', '--port', '0', '--data', dataDir, '--quiet-edge']);
  try {
    const started = performance.now();
    const imported = await runImport(folder, dataDir);
    const importSeconds = (performance.now() - started) / 1000;
    const rate = /\(([\d.]+) articles\/s\)/.exec(imported.line)?.[1];
    if (imported.exitCode !== 0 || rate === undefined) throw new Error(`warta import failed (${imported.exitCode}): ${imported.line}`);
    console.log(`${COUNT} articles at concurrency ${CONCURRENCY}: ${imported.line}`);

    // One more article, answered after the build that includes it: every earlier one is built by then.
    const last = { ...syntheticArticle(COUNT, 12), id: 'ingest-bench-last' };
    const waitStarted = performance.now();
    // node:http rather than fetch: the answer may take longer than fetch's 300 s header timeout on a loaded machine.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${job.apiUrl}/articles?wait=1`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      });
      req.once('error', reject);
      req.end(JSON.stringify(last));
    });
    if (status < 200 || status >= 300) throw new Error(`POST ?wait=1 answered ${status}`);
    const drainSeconds = (performance.now() - waitStarted) / 1000;
    const feedsUpToDate = importSeconds + drainSeconds;
    const result = {
      bench: 'ingest',
      quick: QUICK,
      node: process.version,
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg().map((l) => round(l, 2)) },
      runtime: 'warta start --memory (dynalite + s3rver in process), warta import over HTTP',
      articles: COUNT,
      concurrency: CONCURRENCY,
      importLine: imported.line,
      articlesPerSecond: Number(rate),
      importSeconds: round(importSeconds),
      secondsUntilFeedsHoldEverything: round(feedsUpToDate),
      articlesPerSecondUntilFeedsUpToDate: round(COUNT / feedsUpToDate),
      goalArticlesPerSecond: 30,
    };
    console.log(
      `feeds hold every article ${result.secondsUntilFeedsHoldEverything} s after the import started (${result.articlesPerSecondUntilFeedsUpToDate} articles/s end to end); ` +
        `goal ≥ 30 articles/s: ${result.articlesPerSecond >= 30 ? 'met' : 'NOT met'}; load ${result.machine.loadAverageAtEnd.join(' / ')} on ${result.machine.cpus} CPUs`,
    );
    writeFileSync(join(RESULTS, QUICK ? 'ingest-quick.json' : 'ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await job.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
