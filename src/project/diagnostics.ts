/** Building the SlipwayErrors of template loading: always with file:line:column and the resource. */
import { SlipwayError } from '../shared/errors.ts';
import type { SourceLocation } from './model.ts';

/** Where in the template a value being processed sits. */
export interface Scope {
  file: string;
  /** Logical id of the resource (or `Outputs.X`, `Conditions.X`) being processed. */
  resource?: string;
  loc?: SourceLocation;
}

export function templateError(code: string, message: string, scope: Scope, hint?: string): SlipwayError {
  return new SlipwayError(code, message, {
    where: {
      file: scope.loc?.file ?? scope.file,
      line: scope.loc?.line,
      column: scope.loc?.column,
      resource: scope.resource,
    },
    hint,
  });
}

/** `TemplateInvalid`, the common case. */
export function invalid(message: string, scope: Scope, hint?: string): SlipwayError {
  return templateError('TemplateInvalid', message, scope, hint);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** A value as text: primitives stringified, anything else as JSON. */
export function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}
