import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * An HTTP API (payload 2.0) event as API Gateway hands it to the ingest function: the route key names the
 * matched route (`DELETE /articles/{id}`), and the id arrives decoded in `pathParameters`.
 */
export function httpApiEvent(method: string, path: string, body: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const id = /^\/articles\/([^/]+)$/.exec(path)?.[1];
  return {
    version: '2.0',
    routeKey: id ? `${method} /articles/{id}` : `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers,
    pathParameters: id ? { id } : undefined,
    isBase64Encoded: false,
    body,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'WordPress/6.4' },
      requestId: 'r1',
      routeKey: id ? `${method} /articles/{id}` : `${method} ${path}`,
      stage: '$default',
      time: '07/Feb/2024:05:00:00 +0000',
      timeEpoch: 1707282000000,
    },
  };
}

/** A `POST /articles` event carrying a Warta JSON body. */
export const postJsonEvent = (body: string): APIGatewayProxyEventV2 =>
  httpApiEvent('POST', '/articles', body, { 'content-type': 'application/json' });
