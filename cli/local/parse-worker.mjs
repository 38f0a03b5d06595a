// One parse worker of the local runtime (see parse-pool.ts): parses, validates, sanitizes and normalizes one
// input off the main thread. Plain JavaScript because worker threads do not inherit the main thread's tsx
// loader; it registers its own, then loads the same TypeScript the Lambda functions run.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { prepareArticle } = await import('../../shared/usecases/ingest-article.ts');

/**
 * Says "started" on `started` first: the time limit counts from here, not from when the task was queued or
 * while a fresh worker was still loading.
 * @param {{ input: import('../../shared/parsing/parse-input.ts').RawInput; site: unknown; now: string; started?: import('node:worker_threads').MessagePort }} task
 */
export default function prepare({ input, site, now, started }) {
  started?.postMessage('started');
  started?.close();
  return prepareArticle(input, site, new Date(now));
}
