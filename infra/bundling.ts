import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One set of bundling choices shared by the stack (`NodejsFunction`), `npm run bundle-report`
 * and the cold-import bench, so the sizes and timings measured are those of what is deployed.
 */
export const BUNDLE_TARGET = 'node22';

/**
 * ESM output cannot `require`, yet some dependencies (sanitize-html's CommonJS graph, parts of
 * the SDK) call it; esbuild turns those into `__require` calls that need a real `require` in scope.
 */
export const REQUIRE_SHIM_BANNER =
  "import { createRequire as __wartaCreateRequire } from 'node:module'; const require = __wartaCreateRequire(import.meta.url);";

/** Prefer ESM entry points so esbuild can tree-shake them; fall back to CommonJS `main`. */
export const MAIN_FIELDS = ['module', 'main'];

/**
 * The AWS SDK clients come from the Lambda runtime, which ships SDK v3 with every `client-*`
 * package and `lib-dynamodb`; bundling them would be more reproducible but puts ingest and inbox
 * over 1 MiB (measured: 1.36 MB with the SDK bundled, 0.86 MB without). Everything else, including
 * `@aws-sdk/cloudfront-signer`, which the runtime is not documented to include, is bundled.
 */
export const EXTERNAL_MODULES: string[] = ['@aws-sdk/client-*', '@aws-sdk/lib-dynamodb'];

/** Bare imports a bundle may keep: the externals above, and Node built-ins. */
export function isAllowedExternal(specifier: string): boolean {
  return (
    isBuiltin(specifier) ||
    EXTERNAL_MODULES.some((pattern) =>
      pattern.endsWith('*') ? specifier.startsWith(pattern.slice(0, -1)) : specifier === pattern,
    )
  );
}

/** Bundles at or above this size fail the bundle report. */
export const BUNDLE_SIZE_LIMIT_BYTES = 1024 * 1024;

/** Repository root, resolved from this file so the app works from any working directory. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the handler entry files live. */
export const FUNCTIONS_DIR = join(REPO_ROOT, 'functions');

/** The Lambda functions of the pipeline: stable construct id → entry file in `functions/`. */
export const FUNCTION_ENTRIES = {
  Ingest: 'ingest.ts',
  Inbox: 'inbox.ts',
  FeedBuilder: 'feed-builder.ts',
  EmbargoRelease: 'embargo-release.ts',
  RelatedBuilder: 'related-builder.ts',
  PartnerAccess: 'partner-access.ts',
  WordPressSync: 'wordpress-sync.ts',
  SitemapRefresh: 'sitemap-refresh.ts',
} as const;

export type FunctionName = keyof typeof FUNCTION_ENTRIES;

/** Absolute path of a function's entry file; tests that skip bundling may point at another directory. */
export function entryPath(name: FunctionName, functionsDir: string = FUNCTIONS_DIR): string {
  return join(functionsDir, FUNCTION_ENTRIES[name]);
}

/** esbuild options equal to what the stack's `NodejsFunction` bundling passes (minus the output location). */
export function esbuildOptions(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: BUNDLE_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    banner: { js: REQUIRE_SHIM_BANNER },
    external: EXTERNAL_MODULES,
    logLevel: 'silent' as const,
    metafile: true as const,
  };
}
