import { Names } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';

/**
 * A group of resources that belong to one concern (storage, ingest, build pipeline, delivery,
 * alarms). The stack leaves a concern's own id out of the logical ids of the resources inside it
 * (see `WartaStack.allocateLogicalId`), so grouping the code never renames, and therefore never
 * replaces, a deployed resource: the table, buckets, secrets, API and distribution of a stack
 * deployed before the split update in place.
 */
export abstract class Concern extends Construct {
  private static readonly marker = Symbol.for('warta.infra.Concern');

  constructor(scope: Construct, id: string) {
    super(scope, id);
    Object.defineProperty(this, Concern.marker, { value: true });
  }

  /** True for a concern construct (checked by marker, so two copies of this module still agree). */
  static isConcern(x: unknown): x is Concern {
    return typeof x === 'object' && x !== null && Concern.marker in x;
  }
}

/**
 * `Names.uniqueId` of a construct `id` in `scope`, as if no concern construct were in its path. CDK
 * derives some physical names from the construct path (the CloudFront function, cache policies,
 * the origin id),
 * and those are pinned to what they were before the stack was split into concerns, so an existing
 * deployment keeps them. CDK's own function computes the name; it reads nothing but the scopes' ids.
 */
export function nameIgnoringConcerns(scope: IConstruct, ...ids: string[]): string {
  const scopes = [...scope.node.scopes.filter((s) => !Concern.isConcern(s)), ...ids.map((id) => ({ node: { id } }))];
  return Names.uniqueId({ node: { scopes } } as unknown as IConstruct);
}
