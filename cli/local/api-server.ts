import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface LocalApiServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Plays API Gateway's HTTP API for the local runtime: turns each request into a payload-2.0
 * event and hands it to the same handler Lambda runs, so a CMS can be pointed at a laptop.
 */
export async function startLocalApiServer(options: {
  host: string;
  port: number;
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  onResponse?: (event: APIGatewayProxyEventV2, response: APIGatewayProxyStructuredResultV2) => void | Promise<void>;
}): Promise<LocalApiServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const event = await toEvent(req);
        const response = await options.handler(event);
        await options.onResponse?.(event, response);
        res.writeHead(response.statusCode ?? 200, response.headers as Record<string, string>);
        res.end(response.body ?? '');
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ status: 'error', message: 'internal error; see the warta log' }));
        console.error('local API request failed:', error);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function toEvent(req: IncomingMessage): Promise<APIGatewayProxyEventV2> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://local');
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
  );
  const method = req.method ?? 'GET';
  const articleId = /^\/articles\/([^/]+)$/.exec(url.pathname)?.[1];
  return {
    version: '2.0',
    routeKey: `${method} ${articleId ? '/articles/{id}' : url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : undefined,
    pathParameters: articleId ? { id: decodeURIComponent(articleId) } : undefined,
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
      routeKey: `${method} ${url.pathname}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}
