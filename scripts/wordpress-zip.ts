import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, type Zippable } from 'fflate';

/**
 * `npm run wordpress:zip [out.zip]`: packs integrations/wordpress/warta/ as warta.zip with a top-level
 * `warta/` folder, the layout Plugins → Add New → Upload Plugin expects. Default output: dist/warta.zip.
 */

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const PLUGIN_DIR = join(ROOT, 'integrations', 'wordpress', 'warta');

/** Every file of the plugin folder, as zip entries under `warta/`, in a stable order. */
export function pluginZipEntries(dir = PLUGIN_DIR): Zippable {
  const entries: Zippable = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      if (name.startsWith('.')) continue; // editor and OS files
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      // A fixed timestamp: the same sources give the same zip.
      else entries[`warta/${relative(dir, path).split('\\').join('/')}`] = [readFileSync(path), { mtime: new Date('2024-01-01T00:00:00Z') }];
    }
  };
  walk(dir);
  return entries;
}

export function buildPluginZip(out: string): { out: string; files: number; bytes: number } {
  const entries = pluginZipEntries();
  const zip = zipSync(entries, { level: 9 });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, zip);
  return { out, files: Object.keys(entries).length, bytes: zip.byteLength };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(ROOT, 'dist', 'warta.zip'));
  const built = buildPluginZip(out);
  console.log(`${relative(process.cwd(), built.out) || built.out}: ${built.files} files, ${built.bytes} bytes`);
}
