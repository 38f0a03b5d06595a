import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENV } from '../shared/config/env-names.js';
import { REPO_ROOT } from '../infra/bundling.js';
import { bundleAll } from '../scripts/bundle-report.js';

/** Runs per module; the median damps the noise of a shared machine. */
const RUNS = Number(process.env.WARTA_BENCH_RUNS ?? 7);

/**
 * Configuration of plausible shape, so a handler that validates its configuration at import time
 * gets as far as it would in Lambda; nothing is contacted while importing.
 */
const LAMBDA_LIKE_ENV: Record<string, string> = {
  AWS_REGION: 'ap-southeast-3',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  NODE_OPTIONS: '--enable-source-maps',
  [ENV.articlesTableName]: 'warta-articles',
  [ENV.feedBucketName]: 'warta-feeds',
  [ENV.inboxBucketName]: 'warta-inbox',
  [ENV.siteUrl]: 'https://www.example.co.id',
  [ENV.siteTitle]: 'Warta',
  [ENV.siteDescription]: 'Berita terbaru',
  [ENV.siteLanguage]: 'id',
  [ENV.defaultSection]: 'Berita',
  [ENV.feedsBaseUrl]: 'https://feeds.example.co.id',
  [ENV.webhookSecretArn]: 'arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:warta-webhook-AbCdEf',
  [ENV.signingKeySecretArn]: 'arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:warta-signing-AbCdEf',
  [ENV.signingKeyPairId]: 'K2JCJMDEHXQW5F',
  [ENV.partnerUrlMaxLifetimeSeconds]: '3600',
};

interface Sample {
  importMs: number;
  processMs: number;
}

/** Starts a fresh `node`, imports the module once and reports the import time and the whole process time. */
function coldImport(file: string): Sample {
  const script = `const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t0));`;
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...LAMBDA_LIKE_ENV },
    encoding: 'utf8',
  });
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
  return { importMs: Number(result.stdout), processMs };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function measure(file: string): { importMs: number; processMs: number } {
  const samples = Array.from({ length: RUNS }, () => coldImport(file));
  return { importMs: median(samples.map((s) => s.importMs)), processMs: median(samples.map((s) => s.processMs)) };
}

/**
 * Bundles every function exactly as the stack does and measures how long a fresh Node process
 * takes to import each bundle (the part of a Lambda cold start the code controls), against an
 * empty module measured in the same run.
 */
export async function run(): Promise<void> {
  // Inside node_modules so the SDK clients left external resolve as they do from the Lambda runtime.
  const cache = join(REPO_ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'warta-cold-import-'));
  try {
    const { sizes, missing } = await bundleAll(outdir);
    const empty = join(outdir, 'empty.mjs');
    writeFileSync(empty, 'export const handler = async () => undefined;\n');
    const baseline = measure(empty);
    const rows = [
      {
        module: 'baseline: empty module',
        'bundle KiB': '0.0',
        'import ms': baseline.importMs.toFixed(1),
        'process ms': baseline.processMs.toFixed(1),
        'process ÷ baseline': '1.00',
        'import − baseline ms': '0.0',
      },
    ];
    for (const size of sizes) {
      const file = join(outdir, size.name, 'index.mjs');
      const m = measure(file);
      rows.push({
        module: size.entry,
        'bundle KiB': (statSync(file).size / 1024).toFixed(1),
        'import ms': m.importMs.toFixed(1),
        'process ms': m.processMs.toFixed(1),
        'process ÷ baseline': (m.processMs / baseline.processMs).toFixed(2),
        'import − baseline ms': (m.importMs - baseline.importMs).toFixed(1),
      });
    }
    const load = loadavg().map((l) => Math.round(l * 100) / 100);
    console.log(`cold import of each Lambda bundle in a fresh node ${process.version} process, median of ${RUNS} runs; load average ${load.join(' / ')} on ${cpus().length} CPUs`);
    console.table(rows);
    // Bundle sizes are those of `npm run bundle-report` (same bundler, same options): recorded with the import times.
    writeFileSync(
      join(REPO_ROOT, 'bench', 'results', 'cold-import.json'),
      `${JSON.stringify({ bench: 'cold-import', node: process.version, date: new Date().toISOString(), runs: RUNS, machine: { cpus: cpus().length, loadAverage: load }, rows, missing }, null, 2)}\n`,
    );
    for (const entry of missing) console.log(`not measured, entry missing: ${entry}`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
