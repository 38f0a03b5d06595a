import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A real WordPress for tests: Debian's `wordpress` package served by `php -S` on 127.0.0.1, on a
 * private MariaDB instance (own datadir and socket in a temporary folder, no system service, no TCP
 * port), installed by a script. Nothing outside the temporary folder is written: the WordPress tree
 * is hard-linked (or copied) into it so that our own wp-config.php replaces Debian's, which would
 * otherwise read /etc/wordpress/config-<host>.php.
 */

const execFileAsync = promisify(execFile);

export const DEBIAN_WORDPRESS = '/usr/share/wordpress';
const MARIADBD_CANDIDATES = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'];

function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() || undefined : undefined;
}

function findUnavailableReason(): string | undefined {
  if (!existsSync(join(DEBIAN_WORDPRESS, 'wp-settings.php'))) return `Debian's wordpress package is not installed (${DEBIAN_WORDPRESS} is missing)`;
  const php = which('php');
  if (!php) return 'php is not on PATH (Debian php-cli)';
  const mysqli = spawnSync(php, ['-r', 'exit(extension_loaded("mysqli") ? 0 : 1);'], { stdio: 'ignore' });
  if (mysqli.status !== 0) return 'PHP lacks the mysqli extension (Debian php-mysql)';
  if (!MARIADBD_CANDIDATES.some((p) => existsSync(p))) return 'mariadbd is not installed (Debian mariadb-server)';
  if (!which('mariadb-install-db') && !which('mysql_install_db')) return 'mariadb-install-db is not installed (Debian mariadb-server)';
  return undefined;
}

/** Why a real WordPress cannot be started here, or undefined when it can. Tests `skipIf` on it and print it. */
export const wordpressUnavailable: string | undefined = findUnavailableReason();

export interface WordPressUser {
  id: number;
  login: string;
  password: string;
  /** An application password for the REST API (HTTP Basic with `login:applicationPassword`). */
  applicationPassword: string;
}

export interface WordPressSite {
  /** `http://127.0.0.1:<port>`, the site's home and site URL. */
  url: string;
  /** The site's own WordPress tree (wp-content/plugins is where plugins go). */
  root: string;
  admin: WordPressUser & { email: string };
  /** The `Authorization` header value for REST calls as the admin with its application password. */
  adminAuthorization: string;
  /** Runs PHP with WordPress loaded (wp-load.php, as the admin user) and returns what it printed. */
  php(code: string): Promise<string>;
  /** Runs `code` as the body of a PHP function with WordPress loaded and returns its JSON-encoded return value. */
  phpJson<T = unknown>(code: string): Promise<T>;
  /** Defines (or redefines) a constant in wp-config.php for later requests and scripts. */
  defineConstant(name: string, value: string | number | boolean): Promise<void>;
  /** Copies a plugin folder into wp-content/plugins and activates it (`folder/main-file.php`). */
  installPlugin(sourceDir: string, mainFile: string): Promise<void>;
  createUser(login: string, role: string): Promise<WordPressUser>;
  /** A request to the site as the logged-in admin (cookies from wp-login.php), e.g. a wp-admin page. */
  adminFetch(path: string, init?: RequestInit): Promise<Response>;
  /** Runs WP-Cron once through HTTP, as a visitor's request would spawn it, and waits for it to finish. */
  runCron(): Promise<void>;
  /** PHP notices, warnings and errors WordPress logged (WP_DEBUG_LOG). */
  debugLog(): Promise<string>;
  /** Everything `php -S` and MariaDB printed, for failure messages. */
  serverOutput(): string;
  stop(): Promise<void>;
}

export interface WordPressSiteOptions {
  /** Extra wp-config.php constants. */
  constants?: Record<string, string | number | boolean>;
  /** Site title; default "Warta Test". */
  title?: string;
  /** WP-Cron runs only when `runCron()` is called (DISABLE_WP_CRON), so tests are deterministic. Default true. */
  manualCron?: boolean;
}

const ADMIN = { login: 'admin', password: 'warta-admin-password', email: 'admin@example.test' };

/** Starts MariaDB and WordPress and installs a site; about 10 s on two cores. */
export async function startWordPressSite(options: WordPressSiteOptions = {}): Promise<WordPressSite> {
  if (wordpressUnavailable) throw new Error(`cannot start WordPress: ${wordpressUnavailable}`);
  const dir = await mkdtemp(join(tmpdir(), 'warta-wp-'));
  let output = '';
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    await Promise.all(children.map((child) => stopChild(child)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [db, tree] = await Promise.all([startMariaDb(dir, (s) => (output += s), children), copyWordPressTree(join(dir, 'wordpress'))]);
    await db.query('CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');

    const constants: Record<string, string | number | boolean> = { ...(options.constants ?? {}) };
    const configPath = join(tree, 'wp-config.php');
    const extraPath = join(dir, 'wp-config-extra.php');
    const writeExtra = () =>
      writeFile(
        extraPath,
        `<?php\n${Object.entries(constants)
          .map(([k, v]) => `if (!defined(${phpString(k)})) define(${phpString(k)}, ${phpValue(v)});`)
          .join('\n')}\n`,
      );
    await writeExtra();

    const server = await startPhpServer(tree, async (url) => {
      await writeFile(configPath, wpConfig({ url, socket: db.socket, extraPath, debugLog: join(dir, 'debug.log'), manualCron: options.manualCron ?? true }));
    }, (s) => (output += s), children);
    const url = server.url;

    const opcacheDir = join(dir, 'opcache');
    await mkdir(opcacheDir);
    const runPhpFile = async (code: string) => {
      const file = join(dir, `script-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.php`);
      await writeFile(file, code);
      try {
        // An on-disk opcode cache shared by every script of the run: each script loads all of WordPress.
        const opcache = ['-d', 'opcache.enable_cli=1', '-d', `opcache.file_cache=${opcacheDir}`, '-d', 'opcache.file_cache_only=1'];
        const { stdout } = await execFileAsync('php', ['-d', 'display_errors=stderr', ...opcache, file], {
          cwd: tree,
          maxBuffer: 64 * 1024 * 1024,
          env: { ...process.env, WARTA_TEST_HOST: new URL(url).host },
        });
        return stdout;
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(`PHP script failed: ${e.message}\nstdout:\n${e.stdout ?? ''}\nstderr:\n${e.stderr ?? ''}\nscript:\n${code}`);
      } finally {
        await unlink(file).catch(() => undefined);
      }
    };
    const loadWordPress = (asAdmin: boolean) =>
      `<?php\nrequire ${phpString(join(tree, 'wp-load.php'))};\n${asAdmin ? `wp_set_current_user(1);\n` : ''}`;

    const install = `<?php
define('WP_INSTALLING', true);
require ${phpString(join(tree, 'wp-load.php'))};
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$result = wp_install(${phpString(options.title ?? 'Warta Test')}, ${phpString(ADMIN.login)}, ${phpString(ADMIN.email)}, true, '', ${phpString(ADMIN.password)});
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
update_option('timezone_string', 'Asia/Jakarta');
flush_rewrite_rules(false); // false: rules in the database only, no .htaccess
$created = WP_Application_Passwords::create_new_application_password($result['user_id'], array('name' => 'warta-tests'));
if (is_wp_error($created)) throw new Exception($created->get_error_message());
echo wp_json_encode(array('id' => $result['user_id'], 'applicationPassword' => $created[0]));
`;
    const installed = JSON.parse((await runPhpFile(install)).trim()) as { id: number; applicationPassword: string };
    const adminId = installed.id;

    const MARK = '@@warta-json@@';
    const phpJson = async <T>(code: string): Promise<T> => {
      const out = await runPhpFile(`${loadWordPress(true)}$__warta_result = (function () {\n${code}\n})();\necho "\\n${MARK}" . wp_json_encode($__warta_result);\n`);
      const at = out.lastIndexOf(MARK);
      if (at < 0) throw new Error(`PHP printed no result:\n${out}`);
      return JSON.parse(out.slice(at + MARK.length)) as T;
    };

    const createApplicationPassword = async (userId: number, name: string) =>
      phpJson<string>(`
        if (!wp_is_application_passwords_available_for_user(get_userdata(${userId}))) throw new Exception('application passwords are not available');
        $created = WP_Application_Passwords::create_new_application_password(${userId}, array('name' => ${phpString(name)}));
        if (is_wp_error($created)) throw new Exception($created->get_error_message());
        return $created[0];`);

    const admin = { id: adminId, ...ADMIN, applicationPassword: installed.applicationPassword };
    let adminCookie: string | undefined;

    return {
      url,
      root: tree,
      admin,
      adminAuthorization: `Basic ${Buffer.from(`${admin.login}:${admin.applicationPassword}`).toString('base64')}`,
      php: (code) => runPhpFile(`${loadWordPress(true)}${code.replace(/^\s*<\?php/, '')}`),
      phpJson,
      async defineConstant(name, value) {
        constants[name] = value;
        await writeExtra();
      },
      async installPlugin(sourceDir, mainFile) {
        const folder = mainFile.split('/')[0] ?? mainFile;
        const target = join(tree, 'wp-content', 'plugins', folder);
        await rm(target, { recursive: true, force: true });
        await cp(sourceDir, target, { recursive: true });
        await phpJson(`
          require_once ABSPATH . 'wp-admin/includes/plugin.php';
          $result = activate_plugin(${phpString(mainFile)});
          if (is_wp_error($result)) throw new Exception($result->get_error_message());
          return true;`);
      },
      async createUser(login, role) {
        const password = `${login}-password`;
        const id = await phpJson<number>(`
          $id = wp_insert_user(array('user_login' => ${phpString(login)}, 'user_pass' => ${phpString(password)}, 'user_email' => ${phpString(`${login}@example.test`)}, 'display_name' => ${phpString(login)}, 'role' => ${phpString(role)}));
          if (is_wp_error($id)) throw new Exception($id->get_error_message());
          return $id;`);
        return { id, login, password, applicationPassword: await createApplicationPassword(id, 'warta-tests') };
      },
      async adminFetch(path, init = {}) {
        adminCookie ??= await logIn(url, admin.login, admin.password);
        const headers = new Headers(init.headers);
        headers.set('cookie', adminCookie);
        return fetch(`${url}${path}`, { redirect: 'manual', ...init, headers });
      },
      async runCron() {
        // Without a doing_wp_cron key wp-cron.php takes the lock itself and runs every due event. Under
        // php -S there is no fastcgi_finish_request, so the response ends when the work does.
        const response = await fetch(`${url}/wp-cron.php`);
        await response.text();
        if (!response.ok) throw new Error(`wp-cron.php answered ${response.status}`);
      },
      debugLog: () => readFile(join(dir, 'debug.log'), 'utf8').catch(() => ''),
      serverOutput: () => output,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Logs in through wp-login.php as a browser does and returns the Cookie header value. */
async function logIn(url: string, login: string, password: string): Promise<string> {
  const response = await fetch(`${url}/wp-login.php`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'wordpress_test_cookie=WP%20Cookie%20check' },
    body: new URLSearchParams({ log: login, pwd: password, 'wp-submit': 'Log In', redirect_to: `${url}/wp-admin/`, testcookie: '1' }),
  });
  const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').filter((c) => /^wordpress_(logged_in_|[0-9a-f]{32})/.test(c));
  if (response.status !== 302 || cookies.length === 0) throw new Error(`logging in as ${login} failed: HTTP ${response.status}`);
  return cookies.join('; ');
}

/** A PHP single-quoted string literal. */
export function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function phpValue(value: string | number | boolean): string {
  if (typeof value === 'string') return phpString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

function wpConfig(o: { url: string; socket: string; extraPath: string; debugLog: string; manualCron: boolean }): string {
  const host = new URL(o.url).host;
  return `<?php
// Written by tests/support/wordpress-site.ts for one test run; replaces Debian's /etc/wordpress lookup.
if (!isset($_SERVER['HTTP_HOST'])) $_SERVER['HTTP_HOST'] = ${phpString(host)};
require ${phpString(o.extraPath)};
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', ${phpString(`localhost:${o.socket}`)});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', ${phpString(o.url)});
define('WP_SITEURL', ${phpString(o.url)});
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('WP_ENVIRONMENT_TYPE', 'local'); // application passwords over plain http
define('WP_DEBUG', true);
define('WP_DEBUG_LOG', ${phpString(o.debugLog)});
define('WP_DEBUG_DISPLAY', false);
define('DISABLE_WP_CRON', ${o.manualCron ? 'true' : 'false'});
define('WP_HTTP_BLOCK_EXTERNAL', true); // only this machine: no update checks, no internet
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISALLOW_FILE_MODS', true); // the tree is hard-linked to Debian's files: never write into them
define('FS_METHOD', 'direct');
define('AUTH_KEY', 'warta-test-auth-key');
define('SECURE_AUTH_KEY', 'warta-test-secure-auth-key');
define('LOGGED_IN_KEY', 'warta-test-logged-in-key');
define('NONCE_KEY', 'warta-test-nonce-key');
define('AUTH_SALT', 'warta-test-auth-salt');
define('SECURE_AUTH_SALT', 'warta-test-secure-auth-salt');
define('LOGGED_IN_SALT', 'warta-test-logged-in-salt');
define('NONCE_SALT', 'warta-test-nonce-salt');
$table_prefix = 'wp_';
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/'); // wp-load.php defines it first
require_once ABSPATH . 'wp-settings.php';
`;
}

/**
 * Hard-links Debian's WordPress tree into `target` (a copy when hard links are not allowed), then
 * removes what points back into /etc: Debian's wp-config.php and the .htaccess symlink.
 * PHP resolves symlinks in __FILE__, so a tree of symlinks would load Debian's wp-config.php again.
 */
async function copyWordPressTree(target: string): Promise<string> {
  const linked = spawnSync('cp', ['-al', DEBIAN_WORDPRESS, target], { stdio: 'ignore' });
  if (linked.status !== 0) {
    await rm(target, { recursive: true, force: true });
    await cp(DEBIAN_WORDPRESS, target, { recursive: true, verbatimSymlinks: true });
  }
  await rm(join(target, 'wp-config.php'), { force: true });
  await rm(join(target, '.htaccess'), { force: true });
  // Plugins are installed here by tests; the folder must be our own, not Debian's hard-linked one.
  await mkdir(join(target, 'wp-content', 'uploads'), { recursive: true });
  // A must-use plugin that keeps the test site quiet: no mail.
  await mkdir(join(target, 'wp-content', 'mu-plugins'), { recursive: true });
  await writeFile(
    join(target, 'wp-content', 'mu-plugins', 'warta-test-site.php'),
    `<?php
// Test site only: no mail, and no update checks (they would only fail: the site has no internet).
add_filter('pre_wp_mail', '__return_false');
remove_action('init', 'wp_schedule_update_checks');
foreach (array('wp_version_check', 'wp_update_plugins', 'wp_update_themes', 'wp_maybe_auto_update', 'wp_https_detection', 'recovery_mode_clean_expired_keys', 'delete_expired_transients', 'wp_site_health_scheduled_check', 'wp_privacy_delete_old_export_files', 'wp_scheduled_delete', 'wp_scheduled_auto_draft_delete') as $hook) {
  remove_all_actions($hook);
}
`,
  );
  return target;
}

interface MariaDb {
  socket: string;
  query(sql: string): Promise<string>;
}

async function startMariaDb(dir: string, log: (s: string) => void, children: ChildProcess[]): Promise<MariaDb> {
  const dataDir = join(dir, 'mariadb');
  const socket = join(dir, 'mariadb.sock');
  const asRoot = process.getuid?.() === 0;
  const userArgs = asRoot ? ['--user=root'] : [];
  // Durability is not wanted here, speed is: no fsync per commit, no doublewrite, no binary log.
  const serverArgs = ['--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0', '--innodb-buffer-pool-size=32M', '--skip-log-bin'];
  const installer = which('mariadb-install-db') ?? 'mysql_install_db';
  await execFileAsync(installer, [
    '--no-defaults',
    `--datadir=${dataDir}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    '--skip-name-resolve',
    ...userArgs,
    ...serverArgs,
  ]).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`mariadb-install-db failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  });
  const mariadbd = MARIADBD_CANDIDATES.find((p) => existsSync(p)) ?? 'mariadbd';
  const child = spawn(
    mariadbd,
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'mariadb.pid')}`,
      '--skip-networking', // the socket only: no TCP port to collide with other runs
      '--performance-schema=0',
      ...userArgs,
      ...serverArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  children.push(child);
  child.stdout?.on('data', (c: Buffer) => log(c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => log(c.toString('utf8')));
  const query = async (sql: string) => {
    const { stdout } = await execFileAsync('mariadb', ['--no-defaults', '-S', socket, '-uroot', '-N', '-e', sql]);
    return stdout;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}`);
    try {
      await query('SELECT 1');
      return { socket, query };
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`MariaDB did not accept connections within 30 s: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `php -S` on a free port. php cannot report the port it got for `:0`, so a free port is picked and
 * the start retried if another process took it in between. Several workers, so a request the site
 * makes to itself (REST, cron) does not deadlock.
 */
async function startPhpServer(
  docroot: string,
  beforeStart: (url: string) => Promise<void>,
  log: (s: string) => void,
  children: ChildProcess[],
): Promise<{ url: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await beforeStart(url);
    const child = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', docroot], {
      cwd: docroot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PHP_CLI_SERVER_WORKERS: '4' },
      detached: true, // its own process group: the workers it forks are stopped with it
    });
    let printed = '';
    const onData = (c: Buffer) => {
      printed += c.toString('utf8');
      log(c.toString('utf8'));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const started = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      const check = () => {
        if (/Development Server .* started/.test(printed)) (clearTimeout(timer), resolve(true));
        else if (/Failed to listen/.test(printed)) (clearTimeout(timer), resolve(false));
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      child.once('exit', () => (clearTimeout(timer), resolve(false)));
    });
    if (started) {
      children.push(child);
      return { url };
    }
    await stopChild(child);
    if (attempt >= 5) throw new Error(`php -S did not start:\n${printed}`);
  }
}

/** Stops a child started with `detached: true` and everything in its process group (php -S workers). */
async function stopChild(child: ChildProcess): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  const running = child.exitCode === null && child.signalCode === null;
  const exited = running ? new Promise<void>((resolve) => child.once('exit', () => resolve())) : Promise.resolve();
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  // Workers may outlive the parent by a moment; make sure none is left holding the port or our pipes.
  signalGroup('SIGKILL');
  child.stdout?.destroy();
  child.stderr?.destroy();
}
