/**
 * The resolution environment of one template: pseudo parameters, parameters, mappings, conditions
 * and every resource (declared and SAM-generated) with its `Ref` / `Fn::GetAtt` values, computed
 * lazily so that a name built from another resource's name resolves in any order.
 */
import type { Conditions } from './conditions.ts';
import { invalid, type Scope } from './diagnostics.ts';
import { Resolver, type IntrinsicEnv } from './intrinsics.ts';
import type { ParameterValue } from './parameters.ts';
import { identityOf, placeholderAttribute, type IdentityInput, type ResourceIdentity } from './resources.ts';
import type { RawResource } from './template.ts';
import type { SourceMap } from './yaml.ts';

export interface StackEntry extends RawResource {
  generated: boolean;
}

export interface StackInput {
  file: string;
  map: SourceMap;
  stackName: string;
  region: string;
  accountId: string;
  partition: string;
  urlSuffix: string;
  /** Base URL of a running Slipway edge: queue URLs point there instead of at AWS. */
  localEndpoint?: string;
  pseudo: Record<string, unknown>;
  parameters: Map<string, ParameterValue>;
  mappings: Record<string, unknown>;
  warnings: string[];
}

export class Stack implements IntrinsicEnv {
  readonly resolver: Resolver;
  readonly map: SourceMap;
  readonly mappings: Record<string, unknown>;
  readonly entries = new Map<string, StackEntry>();
  /** Resources left out because their Condition is false: logical id → condition. */
  readonly excluded = new Map<string, string>();
  conditions!: Conditions;
  private readonly identities = new Map<string, ResourceIdentity & { open: boolean }>();
  private readonly identifying: string[] = [];

  constructor(readonly input: StackInput) {
    this.map = input.map;
    this.mappings = input.mappings;
    this.resolver = new Resolver(this);
  }

  get file(): string {
    return this.input.file;
  }

  add(entry: StackEntry): void {
    this.entries.set(entry.logicalId, entry);
  }

  pseudo(name: string): unknown {
    return this.input.pseudo[name];
  }

  parameter(name: string): ParameterValue | undefined {
    return this.input.parameters.get(name);
  }

  condition(name: string, scope: Scope): boolean {
    return this.conditions.evaluate(name, scope);
  }

  warn(message: string): void {
    if (!this.input.warnings.includes(message)) this.input.warnings.push(message);
  }

  ref(logicalId: string, scope: Scope): string | undefined {
    if (!this.entries.has(logicalId)) {
      this.checkExcluded(logicalId, scope);
      return undefined;
    }
    return this.identity(logicalId, scope).ref;
  }

  getAtt(logicalId: string, attribute: string, scope: Scope): string {
    const entry = this.entries.get(logicalId);
    if (!entry) {
      this.checkExcluded(logicalId, scope);
      throw invalid(
        `Fn::GetAtt ${logicalId}.${attribute}: no resource "${logicalId}" in this template`,
        scope,
        this.input.parameters.has(logicalId)
          ? `${logicalId} is a parameter: use !Ref ${logicalId}`
          : 'fix the logical id (GetAtt works on resources only)',
      );
    }
    const identity = this.identity(logicalId, scope);
    const value = identity.attributes[attribute];
    if (value !== undefined) return value;
    if (identity.open) return placeholderAttribute(this.identityInput(entry), attribute);
    const known = Object.keys(identity.attributes);
    throw invalid(
      `Fn::GetAtt ${logicalId}.${attribute}: ${entry.type} has no attribute "${attribute}"`,
      scope,
      known.length
        ? `attributes of ${entry.type}: ${known.join(', ')}`
        : `${entry.type} has no attributes; use !Ref`,
    );
  }

  /** `Ref` and attributes of a resource. */
  identity(logicalId: string, from?: Scope): ResourceIdentity & { open: boolean } {
    const known = this.identities.get(logicalId);
    if (known) return known;
    const entry = this.entries.get(logicalId);
    if (!entry) throw new Error(`no resource ${logicalId}`);
    if (this.identifying.includes(logicalId)) {
      throw invalid(
        `circular reference: ${[...this.identifying, logicalId].join(' -> ')}`,
        from ?? { file: this.file, resource: logicalId, loc: entry.location },
        "a resource's name cannot depend on itself",
      );
    }
    this.identifying.push(logicalId);
    try {
      const identity = identityOf(entry.type, this.identityInput(entry));
      this.identities.set(logicalId, identity);
      return identity;
    } finally {
      this.identifying.pop();
    }
  }

  /** The scope of a resource's property, for errors. */
  propertyScope(entry: RawResource, key: string): Scope {
    return {
      file: this.file,
      resource: entry.logicalId,
      loc: (key in entry.properties ? this.map.child(entry.properties, key) : undefined) ?? entry.location,
    };
  }

  private identityInput(entry: StackEntry): IdentityInput {
    const { stackName, region, accountId, partition, urlSuffix, localEndpoint } = this.input;
    return {
      logicalId: entry.logicalId,
      stackName,
      region,
      accountId,
      partition,
      urlSuffix,
      localEndpoint,
      prop: (name) => {
        if (!(name in entry.properties)) return undefined;
        const r = this.resolver.resolve(entry.properties[name], this.propertyScope(entry, name));
        return typeof r === 'symbol' ? undefined : r;
      },
    };
  }

  private checkExcluded(logicalId: string, scope: Scope): void {
    const condition = this.excluded.get(logicalId);
    if (condition !== undefined) {
      throw invalid(
        `${logicalId} is referenced but not created: its Condition ${condition} is false`,
        scope,
        `give the referring resource the same Condition, or use !If [${condition}, !Ref ${logicalId}, !Ref AWS::NoValue]`,
      );
    }
  }
}
