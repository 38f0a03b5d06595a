import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '../../bench/seeded-random.js';

/**
 * A deterministic synthetic archive of Warta JSON articles for load, crash and memory tests:
 * Indonesian-like words, a handful of sections, tags and authors shared between articles (so
 * feeds overlap and related lists have neighbours), publication times spread over a month.
 * Needs nothing outside the repository.
 */

const SECTIONS = ['Politik', 'Ekonomi', 'Olahraga', 'Nasional', 'Teknologi', 'Budaya'];
const TAGS = [
  'Pemilu 2024', 'Inflasi', 'Banjir', 'Sepak Bola', 'Bulu Tangkis', 'Pangan', 'Energi', 'Pendidikan', 'Kesehatan', 'Transportasi',
  'Pariwisata', 'Pertanian', 'Kopi', 'Ekspor', 'Cuaca', 'Hukum', 'Korupsi', 'Digital', 'Startup', 'Film',
];
const AUTHORS = ['Siti Zulikha', 'Ahmad Fauzi', 'Nurul Hidayah', 'Budi Santoso', 'Dewi Lestari', 'Rizky Pratama', 'Maya Sari', 'Agus Salim'];
const WORDS = (
  'pemerintah daerah warga kota provinsi presiden menteri rapat anggaran harga beras pasar petani nelayan sekolah guru murid ' +
  'rumah sakit dokter pasien jalan tol kereta bandara pelabuhan listrik air bersih hujan banjir longsor gempa gunung api ' +
  'tim nasional pelatih pemain laga final juara medali emas perak festival musik tari batik kopi teh ekspor impor rupiah ' +
  'bank kredit usaha kecil koperasi digital aplikasi data keamanan siber polisi jaksa hakim sidang putusan partai calon ' +
  'kampanye suara tempat pemungutan pengawas relawan bantuan sosial pangan gizi vaksin posyandu desa kabupaten kecamatan'
).split(' ');


export interface SyntheticArticle {
  id: string;
  title: string;
  summary: string;
  bodyHtml: string;
  section: string;
  tags: string[];
  authors: { name: string }[];
  publishedAt: string;
  updatedAt?: string;
}

/** The i-th article of the archive seeded with `seed`. */
export function syntheticArticle(i: number, seed = 1): SyntheticArticle {
  const random = seededRandom(seed * 1_000_003 + i);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const sentence = (n: number) => {
    const words = Array.from({ length: n }, () => pick(WORDS));
    const text = words.join(' ');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  };
  const paragraphs = Array.from({ length: 3 + Math.floor(random() * 5) }, () =>
    `<p>${Array.from({ length: 2 + Math.floor(random() * 3) }, () => sentence(8 + Math.floor(random() * 10))).join(' ')}</p>`,
  );
  const tags = [...new Set([pick(TAGS), pick(TAGS), pick(TAGS)].slice(0, 1 + Math.floor(random() * 3)))];
  const published = new Date(Date.UTC(2024, 1, 1) + Math.floor(random() * 30 * 24 * 3600) * 1000 + i * 1000);
  return {
    id: `synthetic-${seed}-${String(i).padStart(5, '0')}`,
    title: `${sentence(6 + Math.floor(random() * 5)).slice(0, -1)} (${i})`,
    summary: sentence(12),
    bodyHtml: paragraphs.join('\n'),
    section: pick(SECTIONS),
    tags,
    authors: [{ name: pick(AUTHORS) }],
    publishedAt: published.toISOString(),
  };
}

/** Writes `count` articles as `<id>.json` files into `dir`; returns their ids in file-name order. */
export async function writeSyntheticArchive(dir: string, count: number, seed = 1): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const article = syntheticArticle(i, seed);
    await writeFile(join(dir, `${article.id}.json`), JSON.stringify(article));
    ids.push(article.id);
  }
  return ids;
}
