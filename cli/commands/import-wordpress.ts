import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { SiteConfigSchema } from '../../shared/config/load-config.js';
import type { ArticleDraft } from '../../shared/model/article.js';
import { prepareArticle } from '../../shared/usecases/ingest-article.js';
import { importWxr, type IngestDraft, type WxrImportSummary } from '../../shared/wordpress/wxr-import.js';
import type { CommandContext } from '../main.js';
import { IngestApiClient } from './ingest-api-client.js';

export interface WordPressImportOptions {
  file: string;
  /** Ingest API base URL; undefined with `dryRun`. */
  endpoint: string | undefined;
  secret: string | undefined;
  types: string[];
  json: boolean;
  dryRun: boolean;
  concurrency: number;
  utcOffsetMinutes?: number;
}

/** Reads a `--timezone` value: `+07:00`, `-0330`, `Z` or `UTC`. */
export function parseUtcOffset(value: string): number | undefined {
  if (/^(z|utc)$/i.test(value)) return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(value);
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return minutes > 14 * 60 ? undefined : (match[1] === '-' ? -minutes : minutes);
}

/**
 * `warta import export.xml`: a WordPress export, streamed twice (see shared/wordpress/wxr-import.ts), each
 * published post sent to the ingest API as Warta JSON, exactly as `warta import` sends files.
 * Exit code 0 when every post was accepted, 1 when some were refused or failed or the XML had errors.
 */
export async function importWordPressExport(options: WordPressImportOptions, ctx: CommandContext): Promise<number> {
  try {
    await access(options.file);
  } catch {
    ctx.stderr.write(`warta import: cannot read ${options.file}\n`);
    return 2;
  }
  const ingest: IngestDraft = options.dryRun ? validateOnly(ctx) : sendToApi(options.endpoint as string, options.secret);
  const progress = progressLine(ctx);
  const started = Date.now();
  const summary = await importWxr(() => createReadStream(options.file, { encoding: 'utf8', highWaterMark: 256 * 1024 }), ingest, {
    types: options.types,
    concurrency: options.concurrency,
    ...(options.utcOffsetMinutes !== undefined ? { utcOffsetMinutes: options.utcOffsetMinutes } : {}),
    ...(progress ? { onProgress: progress.update } : {}),
  });
  progress?.done();
  const seconds = (Date.now() - started) / 1000;
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify({ file: options.file, dryRun: options.dryRun, seconds, ...summary }, null, 2)}\n`);
  } else {
    ctx.stdout.write(describe(summary, options, seconds));
  }
  const refused = Object.values(summary.refused).reduce((a, b) => a + b, 0);
  const troubled = refused + summary.failed.length + summary.malformed.length + summary.documentErrors.length;
  return troubled > 0 ? 1 : 0;
}

function sendToApi(endpoint: string, secret: string | undefined): IngestDraft {
  const api = new IngestApiClient(endpoint, secret);
  return (draft: ArticleDraft) => api.post(draft);
}

/** `--dry-run`: every check ingest makes (parsing, validation, sanitizing, size), nothing sent or stored. */
function validateOnly(ctx: CommandContext): IngestDraft {
  const siteUrl = process.env['SITE_URL'] ?? 'https://jurnalpagi.example';
  const site = SiteConfigSchema.parse({ siteUrl, siteTitle: 'warta import', siteDescription: 'warta import', feedsBaseUrl: siteUrl });
  return async (draft) => {
    const prepared = prepareArticle({ body: JSON.stringify(draft), contentType: 'application/json' }, site, ctx.now());
    return prepared.ok ? { status: 'valid' } : { status: 'refused', problems: prepared.problems };
  };
}

/** `n/N posts, rate/s, ETA` rewritten in place, only when stderr is a terminal. */
function progressLine(ctx: CommandContext): { update: (done: number, total: number) => void; done: () => void } | undefined {
  const stream = ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  if (!stream.isTTY) return undefined;
  const started = Date.now();
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 200 && done < total) return;
      last = now;
      const rate = done / Math.max((now - started) / 1000, 0.001);
      const eta = rate > 0 ? Math.max(total - done, 0) / rate : 0;
      stream.write(`\r${done}/${total} posts, ${rate.toFixed(1)}/s, ETA ${formatDuration(eta)}   `);
    },
    done() {
      stream.write('\n');
    },
  };
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function describe(summary: WxrImportSummary, options: WordPressImportOptions, seconds: number): string {
  const lines: string[] = [];
  const pairs = (map: Record<string, number>) => Object.entries(map).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  const refusedCount = Object.values(summary.refused).reduce((a, b) => a + b, 0);
  lines.push(`WordPress export ${options.file}${summary.wxrVersion ? ` (WXR ${summary.wxrVersion}${summary.site ? `, ${summary.site}` : ''})` : ''}: ${summary.posts} published post(s) of type ${options.types.join(', ')}`);
  if (options.dryRun) {
    lines.push(`dry run, nothing stored: ${summary.valid} would be ingested, ${refusedCount} refused`);
  } else {
    lines.push(`created ${summary.created}, updated ${summary.updated}, unchanged ${summary.unchanged}, refused ${refusedCount}, failed ${summary.failed.length} (${seconds.toFixed(1)} s)`);
  }
  lines.push(`skipped: ${pairs(summary.skipped)}`);
  if (refusedCount > 0) {
    lines.push(`refused: ${pairs(summary.refused)}`);
    for (const post of summary.refusedPosts) lines.push(`  refused\t${post.id}\t${post.title || '(no title)'}\t${post.reasons.join('; ')}`);
  }
  for (const post of summary.scheduled) {
    lines.push(`  scheduled\t${post.id}\t${post.title}\t${post.publishAt ?? ''}\theld until its publication time, then public`);
  }
  for (const item of summary.malformed) lines.push(`  malformed\tline ${item.line}, column ${item.column}${item.postId ? `\twp-${item.postId}` : ''}\t${item.message}`);
  for (const error of summary.documentErrors) lines.push(`  XML error\tline ${error.line}, column ${error.column}\t${error.message}`);
  for (const failure of summary.failed) lines.push(`  failed\t${failure.id}\t${failure.message}`);
  if (summary.doctypeIgnored) lines.push('  note: the export declares a DOCTYPE; its entities were not expanded');
  return `${lines.join('\n')}\n`;
}
