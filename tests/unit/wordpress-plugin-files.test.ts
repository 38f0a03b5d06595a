import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildPluginZip, PLUGIN_DIR } from '../../scripts/wordpress-zip.js';

const hasPhp = spawnSync('sh', ['-c', 'command -v php'], { stdio: 'ignore' }).status === 0;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
const phpFiles = filesUnder(PLUGIN_DIR).filter((f) => f.endsWith('.php'));

/**
 * PHP 8.0+ syntax and functions a PHP 7.4 site cannot run. The machine has one PHP (Debian's 8.2),
 * so 7.4 compatibility is checked with PHP's own tokenizer: the tokens below only exist in newer PHP.
 */
const TOKEN_CHECK = `
$newer = array('T_MATCH', 'T_NULLSAFE_OBJECT_OPERATOR', 'T_ATTRIBUTE', 'T_READONLY', 'T_ENUM', 'T_NAME_QUALIFIED');
$functions = array('str_contains', 'str_starts_with', 'str_ends_with', 'array_is_list', 'get_debug_type', 'fdiv', 'get_resource_id');
$found = array();
foreach (array_slice($argv, 1) as $file) {
  $tokens = token_get_all(file_get_contents($file));
  foreach ($tokens as $i => $token) {
    if (!is_array($token)) continue;
    $name = token_name($token[0]);
    if (in_array($name, $newer, true)) $found[] = "$file:$token[2] uses $name (PHP 8+)";
    if ($name === 'T_STRING' && in_array(strtolower($token[1]), $functions, true)) $found[] = "$file:$token[2] calls $token[1]() (PHP 8+)";
    if ($name === 'T_STRING' && in_array(strtolower($token[1]), array('mixed', 'never'), true)) {
      $prev = $tokens[$i - 1] ?? null; $prev2 = $tokens[$i - 2] ?? null;
      if ($prev === ':' || (is_array($prev) && $prev[0] === T_WHITESPACE && $prev2 === ':')) $found[] = "$file:$token[2] uses the $token[1] return type (PHP 8+)";
    }
  }
}
echo implode("\\n", $found);
`;

describe('the WordPress plugin folder', () => {
  it('has a plugin header WordPress reads and a readme.txt in WordPress’s format', () => {
    const main = readFileSync(join(PLUGIN_DIR, 'warta.php'), 'utf8');
    expect(main).toMatch(/^ \* Plugin Name:\s+Warta$/m);
    expect(main).toMatch(/^ \* Requires PHP:\s+7\.4$/m);
    const version = /^ \* Version:\s+(\S+)$/m.exec(main)?.[1];
    const readme = readFileSync(join(PLUGIN_DIR, 'readme.txt'), 'utf8');
    expect(readme.split('\n')[0]).toBe('=== Warta ===');
    expect(readme).toMatch(new RegExp(`^Stable tag: ${version?.replace(/\./g, '\\.')}$`, 'm'));
    expect(readme).toMatch(/^Requires PHP: 7\.4$/m);
    for (const section of ['Description', 'Installation', 'Frequently Asked Questions', 'Changelog']) {
      expect(readme).toContain(`== ${section} ==`);
    }
  });

  it.skipIf(!hasPhp)('passes php -l on every PHP file (skipped when php is not installed: Debian php-cli)', () => {
    expect(phpFiles.length).toBeGreaterThanOrEqual(8);
    for (const file of phpFiles) {
      const lint = spawnSync('php', ['-l', file], { encoding: 'utf8' });
      expect(lint.status, `${relative(PLUGIN_DIR, file)}: ${lint.stdout}${lint.stderr}`).toBe(0);
    }
  });

  it.skipIf(!hasPhp)('uses no PHP 8-only syntax or functions, so PHP 7.4 runs it (skipped when php is not installed: Debian php-cli)', () => {
    const check = spawnSync('php', ['-r', TOKEN_CHECK, '--', ...phpFiles], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout.trim()).toBe('');
  });

  it.skipIf(!hasPhp)('the PHP 8 check does find PHP 8 code (skipped when php is not installed: Debian php-cli)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warta-php8-'));
    try {
      const file = join(dir, 'newer.php');
      writeFileSync(file, '<?php $a = $b?->c; $d = match ($e) { 1 => 2 }; if (str_contains($f, "g")) {} function h(): mixed { return 1; }\n');
      const check = spawnSync('php', ['-r', TOKEN_CHECK, '--', file], { encoding: 'utf8' });
      expect(check.stdout).toContain('T_NULLSAFE_OBJECT_OPERATOR');
      expect(check.stdout).toContain('T_MATCH');
      expect(check.stdout).toContain('str_contains');
      expect(check.stdout).toContain('mixed return type');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('zips into warta/… with every file of the folder, byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warta-zip-'));
    try {
      const built = buildPluginZip(join(dir, 'warta.zip'));
      const entries = unzipSync(readFileSync(built.out));
      const expected = filesUnder(PLUGIN_DIR).map((f) => `warta/${relative(PLUGIN_DIR, f)}`).sort();
      expect(Object.keys(entries).sort()).toEqual(expected);
      for (const name of expected) {
        expect(Buffer.from(entries[name]!).equals(readFileSync(join(PLUGIN_DIR, name.slice('warta/'.length))))).toBe(true);
      }
      // Same sources, same zip.
      expect(readFileSync(buildPluginZip(join(dir, 'again.zip')).out).equals(readFileSync(built.out))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
