import type { Logger } from '@aws-lambda-powertools/logger';
import { embargoedUntil, isVisibleAt } from '../shared/embargo/visibility.js';
import type { ReleaseEvent } from '../shared/embargo/eventbridge-release-scheduler.js';
import { ID_PATTERN } from '../shared/model/article.js';
import { updateRelated, type UpdateRelatedDeps } from '../shared/related/update-related.js';
import { feedBuildDependencies, productionDependencies, resolveDependencies, type DependencySource } from '../shared/runtime/dependencies.js';
import { websubNotifier } from '../shared/runtime/websub-notifier.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../shared/usecases/build-feeds.js';
import { changedFeedTopics, type HubNotifier } from '../shared/websub/notify-hubs.js';

export interface EmbargoReleaseDeps {
  logger: Logger;
  build: BuildFeedsDeps;
  related: UpdateRelatedDeps;
  websub?: HubNotifier;
  /** Waits out the last moments before the publication time (injected: tests move their clock instead). */
  sleep: (ms: number) => Promise<void>;
}

/** A schedule that fires a little early (clock skew) waits for the publication time rather than building too soon. */
export const MAX_EARLY_WAIT_MS = 60_000;

/**
 * Entry point of an article's release schedule (EventBridge Scheduler, `{"articleId": "…"}`): at the
 * publication time it runs what an article change runs, related lists first and then every feed,
 * archive page, sitemap, discovery and partner output, and tells the WebSub hubs. Idempotent: a retried
 * or late release builds the same files; a release of an article since moved later builds nothing new.
 */
export function createEmbargoReleaseHandler(source: DependencySource<EmbargoReleaseDeps>) {
  const deps = resolveDependencies(source);
  return async (event: ReleaseEvent): Promise<{ articleId: string; released: boolean; written: string[] }> => {
    const { build, related, logger, websub, sleep } = deps();
    const articleId = event?.articleId;
    if (typeof articleId !== 'string' || !ID_PATTERN.test(articleId)) {
      throw new Error(`Release event: articleId must be an article id, got ${JSON.stringify(articleId)}`);
    }
    const article = await build.articles.get(articleId);
    const until = article ? embargoedUntil(article, build.clock.now()) : undefined;
    const early = until ? until.getTime() - build.clock.now().getTime() : 0;
    if (early > 0 && early <= MAX_EARLY_WAIT_MS) await sleep(early);
    const relatedResult = await updateRelated(related, [articleId]);
    const result = await buildFeedsForArticles(build, [articleId]);
    if (websub) await websub.notify(changedFeedTopics(result.written, build.site.feedsBaseUrl));
    const stored = await build.articles.get(articleId);
    const released = stored !== undefined && isVisibleAt(stored, build.clock.now());
    logger.info('Article released', {
      articleId,
      released,
      publishedAt: stored?.publishedAt,
      written: result.written.length + relatedResult.written.length,
    });
    return { articleId, released, written: [...relatedResult.written, ...result.written].sort() };
  };
}

export const handler = createEmbargoReleaseHandler(() => {
  const deps = productionDependencies();
  const websub = websubNotifier(deps);
  return {
    logger: deps.logger,
    build: feedBuildDependencies(deps),
    related: { articles: deps.articles, store: deps.related, publisher: deps.publisher, site: deps.config.site, clock: deps.clock },
    ...(websub ? { websub } : {}),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
});
