import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  issuePartnerAccess,
  loadPartnerAccessConfig,
  PartnerAccessRequestSchema,
  type PartnerAccessDeps,
} from '../shared/partners/issue-partner-access.js';
import { productionDependencies, resolveDependencies, type Dependencies, type DependencySource } from '../shared/runtime/dependencies.js';
import { DynamoDbPartnerRepository } from '../shared/storage/dynamodb-partner-repository.js';

export type PartnerAccessHandlerDeps = Pick<Dependencies, 'logger'> & { access: PartnerAccessDeps };

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/**
 * `POST /partner-access/signed-url` (API Gateway HTTP API): a partner trades its bearer token for a
 * signed URL to its own prefix. Body (optional): `{ "lifetimeSeconds": 3600, "ipRange": "203.0.113.0/24" }`.
 */
export function createPartnerAccessHandler(source: DependencySource<PartnerAccessHandlerDeps>) {
  const deps = resolveDependencies(source);
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const { access, logger } = deps();
    const auth = event.headers?.authorization ?? event.headers?.Authorization;
    const token = auth?.match(/^Bearer\s+(\S+)$/i)?.[1];
    let raw: unknown = {};
    if (event.body) {
      try {
        raw = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body);
      } catch {
        return json(400, { message: 'body must be JSON' });
      }
    }
    const parsed = PartnerAccessRequestSchema.safeParse(raw);
    if (!parsed.success) {
      return json(400, { message: 'invalid request', problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })) });
    }
    const outcome = await issuePartnerAccess(access, token, parsed.data);
    if (!outcome.ok) {
      logger.info('Partner access refused', { status: outcome.status, reason: outcome.message, sourceIp: event.requestContext?.http?.sourceIp });
      return json(outcome.status, { message: outcome.message });
    }
    // The URL carries a bearer credential: log who and until when, never the URL or the key.
    logger.info('Partner access issued', { partner: outcome.partnerId, expiresAt: outcome.expiresAt });
    return json(200, { url: outcome.url, expiresAt: outcome.expiresAt, cookies: outcome.cookies });
  };
}

const secrets = new SecretsManagerClient({});

export const handler = createPartnerAccessHandler(() => {
  const deps = productionDependencies();
  const config = loadPartnerAccessConfig(process.env);
  // Fetched once per execution environment, on first use; a failed fetch is retried by the next invocation.
  let key: Promise<string> | undefined;
  const privateKeyPem = () => {
    key ??= secrets
      .send(new GetSecretValueCommand({ SecretId: config.signingKeySecretArn }))
      .then((out) => {
        if (!out.SecretString) throw new Error('signing key secret has no string value');
        return out.SecretString;
      })
      .catch((error: unknown) => {
        key = undefined;
        throw error;
      });
    return key;
  };
  return {
    logger: deps.logger,
    access: {
      partners: new DynamoDbPartnerRepository(deps.documentClient, deps.config.articlesTableName),
      baseUrl: deps.config.site.feedsBaseUrl,
      keyPairId: config.signingKeyPairId,
      privateKeyPem,
      maxLifetimeSeconds: config.maxLifetimeSeconds,
      now: () => deps.clock.now(),
    },
  };
});
