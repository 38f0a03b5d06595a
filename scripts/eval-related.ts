/**
 * Measures related lists and story groups on a labelled corpus:
 *   npm run eval:related -- <corpus.jsonl> [--json] [--k 5] [--batch N]
 * (--batch N: articles built N at a time by one RelatedBatch, as a stream batch is, instead of one by one)
 * Precision@k of similar/same-story picks against topic labels, recall@10 of the index against an
 * exact brute-force search over the same vectors, and pairwise story precision/recall.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_SETTINGS } from '../shared/related/related-index.js';
import { evaluateCorpus, parseCorpus } from '../shared/related/evaluation.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { json: { type: 'boolean', default: false }, k: { type: 'string', default: String(DEFAULT_SETTINGS.k) }, batch: { type: 'string' } },
});
const corpusPath = positionals[0];
const k = Number(values.k);
const batch = values.batch === undefined ? undefined : Number(values.batch);
if (!corpusPath || !Number.isInteger(k) || k < 1 || (batch !== undefined && (!Number.isInteger(batch) || batch < 1))) {
  process.stderr.write('usage: npm run eval:related -- <corpus.jsonl> [--json] [--k 5] [--batch N]\n');
  process.exit(2);
}

const rows = parseCorpus(await readFile(corpusPath, 'utf8'));
const started = performance.now();
const report = await evaluateCorpus(rows, { ...DEFAULT_SETTINGS, k }, batch === undefined ? {} : { batch });
const seconds = (performance.now() - started) / 1000;

if (values.json) {
  process.stdout.write(`${JSON.stringify({ corpus: corpusPath, seconds: Math.round(seconds * 10) / 10, ...report })}\n`);
} else {
  const s = report.stories;
  const lines: [string, string][] = [
    ['articles', String(report.articles)],
    [`precision@${k} (same topic)`, report.precisionAtK.toFixed(3)],
    ['articles with a pick', `${(report.coverage * 100).toFixed(1)} %`],
    ['recall@10 vs brute force', report.recallAt10.toFixed(3)],
    ['stories', `${s.count} (${s.articlesInStories} articles)`],
    [`story pairwise precision (${s.label})`, s.pairwisePrecision.toFixed(3)],
    [`story pairwise recall (${s.label})`, s.pairwiseRecall.toFixed(3)],
    ['index items read / article', String(report.itemsReadPerArticle)],
    ['index items written / article', String(report.itemsWrittenPerArticle)],
    ['time', `${seconds.toFixed(1)} s`],
  ];
  const width = Math.max(...lines.map(([name]) => name.length));
  for (const [name, value] of lines) process.stdout.write(`${name.padEnd(width)}  ${value}\n`);
  if (s.label === 'topic') {
    process.stdout.write('\nThe corpus has no event labels: story figures are measured against topics, so recall is low by design\n(a topic holds many events) and precision is the meaningful figure.\n');
  }
}
