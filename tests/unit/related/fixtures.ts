import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { contentHash } from '../../../shared/article/content-hash.js';
import { normalizeDraft } from '../../../shared/article/normalize.js';
import type { SiteConfig } from '../../../shared/config/load-config.js';
import type { Article } from '../../../shared/model/article.js';
import { parseArticleInput } from '../../../shared/parsing/parse-input.js';
import { InMemoryArticleRepository, InMemoryObjectPublisher } from '../../../shared/storage/in-memory-adapters.js';
import { InMemoryRelatedStore } from '../../../shared/related/in-memory-related-store.js';
import type { RelatedIndexStore } from '../../../shared/related/related-index-store.js';
import { updateRelated, type UpdateRelatedDeps } from '../../../shared/related/update-related.js';

export const SITE: SiteConfig = {
  siteUrl: 'https://jurnalpagi.example',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita terkini',
  language: 'id',
  defaultSection: 'Berita',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
  feedItemLimit: 50,
  feedMaxAgeSeconds: 300,
  feedMaxBytes: 2_000_000,
};

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples', 'articles');
/** The outlet's sample article, shipped with the examples (a fresh clone has nothing beside the repository). */
export const SAMPLE_ARTICLE = join(EXAMPLES_DIR, '000_1274e15701f62eef.txt');

/** A stored Article from plain paragraphs, through the real normalizer. */
export function makeArticle(input: {
  id: string;
  title: string;
  paragraphs: readonly string[];
  publishedAt: string;
  section?: string;
  status?: 'published' | 'withdrawn';
  relatedHeadlines?: { text: string }[];
}): Article {
  const parsed = parseArticleInput({
    body: JSON.stringify({
      id: input.id,
      title: input.title,
      bodyHtml: input.paragraphs.map((p) => `<p>${p}</p>`).join('\n'),
      section: input.section ?? 'Nasional',
      publishedAt: input.publishedAt,
      status: input.status ?? 'published',
      relatedHeadlines: input.relatedHeadlines ?? [],
    }),
    contentType: 'application/json',
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return toArticle(parsed.value.draft);
}

function toArticle(draft: Parameters<typeof normalizeDraft>[0]): Article {
  const normalized = normalizeDraft(draft, SITE, new Date('2024-02-01T00:00:00Z'));
  if (!normalized.ok) throw new Error(JSON.stringify(normalized.problems));
  const content = normalized.value.content;
  return { ...content, updatedAt: content.publishedAt, version: 1, contentHash: contentHash(content) };
}

/** An input file (our JSON or the outlet's raw text) as a stored Article. */
export function loadArticleFile(path: string): Article {
  const parsed = parseArticleInput({ body: readFileSync(path), filename: path });
  if (!parsed.ok) throw new Error(`${path}: ${JSON.stringify(parsed.problems)}`);
  return toArticle(parsed.value.draft);
}

/** Every JSON example article. */
export function exampleArticles(): Article[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadArticleFile(join(EXAMPLES_DIR, f)));
}

export interface Harness {
  deps: UpdateRelatedDeps;
  articles: InMemoryArticleRepository;
  publisher: InMemoryObjectPublisher;
  store: RelatedIndexStore;
  /** Saves (or replaces) an article as the ingest would, then runs the related builder on it. */
  put(article: Article): Promise<{ written: string[]; deleted: string[] }>;
  /** Parsed related/<id>.json, or undefined when not published. */
  related(id: string): { id: string; related: { id?: string; title: string; score?: number; reason: string }[] } | undefined;
}

export function harness(store: RelatedIndexStore = new InMemoryRelatedStore()): Harness {
  const articles = new InMemoryArticleRepository();
  const publisher = new InMemoryObjectPublisher();
  const deps: UpdateRelatedDeps = { articles, store, publisher, site: SITE, clock: { now: () => new Date('2024-03-01T00:00:00Z') } };
  return {
    deps,
    articles,
    publisher,
    store,
    async put(article) {
      const stored = await articles.get(article.id);
      await articles.save(stored ? { ...article, version: stored.version + 1 } : article, stored?.version);
      return updateRelated(deps, [article.id]);
    },
    related(id) {
      const text = publisher.text(`related/${id}.json`);
      return text ? JSON.parse(text) : undefined;
    },
  };
}

/** A flood report in Semarang and hand-edited rewrites of it, plus articles on unrelated subjects. */
export const FLOOD_PARAGRAPHS = [
  'Banjir merendam ribuan rumah di Kota Semarang, Jawa Tengah, setelah hujan deras mengguyur sejak Selasa malam hingga Rabu pagi.',
  'Badan Penanggulangan Bencana Daerah (BPBD) Kota Semarang mencatat 3.200 rumah di Kecamatan Genuk, Pedurungan dan Gayamsari terendam dengan ketinggian air 50 sentimeter hingga satu meter.',
  'Kepala BPBD Semarang Endro Pudyo Martanto mengatakan tim gabungan mengevakuasi 1.150 warga ke posko pengungsian di masjid dan gedung sekolah.',
  'Sungai Babon dan Kanal Banjir Timur meluap karena debit air naik tajam, sementara pompa di Stasiun Tawang bekerja penuh untuk menyedot genangan.',
  'Perjalanan kereta api dari Stasiun Tawang terganggu dan sejumlah jadwal dialihkan melalui jalur selatan.',
  'Wali Kota Semarang Hevearita Gunaryanti Rahayu meminta warga di bantaran sungai tetap waspada karena BMKG memperkirakan hujan lebat masih turun tiga hari ke depan.',
];

export const UNRELATED: { id: string; title: string; section: string; paragraphs: string[] }[] = [
  {
    id: 'inflasi-januari',
    title: 'BPS catat inflasi Januari 2,57 persen, harga beras naik',
    section: 'Ekonomi',
    paragraphs: [
      'Badan Pusat Statistik mencatat inflasi tahunan Januari sebesar 2,57 persen, didorong kenaikan harga beras dan cabai merah.',
      'Deputi Bidang Statistik Distribusi dan Jasa BPS menyebut kelompok makanan, minuman dan tembakau memberi andil terbesar.',
      'Bank Indonesia memperkirakan inflasi tetap terkendali dalam sasaran 2,5 plus minus satu persen sepanjang tahun.',
    ],
  },
  {
    id: 'timnas-piala-asia',
    title: 'Timnas Indonesia lolos ke babak 16 besar Piala Asia',
    section: 'Olahraga',
    paragraphs: [
      'Tim nasional sepak bola Indonesia memastikan tiket babak 16 besar Piala Asia sebagai salah satu peringkat ketiga terbaik.',
      'Pelatih Shin Tae-yong memuji semangat pemain muda yang tampil tanpa beban melawan Vietnam dan Jepang.',
      'Indonesia akan menghadapi Australia di Stadion Jassim bin Hamad, Doha, pada Minggu malam.',
    ],
  },
  {
    id: 'sidang-korupsi-tol',
    title: 'Hakim tunda sidang korupsi proyek jalan tol Trans Sumatera',
    section: 'Hukum',
    paragraphs: [
      'Majelis hakim Pengadilan Tindak Pidana Korupsi Jakarta menunda sidang perkara korupsi proyek jalan tol Trans Sumatera.',
      'Jaksa penuntut umum belum siap menghadirkan tiga saksi dari kontraktor pelaksana yang dijadwalkan bersaksi.',
      'Terdakwa didakwa merugikan keuangan negara Rp 1,2 triliun dalam pengadaan lahan dan pekerjaan konstruksi.',
    ],
  },
  {
    id: 'satelit-satria',
    title: 'Satelit SATRIA-1 mulai layani sekolah dan puskesmas di Papua',
    section: 'Teknologi',
    paragraphs: [
      'Satelit SATRIA-1 mulai menyalurkan internet ke sekolah, puskesmas dan kantor desa di pedalaman Papua.',
      'Bakti Kominfo menyebut kapasitas 150 gigabit per detik akan menjangkau 37 ribu titik layanan publik.',
      'Kepala sekolah di Kabupaten Yahukimo mengatakan murid kini bisa mengikuti ujian berbasis komputer tanpa pergi ke kota.',
    ],
  },
];
