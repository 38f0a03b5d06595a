import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { configurationError, envReader, RuntimeConfigSchema, siteFromEnv } from '../config/load-config.js';
import { ENV } from '../config/env-names.js';
import { ConfigurationError } from '../errors.js';

/** What the scheduled WordPress sync reads from its environment: the table, the site identity, the WordPress site. */
export const WordPressSyncConfigSchema = RuntimeConfigSchema.pick({ articlesTableName: true, site: true }).extend({
  wordpressSyncUrl: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the WordPress site' }).transform((u) => u.replace(/\/+$/, '')),
  wordpressSyncSecretArn: z.string().startsWith('arn:').optional(),
});
export type WordPressSyncConfig = z.infer<typeof WordPressSyncConfigSchema>;

/** Reads and validates the sync configuration once, at cold start; the error names every bad variable. */
export function loadWordPressSyncConfig(env: Record<string, string | undefined>): WordPressSyncConfig {
  const pick = envReader(env);
  const parsed = WordPressSyncConfigSchema.safeParse({
    articlesTableName: pick(ENV.articlesTableName),
    wordpressSyncUrl: pick(ENV.wordpressSyncUrl),
    wordpressSyncSecretArn: pick(ENV.wordpressSyncSecretArn),
    site: siteFromEnv(pick),
  });
  if (!parsed.success) {
    throw configurationError(parsed.error.issues, {
      articlesTableName: ENV.articlesTableName,
      wordpressSyncUrl: ENV.wordpressSyncUrl,
      wordpressSyncSecretArn: ENV.wordpressSyncSecretArn,
    });
  }
  return parsed.data;
}

export interface WordPressCredentials {
  user: string;
  applicationPassword: string;
}

const CredentialsSchema = z.object({ user: z.string().min(1), applicationPassword: z.string().min(1) });

/**
 * Reads the application-password credentials from Secrets Manager once per execution environment
 * (a failed read is tried again at the next invocation). The secret holds
 * `{"user": "…", "applicationPassword": "…"}`; the password never appears in the template or the logs.
 */
export function wordpressCredentialsLoader(secretArn: string, client = new SecretsManagerClient({})): () => Promise<WordPressCredentials> {
  let cached: Promise<WordPressCredentials> | undefined;
  return () => {
    cached ??= client.send(new GetSecretValueCommand({ SecretId: secretArn })).then((out) => {
      let json: unknown;
      try {
        json = JSON.parse(out.SecretString ?? '');
      } catch {
        throw new ConfigurationError(`Secret ${secretArn} must hold JSON {"user": "…", "applicationPassword": "…"}`);
      }
      const parsed = CredentialsSchema.safeParse(json);
      if (!parsed.success) {
        throw new ConfigurationError(`Secret ${secretArn}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'} ${i.message}`).join('; ')}`);
      }
      return parsed.data;
    });
    cached.catch(() => {
      cached = undefined;
    });
    return cached;
  };
}
