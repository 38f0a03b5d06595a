import { createHash } from 'node:crypto';
import { feedPathsForArticle } from '../../../shared/feeds/feed-paths.js';
import type { Article } from '../../../shared/model/article.js';
import { PartnerSchema, type Partner, type PartnerInput, type PartnerRepository } from '../../../shared/partners/partner.js';
import type { ArticleRepository, ObjectPublisher, PublishOptions } from '../../../shared/ports.js';

/** In-memory adapters for pure use-case tests; listings are derived from the stored articles like the DynamoDB adapter does. */
export class InMemoryArticleRepository implements ArticleRepository {
  readonly articles = new Map<string, Article>();

  async get(id: string) {
    return this.articles.get(id);
  }
  async getMany(ids: readonly string[]) {
    return ids.flatMap((id) => {
      const a = this.articles.get(id);
      return a ? [a] : [];
    });
  }
  async save(article: Article) {
    this.articles.set(article.id, article);
  }
  async listFeed(feedPath: string, limit: number) {
    return [...this.articles.values()]
      .filter((a) => feedPathsForArticle(a).includes(feedPath))
      .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt))
      .slice(0, limit);
  }
  async syncListings(articleId: string) {
    const a = this.articles.get(articleId);
    return a ? feedPathsForArticle(a) : [];
  }
}

export class InMemoryPublisher implements ObjectPublisher {
  readonly objects = new Map<string, { body: string; options: PublishOptions }>();

  async publish(key: string, body: string | Uint8Array, options: PublishOptions) {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    if (this.objects.get(key)?.body === text) return 'unchanged' as const;
    this.objects.set(key, { body: text, options });
    return 'written' as const;
  }
  async delete(key: string) {
    this.objects.delete(key);
  }
  async list(prefix: string) {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  json(key: string): unknown {
    const o = this.objects.get(key);
    if (!o) throw new Error(`no object ${key}`);
    return JSON.parse(o.body);
  }
}

export class InMemoryPartnerRepository implements PartnerRepository {
  readonly partners = new Map<string, Partner>();
  async list() {
    return [...this.partners.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
  async get(id: string) {
    return this.partners.get(id);
  }
  async put(partner: Partner) {
    this.partners.set(partner.id, partner);
  }
}

export function makePartner(input: Partial<PartnerInput> & { id: string }): Partner {
  return PartnerSchema.parse({ name: input.id.toUpperCase(), ...input });
}

let counter = 0;
/** A fresh valid article; every call gives a new object. */
export function makeArticle(overrides: Partial<Article> = {}): Article {
  counter += 1;
  const id = overrides.id ?? `artikel-${counter}`;
  const base: Article = {
    id,
    slug: id,
    url: `https://jurnalpagi.example/berita/${id}`,
    title: `Judul berita nomor ${counter} tentang pemilu 2024`,
    summary: 'Ringkasan singkat berita.',
    bodyHtml: '<p>Jakarta (JurnalPagi) – Isi berita.</p>',
    bodyText: 'Jakarta (JurnalPagi) – Isi berita.',
    section: 'Politik',
    tags: ['Pemilu 2024'],
    authors: [{ name: 'Siti Zulikha' }],
    language: 'id',
    images: [],
    relatedHeadlines: [],
    publishedAt: '2024-02-07T09:30:00.000Z',
    updatedAt: '2024-02-07T09:30:00.000Z',
    status: 'published',
    version: 1,
    contentHash: createHash('sha256').update(id).digest('hex'),
  };
  return { ...base, ...overrides };
}
