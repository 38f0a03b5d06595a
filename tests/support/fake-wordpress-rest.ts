import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small stand-in for WordPress's posts route (`/wp-json/wp/v2/posts`) on 127.0.0.1, for tests that
 * need to shape the site exactly (hundreds of posts, a post published without its modification time
 * moving, a deletion between two pages) faster than the real WordPress of tests/support/wordpress-site.ts.
 * It answers the parameters `warta sync` sends as WordPress does: `status` (only `publish` for anonymous
 * clients, 400 otherwise), `modified_after` and `after` (exclusive), `include`, `orderby` (`modified` or `id`,
 * ascending), `per_page`/`page` with `X-WP-Total` and `X-WP-TotalPages`, `_fields=id`; a
 * password-protected post is listed with its content withheld.
 */
export interface FakePost {
  id: number;
  status: 'publish' | 'future' | 'draft' | 'pending' | 'private' | 'trash';
  title: string;
  content: string;
  password?: string;
  /** GMT, `YYYY-MM-DDTHH:MM:SS`, as WordPress's `modified_gmt`. */
  modified: string;
  date: string;
}

export interface FakeWordPress {
  url: string;
  posts: Map<number, FakePost>;
  /** Every request's path and query, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeWordPressRest(options: { user?: string; applicationPassword?: string } = {}): Promise<FakeWordPress> {
  const posts = new Map<number, FakePost>();
  const requests: string[] = [];
  const expectedAuth = options.user ? `Basic ${Buffer.from(`${options.user}:${options.applicationPassword ?? ''}`).toString('base64')}` : undefined;
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers }).end(JSON.stringify(body));
    if (url.pathname !== '/wp-json/wp/v2/posts') return json(404, { code: 'rest_no_route' });
    const authenticated = expectedAuth !== undefined && req.headers.authorization === expectedAuth;
    if (req.headers.authorization !== undefined && !authenticated) return json(401, { code: 'incorrect_password' });
    const q = url.searchParams;
    const statuses = (q.get('status') ?? 'publish').split(',');
    if (!authenticated && statuses.some((s) => s !== 'publish')) return json(400, { code: 'rest_invalid_param', message: 'Invalid parameter(s): status' });
    let list = [...posts.values()].filter((p) => statuses.includes(p.status));
    const after = q.get('modified_after');
    if (after) list = list.filter((p) => Date.parse(`${p.modified}Z`) > Date.parse(after));
    const dateAfter = q.get('after');
    if (dateAfter) list = list.filter((p) => Date.parse(`${p.date}Z`) > Date.parse(dateAfter));
    const include = q.get('include');
    if (include) list = list.filter((p) => include.split(',').map(Number).includes(p.id));
    list.sort(q.get('orderby') === 'modified' ? (a, b) => a.modified.localeCompare(b.modified) || a.id - b.id : (a, b) => a.id - b.id);
    const perPage = Number(q.get('per_page') ?? 10);
    const page = Number(q.get('page') ?? 1);
    const totalPages = Math.max(1, Math.ceil(list.length / perPage));
    if (page > totalPages) return json(400, { code: 'rest_post_invalid_page_number' });
    const slice = list.slice((page - 1) * perPage, page * perPage);
    const body =
      q.get('_fields') === 'id'
        ? slice.map((p) => ({ id: p.id }))
        : slice.map((p) => ({
            id: p.id,
            status: p.status,
            date_gmt: p.date,
            modified_gmt: p.modified,
            link: `https://news.example/?p=${p.id}`,
            title: { rendered: p.title },
            content: { rendered: p.password ? '' : p.content, protected: p.password !== undefined },
            excerpt: { rendered: '', protected: p.password !== undefined },
          }));
    return json(200, body, { 'x-wp-total': String(list.length), 'x-wp-totalpages': String(totalPages) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
