import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type BuiltApp } from '../../infra/build-app.js';

/** Entry files that exist so template tests can build the stack without bundling the real handlers. */
export const FIXTURE_FUNCTIONS_DIR = fileURLToPath(new URL('./fixtures/functions', import.meta.url));

export interface PartnerKey {
  id: string;
  pem: string;
}

/** Fresh partner public keys, as an operator would pass them in context; ECDSA P-256 is quick to generate. */
export function partnerKeys(count: number, kind: 'ec' | 'rsa' = 'ec'): PartnerKey[] {
  return Array.from({ length: count }, (_, i) => {
    const { publicKey } =
      kind === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { id: `key-${i + 1}`, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  });
}

export interface Synthesized extends BuiltApp {
  template: Template;
}

/** Builds and synthesizes the app (cdk-nag included) with bundling skipped; throws if validation fails. */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const built = buildApp({
    functionsDir: FIXTURE_FUNCTIONS_DIR,
    outdir: mkdtempSync(join(tmpdir(), 'warta-cdk-')),
    context: { 'aws:cdk:bundling-stacks': [], ...context },
  });
  return { ...built, template: Template.fromStack(built.stack) };
}

/** Resources of one type, keyed by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/** Every IAM statement of the functions' roles, keyed by the function (role policy) it belongs to. */
export function statementsByPolicy(template: Template): Record<string, Statement[]> {
  const out: Record<string, Statement[]> = {};
  for (const [id, policy] of Object.entries(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const doc = policy.Properties.PolicyDocument as { Statement: Statement[] };
    out[id] = doc.Statement;
  }
  return out;
}

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];
