import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MAX_INPUT_BYTES } from '../../shared/parsing/parse-input.js';
import { readBody, refuseLingering } from './request-body.js';

export interface LocalApiServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The routes the stack's HTTP API defines for the ingest function (infra: `POST /articles`,
 * `DELETE /articles/{id}`). API Gateway answers anything else 404 `{"message":"Not Found"}` without
 * invoking a function, and so does this server.
 */
type Route = { routeKey: 'POST /articles' } | { routeKey: 'DELETE /articles/{id}'; id: string } | { error: 400 | 404 };

export function matchRoute(method: string, rawPath: string): Route {
  if (method === 'POST' && rawPath === '/articles') return { routeKey: 'POST /articles' };
  const segment = /^\/articles\/([^/]+)$/.exec(rawPath)?.[1];
  if (method === 'DELETE' && segment !== undefined) {
    // Decoded exactly once, as API Gateway hands path parameters to the function; a malformed escape is the client's error.
    try {
      return { routeKey: 'DELETE /articles/{id}', id: decodeURIComponent(segment) };
    } catch {
      return { error: 400 };
    }
  }
  return { error: 404 };
}

/**
 * Plays API Gateway's HTTP API for the local runtime: turns each request into a payload-2.0
 * event and hands it to the same handler Lambda runs, so a CMS can be pointed at a laptop.
 * A body larger than the ingest limit is answered 413 as soon as it is known (from Content-Length,
 * or once that many bytes have arrived) and never held in memory whole.
 */
export async function startLocalApiServer(options: {
  host: string;
  port: number;
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  onResponse?: (event: APIGatewayProxyEventV2, response: APIGatewayProxyStructuredResultV2) => void | Promise<void>;
  /** Largest body read; default the ingest limit (`MAX_INPUT_BYTES`). */
  maxBodyBytes?: number;
}): Promise<LocalApiServer> {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_INPUT_BYTES;
  let closing = false;
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        if (closing) {
          // Stopping: keep-alive connections would otherwise go on delivering new requests.
          req.resume();
          res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '5', connection: 'close' });
          res.end(JSON.stringify({ status: 'error', message: 'warta is stopping; retry once it runs again' }));
          return;
        }
        const method = req.method ?? 'GET';
        const url = new URL(req.url ?? '/', 'http://local');
        const route = matchRoute(method, url.pathname);
        if ('error' in route) {
          const message = route.error === 404 ? 'Not Found' : 'Bad Request: malformed percent-encoding in the path';
          refuseEarly(req, res, route.error, { message });
          return;
        }
        const declared = Number(req.headers['content-length'] ?? 0);
        if (declared > maxBodyBytes) {
          refuseEarly(req, res, 413, tooLarge(declared, maxBodyBytes));
          return;
        }
        const body = await readBody(req, maxBodyBytes);
        if (body === 'too large') {
          refuseEarly(req, res, 413, tooLarge(undefined, maxBodyBytes));
          return;
        }
        const event = toEvent(req, url, route, body);
        const response = await options.handler(event);
        await options.onResponse?.(event, response);
        res.writeHead(response.statusCode ?? 200, { ...(response.headers as Record<string, string>), ...(closing ? { connection: 'close' } : {}) });
        res.end(response.body ?? '');
      } catch (error) {
        if (res.headersSent) {
          res.destroy();
        } else {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ status: 'error', message: 'internal error; see the warta log' }));
        }
        console.error('local API request failed:', error);
      }
    })();
  });
  // As on the local edge: idle connections outlive a client's keep-alive expectations (see edge-server.ts).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function tooLarge(declared: number | undefined, limit: number): Record<string, unknown> {
  const size = declared === undefined ? `more than ${limit} bytes` : `${declared} bytes`;
  return { status: 'refused', problems: [{ field: 'body', message: `is ${size}; the largest accepted input is ${limit} bytes` }] };
}

/** Answers as API Gateway would, without reading (the rest of) the body. */
function refuseEarly(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  refuseLingering(req, res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  route: { routeKey: 'POST /articles' } | { routeKey: 'DELETE /articles/{id}'; id: string },
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
  );
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : undefined,
    pathParameters: 'id' in route ? { id: route.id } : undefined,
    isBase64Encoded: true,
    body: body.toString('base64'),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers['host'] ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${Date.now().toString(36)}`,
      routeKey: route.routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}
