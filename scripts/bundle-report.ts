import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import {
  BUNDLE_SIZE_LIMIT_BYTES,
  FUNCTION_ENTRIES,
  entryPath,
  esbuildOptions,
  isAllowedExternal,
  type FunctionName,
} from '../infra/bundling.js';

/** One function's bundle: its size and the packages that weigh most in it. */
export interface BundleSize {
  name: FunctionName;
  entry: string;
  bytes: number;
  topPackages: Array<{ name: string; bytes: number }>;
  /** Bare package imports left in the bundle, to be resolved by the Lambda runtime. */
  externals: string[];
}

/** Groups a bundle's input bytes by npm package (or by top-level folder for our own code). */
function bytesByPackage(metafile: Metafile, outfile: string): Array<{ name: string; bytes: number }> {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith(outfile.split('/').pop() ?? outfile))?.[1];
  const totals = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 1).join('/');
    totals.set(pkg, (totals.get(pkg) ?? 0) + input.bytesInOutput);
  }
  return [...totals.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Bundles every function that has an entry file with the stack's esbuild options into `outdir`
 * and reports each bundle's size; entries not written yet are listed as missing.
 */
export async function bundleAll(outdir: string): Promise<{ sizes: BundleSize[]; missing: string[] }> {
  const sizes: BundleSize[] = [];
  const missing: string[] = [];
  for (const name of Object.keys(FUNCTION_ENTRIES) as FunctionName[]) {
    const entry = entryPath(name);
    if (!existsSync(entry)) {
      missing.push(`functions/${FUNCTION_ENTRIES[name]}`);
      continue;
    }
    const outfile = join(outdir, name, 'index.mjs');
    const result = await build(esbuildOptions(entry, outfile));
    const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('index.mjs'))?.[1];
    const externals = [...new Set((output?.imports ?? []).filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path))].sort();
    sizes.push({
      name,
      entry: `functions/${FUNCTION_ENTRIES[name]}`,
      bytes: output?.bytes ?? 0,
      topPackages: bytesByPackage(result.metafile, outfile).slice(0, 4),
      externals,
    });
  }
  return { sizes, missing };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/**
 * Prints the size table; the exit code is 1 when a bundle reaches the 1 MiB limit, leaves an
 * import to the runtime that the runtime does not provide, or an entry is missing.
 */
export async function main(): Promise<number> {
  const outdir = mkdtempSync(join(tmpdir(), 'warta-bundles-'));
  try {
    const { sizes, missing } = await bundleAll(outdir);
    const rows = sizes.map((s) => ({
      function: s.name,
      entry: s.entry,
      'minified ESM': kib(s.bytes),
      'of 1 MiB': `${((s.bytes / BUNDLE_SIZE_LIMIT_BYTES) * 100).toFixed(0)}%`,
      verdict: s.bytes >= BUNDLE_SIZE_LIMIT_BYTES ? 'TOO BIG' : s.externals.every(isAllowedExternal) ? 'ok' : 'BAD EXTERNAL',
      'from the runtime': s.externals.join(' '),
      'largest parts': s.topPackages.map((p) => `${p.name} ${kib(p.bytes)}`).join(', '),
    }));
    console.table(rows);
    for (const entry of missing) console.error(`missing entry: ${entry}`);
    const tooBig = sizes.filter((s) => s.bytes >= BUNDLE_SIZE_LIMIT_BYTES);
    if (tooBig.length > 0) console.error(`over the ${kib(BUNDLE_SIZE_LIMIT_BYTES)} limit: ${tooBig.map((s) => s.name).join(', ')}`);
    const badExternals = sizes.filter((s) => !s.externals.every(isAllowedExternal));
    for (const s of badExternals) console.error(`${s.name} leaves unexpected imports to the runtime: ${s.externals.filter((e) => !isAllowedExternal(e)).join(', ')}`);
    return tooBig.length > 0 || missing.length > 0 || badExternals.length > 0 ? 1 : 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main();
}
