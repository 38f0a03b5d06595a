import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUNDLE_SIZE_LIMIT_BYTES,
  FUNCTION_ENTRIES,
  REPO_ROOT,
  REQUIRE_SHIM_BANNER,
  entryPath,
  isAllowedExternal,
  type FunctionName,
} from '../../infra/bundling.js';

/** The environment of a machine with no AWS account: no AWS_* or CDK_* variables, and a HOME without ~/.aws. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('AWS_') || key.startsWith('CDK_')) continue;
    env[key] = value;
  }
  env.HOME = mkdtempSync(join(tmpdir(), 'warta-home-'));
  // Keep npx from asking the registry about `cdk`/`tsx`: both are local devDependencies.
  env.npm_config_offline = 'true';
  return env;
}

function cdkSynth(args: string[]) {
  const outdir = mkdtempSync(join(tmpdir(), 'warta-cdk-out-'));
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', outdir, ...args], {
    cwd: REPO_ROOT,
    env: cleanEnvironment(),
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { ...result, outdir };
}

// The default stack (no partner keys) bundles every function except partner-access.
const bundledByDefault: FunctionName[] = ['Ingest', 'Inbox', 'FeedBuilder', 'RelatedBuilder', 'SitemapRefresh', 'EmbargoRelease'];
const missingEntries = bundledByDefault.filter((name) => !existsSync(entryPath(name))).map((name) => `functions/${FUNCTION_ENTRIES[name]}`);

describe('cdk synth from a clean environment', () => {
  it.skipIf(missingEntries.length > 0)(
    `bundles every function with the local esbuild and synthesizes without credentials, network lookups or Docker${
      missingEntries.length > 0 ? ` [skipped: missing ${missingEntries.join(', ')}]` : ''
    }`,
    () => {
      const result = cdkSynth([]);
      expect(result.status, `${result.stderr}\n${result.stdout}`).toBe(0);
      const manifest = JSON.parse(readFileSync(join(result.outdir, 'manifest.json'), 'utf8')) as { missing?: unknown[] };
      // A context lookup would show up here as missing context to fetch from an account.
      expect(manifest.missing).toBeUndefined();

      const template = JSON.parse(readFileSync(join(result.outdir, 'Warta-prod.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      };
      const functions = Object.entries(template.Resources).filter(
        ([id, r]) => r.Type === 'AWS::Lambda::Function' && bundledByDefault.some((n) => id.startsWith(`${n}Function`)),
      );
      expect(functions).toHaveLength(bundledByDefault.length);
      for (const [id, fn] of functions) {
        const assetHash = ((fn.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
        const assetDir = join(result.outdir, `asset.${assetHash}`);
        expect(readdirSync(assetDir).sort(), id).toEqual(['index.mjs', 'index.mjs.map']);
        const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
        expect(bundle.startsWith(REQUIRE_SHIM_BANNER), id).toBe(true);
        expect(bundle, id).toMatch(/export\s*\{[^}]*\bas handler\b/);
        // Minified: a few very long lines, not one statement per line (esbuild writes strings holding line
        // breaks as template literals, so each such string adds lines; an unminified bundle has tens of thousands).
        expect(bundle.split('\n').length, id).toBeLessThan(400);
        expect(statSync(join(assetDir, 'index.mjs')).size, id).toBeLessThan(BUNDLE_SIZE_LIMIT_BYTES);
        // Only the SDK clients the Lambda runtime ships may be left to it; everything else is inside the bundle.
        const bareImports = [...bundle.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*"((?:@[\w.-]+\/)?[a-z][\w.-]*(?:\/[\w.-]+)*)"/g)].map((m) => m[1] as string);
        expect(bareImports.filter((s) => !isAllowedExternal(s)), id).toEqual([]);
        expect(bareImports.some((s) => s.startsWith('@aws-sdk/client-')), id).toBe(true);
      }
    },
    // Six real esbuild bundles plus cdk-nag on two shared cores.
    240_000,
  );

  it('stops with a readable message naming the bad context value', () => {
    const result = cdkSynth(['-c', 'partnerPublicKeys=[{"id":"only-one","pem":"not a key"}]']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Invalid CDK context');
    expect(result.stderr).toMatch(/partnerPublicKeys.*give at least two/);
    expect(result.stderr).toMatch(/key "only-one": pem is not a PEM public key/);
  });
});
