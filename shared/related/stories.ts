import type { SiteConfig } from '../config/load-config.js';
import { FEED_FORMATS, feedObjectKey, type FeedFormat } from '../feeds/feed-paths.js';
import type { FeedMeta } from '../feeds/render-feeds.js';
import type { IndexItem, IndexKey, RelatedIndexStore } from './related-index-store.js';
import { canonicalJson } from './related-lists.js';

/**
 * Story groups: articles about one event share a story id.
 *
 * Merge rules (docs/related.md):
 * - A story starts when an article has a same-story neighbour; its id is the id of the earliest
 *   published article of the pair, and it is never renamed while the group grows.
 * - When an article links articles of two or more stories, they merge into the story founded
 *   earliest (ties: smaller id); the other stories' documents and feeds are deleted.
 * - A withdrawn article leaves its story; a story left with one article is dissolved.
 * - Editing an article never moves it out of its story (only withdrawal does), so links do not flap.
 */

export interface StoryMember {
  id: string;
  title: string;
  url: string;
  publishedAt: string;
}

export interface Story {
  id: string;
  /** Publication time of the founding article; decides which story survives a merge. */
  foundedAt: string;
  /** Newest first. */
  members: StoryMember[];
}

/** Members kept in one story item (about 200 bytes each, far below the 400 KB item cap). */
export const MAX_STORY_MEMBERS = 500;

export const storyKey = (id: string): IndexKey => ({ pk: `STORY#${id}`, sk: 'S' });
export const storyObjectKey = (id: string) => `stories/${id}.json`;
export const storyFeedPath = (id: string) => `story/${id}`;

export async function readStories(store: RelatedIndexStore, ids: readonly string[]): Promise<Story[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const items = await store.getItems(unique.map(storyKey));
  return items.map((i) => ({ id: String(i.id), foundedAt: String(i.foundedAt), members: (i.members as StoryMember[] | undefined) ?? [] }));
}

function storyToItem(story: Story): IndexItem {
  return { ...storyKey(story.id), id: story.id, foundedAt: story.foundedAt, members: story.members };
}

/** Newest first, then id, capped: one order for every writer so rewrites are byte-identical. */
export function sortMembers(members: Iterable<StoryMember>): StoryMember[] {
  const byId = new Map<string, StoryMember>();
  for (const m of members) byId.set(m.id, m);
  return [...byId.values()]
    .sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : a.id < b.id ? -1 : 1))
    .slice(0, MAX_STORY_MEMBERS);
}

/** The story that survives a merge: founded earliest, then smaller id. */
export function survivor(stories: readonly Story[]): Story | undefined {
  return [...stories].sort((a, b) => (a.foundedAt < b.foundedAt ? -1 : a.foundedAt > b.foundedAt ? 1 : a.id < b.id ? -1 : 1))[0];
}

/** Writes a story unless the stored one is identical; says whether it wrote. */
export async function saveStory(store: RelatedIndexStore, story: Story, previous: Story | undefined): Promise<boolean> {
  if (previous && canonicalJson(storyToItem(previous)) === canonicalJson(storyToItem(story))) return false;
  await store.writeItems([storyToItem(story)], []);
  return true;
}

export async function deleteStories(store: RelatedIndexStore, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await store.writeItems([], ids.map(storyKey));
}

/** The story's title: its oldest current article's headline, which names the event as first reported. */
export function storyTitle(story: Story): string {
  return story.members[story.members.length - 1]?.title ?? story.id;
}

/** Bytes of stories/<id>.json. */
export function renderStoryDocument(story: Story): string {
  const doc = {
    id: story.id,
    title: storyTitle(story),
    articles: story.members.map((m) => ({ id: m.id, title: m.title, url: m.url, publishedAt: m.publishedAt })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Feed metadata of feeds/story/<id>.{rss,atom,json}. */
export function storyFeedMeta(story: Story, site: SiteConfig): FeedMeta {
  const path = storyFeedPath(story.id);
  const link = (format: FeedFormat) => `${site.feedsBaseUrl}/${feedObjectKey(path, format)}`;
  return {
    path,
    title: `${site.siteTitle}: ${storyTitle(story)}`,
    description: `Semua berita tentang: ${storyTitle(story)}`,
    siteUrl: site.siteUrl,
    language: site.language,
    links: { rss: link('rss'), atom: link('atom'), json: link('json') },
    // Story feeds are notified to the hubs like every public feed, so they advertise the hub too.
    ...(site.websubHubs?.[0] !== undefined ? { hubUrl: site.websubHubs[0] } : {}),
  };
}

/** S3 keys of one story's document and feeds, with their content types. */
export function storyObjects(id: string): { key: string; contentType: string; format?: FeedFormat }[] {
  return [
    { key: storyObjectKey(id), contentType: 'application/json; charset=utf-8' },
    ...(Object.keys(FEED_FORMATS) as FeedFormat[]).map((format) => ({
      key: feedObjectKey(storyFeedPath(id), format),
      contentType: FEED_FORMATS[format].contentType,
      format,
    })),
  ];
}
