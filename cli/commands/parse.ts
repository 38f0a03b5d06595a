import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { contentHash } from '../../shared/article/content-hash.js';
import { SiteConfigSchema } from '../../shared/config/load-config.js';
import { prepareArticle } from '../../shared/usecases/ingest-article.js';
import type { CommandContext } from '../main.js';
import { parseCommandArgs, usageError } from './command-args.js';

export const PARSE_USAGE = `Usage: warta parse [options] FILE

Prints, as JSON, the article FILE would become (raw text, WordPress HTML or Warta JSON),
or the refusal with every problem and exit code 1. Nothing is stored.

Options:
  --format json|html|text   Treat FILE as this format instead of guessing from its name and content
  --site-url URL            Site URL used for derived article URLs (default $SITE_URL or https://jurnalpagi.example)
  --now ISO                 Time used when FILE has no publication time (default: now)
  -h, --help                Show this help
`;

/** `warta parse FILE`: what an integrator runs to check their CMS output without storing anything. */
export async function parseCommand(args: string[], ctx: CommandContext): Promise<number> {
  const parsedArgs = parseCommandArgs(
    'parse',
    PARSE_USAGE,
    {
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        'site-url': { type: 'string' },
        now: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    ctx,
  );
  if (typeof parsedArgs === 'number') return parsedArgs;
  const { values, positionals } = parsedArgs;
  const file = positionals[0];
  if (!file || positionals.length > 1) return usageError('parse', PARSE_USAGE, 'expected exactly one FILE', ctx);
  const contentTypes: Record<string, string> = { json: 'application/json', html: 'text/html', text: 'text/plain' };
  if (values.format && !contentTypes[values.format]) {
    return usageError('parse', PARSE_USAGE, '--format must be json, html or text', ctx);
  }
  const now = values.now ? new Date(values.now) : ctx.now();
  if (Number.isNaN(now.getTime())) {
    return usageError('parse', PARSE_USAGE, '--now must be an ISO 8601 date-time', ctx);
  }
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (error) {
    ctx.stderr.write(`warta parse: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return 2;
  }
  const siteUrl = values['site-url'] ?? process.env['SITE_URL'] ?? 'https://jurnalpagi.example';
  const site = SiteConfigSchema.parse({ siteUrl, siteTitle: 'warta parse', siteDescription: 'warta parse', feedsBaseUrl: siteUrl });

  const prepared = prepareArticle(
    { body, filename: basename(file), ...(values.format ? { format: values.format as 'json' | 'html' | 'text', contentType: contentTypes[values.format] } : {}) },
    site,
    now,
  );
  if (!prepared.ok) {
    ctx.stdout.write(`${JSON.stringify({ status: 'refused', file, detected: prepared.detected, problems: prepared.problems }, null, 2)}\n`);
    return 1;
  }
  const { content, publishedAtGiven, format, detected, formatNote } = prepared;
  const notes = [...(formatNote ? [formatNote] : []), ...(publishedAtGiven ? [] : [`publishedAt: not given; ingest would use the ingest time (here ${content.publishedAt})`])];
  const article = { ...content, contentHash: contentHash(content) };
  ctx.stdout.write(`${JSON.stringify({ status: 'ok', file, format, detected, notes, article }, null, 2)}\n`);
  return 0;
}
