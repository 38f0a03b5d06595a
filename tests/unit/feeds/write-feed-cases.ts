import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderFeeds } from '../../../shared/feeds/render-feeds.js';
import { feedCases } from './feed-cases.js';

/**
 * Writes every feed case as <name>.rss/.atom/.json into the directory given as the first
 * argument, and prints one "file=self-url" pair per XML file for the W3C checker.
 */
const outDir = process.argv[2];
if (!outDir) throw new Error('usage: tsx tests/unit/feeds/write-feed-cases.ts <output-dir>');
mkdirSync(outDir, { recursive: true });
for (const feedCase of feedCases()) {
  const rendered = renderFeeds(feedCase.meta, feedCase.articles, feedCase.options);
  for (const format of ['rss', 'atom', 'json'] as const) {
    const file = join(outDir, `${feedCase.name}.${format}`);
    writeFileSync(file, rendered[format]);
    if (format !== 'json') console.log(`${file}=${feedCase.meta.links[format]}`);
  }
}
