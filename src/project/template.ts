/** The top-level shape of a template: its sections and its raw (unresolved) resources. */
import { invalid, isRecord, type Scope } from './diagnostics.ts';
import type { SourceLocation } from './model.ts';
import type { ParsedTemplate } from './yaml.ts';

export interface RawResource {
  logicalId: string;
  type: string;
  /** Unresolved properties (after Globals are merged, for SAM resources). */
  properties: Record<string, unknown>;
  condition?: string;
  dependsOn: string[];
  metadata: Record<string, unknown>;
  location?: SourceLocation;
}

export interface TemplateSections {
  root: Record<string, unknown>;
  transforms: string[];
  resources: RawResource[];
}

const LOGICAL_ID = /^[A-Za-z0-9]+$/;

export function readSections(parsed: ParsedTemplate): TemplateSections {
  const { value, map, file } = parsed;
  const top: Scope = { file, loc: map.of(value) ?? { file, line: 1, column: 1 } };
  if (!isRecord(value)) {
    throw invalid(
      'the template must be a mapping with a Resources section',
      top,
      'see the SAM template anatomy',
    );
  }
  const resources = value['Resources'];
  if (!isRecord(resources) || Object.keys(resources).length === 0) {
    throw invalid(
      'the template has no resources: a Resources section with at least one resource is required',
      { file, loc: map.child(value, 'Resources') ?? top.loc },
      'add a Resources section, e.g. an AWS::Serverless::Function',
    );
  }
  const raw = value['Transform'];
  const transforms =
    typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((t) => typeof t === 'string') : [];
  const out: RawResource[] = [];
  for (const [logicalId, decl] of Object.entries(resources)) {
    const scope: Scope = { file, resource: logicalId, loc: map.child(resources, logicalId) };
    if (!LOGICAL_ID.test(logicalId)) {
      throw invalid(`logical id "${logicalId}" must be alphanumeric (A-Z, a-z, 0-9)`, scope);
    }
    if (!isRecord(decl)) throw invalid(`resource ${logicalId} must be a mapping with a Type`, scope);
    const type = decl['Type'];
    if (typeof type !== 'string' || type === '') {
      throw invalid(`resource ${logicalId} has no Type`, scope, 'add e.g. Type: AWS::Serverless::Function');
    }
    const props = decl['Properties'] ?? {};
    if (!isRecord(props)) {
      throw invalid(`Properties of ${logicalId} must be a mapping`, {
        ...scope,
        loc: map.child(decl, 'Properties'),
      });
    }
    const condition = decl['Condition'];
    if (condition !== undefined && typeof condition !== 'string') {
      throw invalid(`Condition of ${logicalId} must be a condition name`, {
        ...scope,
        loc: map.child(decl, 'Condition'),
      });
    }
    const dependsOn = decl['DependsOn'];
    out.push({
      logicalId,
      type,
      properties: props,
      condition,
      dependsOn:
        typeof dependsOn === 'string' ? [dependsOn] : Array.isArray(dependsOn) ? dependsOn.map(String) : [],
      metadata: isRecord(decl['Metadata']) ? decl['Metadata'] : {},
      location: map.of(decl) ?? scope.loc,
    });
  }
  return { root: value, transforms, resources: out };
}
