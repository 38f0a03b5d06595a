import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWordPressSite, wordpressUnavailable, type WordPressSite } from '../support/wordpress-site.js';

describe.skipIf(wordpressUnavailable !== undefined)(
  `a real WordPress for tests (Debian wordpress, mariadb-server, php-cli, php-mysql)${wordpressUnavailable ? `: skipped, ${wordpressUnavailable}` : ''}`,
  () => {
    let site: WordPressSite;
    beforeAll(async () => {
      site = await startWordPressSite();
    }, 120_000);
    afterAll(async () => {
      await site?.stop();
    });

    it('is installed on its own URL and database, with pretty permalinks', async () => {
      const info = await site.phpJson<{ home: string; siteurl: string; name: string; db: string; permalinks: string }>(`
        global $wpdb;
        return array('home' => home_url(), 'siteurl' => site_url(), 'name' => get_bloginfo('name'), 'db' => $wpdb->dbhost, 'permalinks' => get_option('permalink_structure'));`);
      expect(info.home).toBe(site.url);
      expect(info.siteurl).toBe(site.url);
      expect(info.name).toBe('Warta Test');
      expect(info.db).toMatch(/^localhost:\/.*mariadb\.sock$/);
      expect(info.permalinks).toBe('/%year%/%monthnum%/%postname%/');
      const home = await fetch(`${site.url}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('Warta Test');
    });

    it('publishes through the REST API with the admin application password, and the post is public', async () => {
      const response = await fetch(`${site.url}/wp-json/wp/v2/posts`, {
        method: 'POST',
        headers: { authorization: site.adminAuthorization, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Banjir surut di Kampung Melayu', content: '<p>Air mulai surut sejak pagi.</p>', status: 'publish' }),
      });
      expect(response.status).toBe(201);
      const post = (await response.json()) as { id: number; link: string; status: string };
      expect(post.status).toBe('publish');
      expect(post.link.startsWith(`${site.url}/`)).toBe(true);
      const page = await fetch(post.link);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Air mulai surut sejak pagi.');
      const anonymous = await fetch(`${site.url}/wp-json/wp/v2/posts/${post.id}?context=edit`);
      expect(anonymous.status).toBe(401);
    });

    it('creates users with their own application passwords, and refuses a wrong one', async () => {
      const author = await site.createUser('penulis', 'author');
      const me = async (authorization: string) => fetch(`${site.url}/wp-json/wp/v2/users/me`, { headers: { authorization } });
      const ok = await me(`Basic ${Buffer.from(`penulis:${author.applicationPassword}`).toString('base64')}`);
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { id: number }).id).toBe(author.id);
      const wrong = await me(`Basic ${Buffer.from('penulis:not-the-password').toString('base64')}`);
      expect(wrong.status).toBe(401);
    });

    it('runs PHP with WordPress loaded and reports a failing script with its output', async () => {
      const id = await site.phpJson<number>(`return wp_insert_post(array('post_title' => 'Dari PHP', 'post_status' => 'draft'), true);`);
      expect(await site.php(`echo get_post_status(${id});`)).toBe('draft');
      await expect(site.phpJson(`throw new Exception('sengaja gagal');`)).rejects.toThrow(/sengaja gagal/);
    });

    it('runs WP-Cron on request only: a due event runs when runCron is called', async () => {
      await site.php(`wp_schedule_single_event(time() - 1, 'warta_test_event'); update_option('warta_test_ran', 'no');`);
      // The event's hook is registered by a must-use plugin for this test only.
      await site.php(`file_put_contents(WPMU_PLUGIN_DIR . '/warta-test-event.php', "<?php add_action('warta_test_event', function () { update_option('warta_test_ran', 'yes'); });");`);
      await fetch(`${site.url}/`);
      expect(await site.php(`echo get_option('warta_test_ran');`)).toBe('no');
      await site.runCron();
      expect(await site.php(`echo get_option('warta_test_ran');`)).toBe('yes');
    });

    it('opens wp-admin as the logged-in admin', async () => {
      const dashboard = await site.adminFetch('/wp-admin/');
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain('Dashboard');
      expect((await fetch(`${site.url}/wp-admin/`, { redirect: 'manual' })).status).toBe(302);
    });

    it('defines wp-config.php constants for later requests', async () => {
      await site.defineConstant('WARTA_TEST_CONSTANT', 'nilai');
      expect(await site.php(`echo WARTA_TEST_CONSTANT;`)).toBe('nilai');
    });
  },
);
