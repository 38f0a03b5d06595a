import { createHash } from 'node:crypto';
import type { Article } from '../../../shared/model/article.js';
import { PartnerSchema, type Partner, type PartnerInput, type PartnerRepository } from '../../../shared/partners/partner.js';

export { InMemoryArticleRepository, InMemoryObjectPublisher, InMemoryPartnerDeliveries } from '../../../shared/storage/in-memory-adapters.js';

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
