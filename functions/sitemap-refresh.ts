import type { Logger } from '@aws-lambda-powertools/logger';
import { feedBuildDependencies, productionDependencies, resolveDependencies, type DependencySource } from '../shared/runtime/dependencies.js';
import { refreshNewsSitemap, type SitemapDeps } from '../shared/sitemaps/build-sitemaps.js';

export interface SitemapRefreshDeps {
  logger: Logger;
  sitemaps: SitemapDeps;
}

/**
 * Scheduled entry point (every few minutes; locally a timer in `warta start`): rebuilds the Google News
 * sitemap so that articles leave it 48 hours after publication even when nothing new is published.
 * Writes nothing when nothing changed.
 */
export function createSitemapRefreshHandler(source: DependencySource<SitemapRefreshDeps>) {
  const deps = resolveDependencies(source);
  return async (): Promise<{ written: string[]; deleted: string[] }> => {
    const { logger, sitemaps } = deps();
    const result = await refreshNewsSitemap(sitemaps);
    if (result.written.length > 0 || result.deleted.length > 0) logger.info('News sitemap refreshed', { ...result });
    return result;
  };
}

export const handler = createSitemapRefreshHandler(() => {
  const deps = productionDependencies();
  const build = feedBuildDependencies(deps);
  if (!build.sitemaps) throw new Error('The feed builder dependencies carry no sitemap store');
  return { logger: deps.logger, sitemaps: { store: build.sitemaps.store, clock: build.sitemaps.clock, publisher: build.publisher, site: build.site } };
});
