import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError } from '../errors.js';

/**
 * Reads the webhook HMAC key from Secrets Manager once per execution environment.
 * The secret is either the key itself or JSON with a `secret` field (as the stack generates it).
 */
export function webhookSecretLoader(secretArn: string, client = new SecretsManagerClient({})): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= client.send(new GetSecretValueCommand({ SecretId: secretArn })).then((out) => {
      const raw = out.SecretString;
      if (!raw) throw new ConfigurationError(`Secret ${secretArn} has no string value`);
      if (raw.trimStart().startsWith('{')) {
        const secret = (JSON.parse(raw) as { secret?: unknown }).secret;
        if (typeof secret !== 'string' || secret.length < 16) {
          throw new ConfigurationError(`Secret ${secretArn} must hold a "secret" field of at least 16 characters`);
        }
        return secret;
      }
      return raw;
    });
    cached.catch(() => {
      cached = undefined;
    });
    return cached;
  };
}
