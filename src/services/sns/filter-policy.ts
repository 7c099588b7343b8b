/**
 * SNS subscription filter policies ("Subscription filter policies"): the EventBridge pattern
 * language applied to the message attributes (scope MessageAttributes, the default) or to the JSON
 * message body (scope MessageBody).
 *
 * Attribute scope: policy keys are attribute names, one level deep. A `String` attribute is matched
 * as a string, `Number` as a number, `String.Array` as its JSON array (any element may match);
 * `Binary` attributes are never matched. Body scope: nested keys follow the body's JSON; a body that
 * is not a JSON object matches nothing.
 */
import { compilePattern, type EventMatcher } from '../../shared/event-pattern.ts';
import type { MessageAttributeValue } from './state.ts';

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

/** SNS quota: five keys per filter policy (attribute scope counts attribute names). */
export const MAX_FILTER_POLICY_KEYS = 5;
export const MAX_FILTER_POLICY_BYTES = 256 * 1024;

export type MessageFilter = (message: string, attributes: Record<string, MessageAttributeValue>) => boolean;

/** Compiles a policy for a scope; throws an Error whose message says what is wrong. */
export function compileFilterPolicy(policy: string, scope: FilterPolicyScope): MessageFilter {
  if (Buffer.byteLength(policy) > MAX_FILTER_POLICY_BYTES) throw new Error('Filter policy is too long');
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw new Error('failed to parse JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('Filter policy must be a JSON object');
  const obj = parsed as Record<string, unknown>;
  if (scope === 'MessageAttributes') checkFlat(obj);
  if (countKeys(obj) > MAX_FILTER_POLICY_KEYS)
    throw new Error(`Filter policy can not have more than ${MAX_FILTER_POLICY_KEYS} keys`);
  let matcher: EventMatcher;
  try {
    matcher = compilePattern(obj);
  } catch (err) {
    throw new Error((err as Error).message);
  }
  if (scope === 'MessageBody')
    return (message) => {
      let body: unknown;
      try {
        body = JSON.parse(message);
      } catch {
        return false;
      }
      return typeof body === 'object' && body !== null && !Array.isArray(body) && matcher(body);
    };
  return (_message, attributes) => matcher(attributeValues(attributes));
}

function checkFlat(obj: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(obj)) {
    if (key === '$or' && Array.isArray(value)) {
      for (const alt of value)
        if (typeof alt === 'object' && alt !== null && !Array.isArray(alt))
          checkFlat(alt as Record<string, unknown>);
      continue;
    }
    if (!Array.isArray(value))
      throw new Error(
        `"${key}" must be an array of match conditions (nested keys need FilterPolicyScope MessageBody)`,
      );
  }
}

function countKeys(obj: Record<string, unknown>): number {
  let n = 0;
  for (const [key, value] of Object.entries(obj)) {
    if (key === '$or' && Array.isArray(value))
      n += Math.max(
        0,
        ...value.map((alt) =>
          typeof alt === 'object' && alt !== null && !Array.isArray(alt)
            ? countKeys(alt as Record<string, unknown>)
            : 0,
        ),
      );
    else if (typeof value === 'object' && value !== null && !Array.isArray(value))
      n += countKeys(value as Record<string, unknown>);
    else n++;
  }
  return n;
}

/** The message attributes as the policy sees them (name → string | number | array). */
export function attributeValues(attributes: Record<string, MessageAttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, attr] of Object.entries(attributes)) {
    const base = attr.DataType.split('.')[0];
    if (attr.DataType === 'String.Array') {
      try {
        out[name] = JSON.parse(attr.StringValue ?? '') as unknown;
      } catch {
        /* validated at publish */
      }
    } else if (base === 'Number') out[name] = Number(attr.StringValue);
    else if (base === 'String') out[name] = attr.StringValue;
  }
  return out;
}
