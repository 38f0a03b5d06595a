/**
 * Runs benchmarks: every bench/*.bench.ts, or only those named on the command line
 * (`npm run bench -- related` or `npm run bench -- bench/related.bench.ts`), in name order.
 * Each module exports `run(): Promise<void>` and prints its own figures; options (`--quick`) stay in
 * process.argv for the modules to read.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = import.meta.dirname;
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--')).map((a) => basename(a).replace(/\.bench\.ts$/, ''));
const unknown = wanted.filter((w) => !available.includes(`${w}.bench.ts`));
if (unknown.length > 0) {
  process.stderr.write(`Unknown bench: ${unknown.join(', ')}. Available: ${available.map((f) => f.replace('.bench.ts', '')).join(', ')}\n`);
  process.exit(2);
}
const selected = wanted.length > 0 ? available.filter((f) => wanted.includes(f.replace('.bench.ts', ''))) : available;

for (const file of selected) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') throw new Error(`${file} does not export run()`);
  process.stdout.write(`\n== ${file.replace('.bench.ts', '')} ==\n`);
  const started = performance.now();
  await mod.run();
  process.stdout.write(`(${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}
