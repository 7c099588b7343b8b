/**
 * What every generator needs besides its own options: where the event happens (region, account)
 * and injectable time and ids, so that tests are deterministic (STYLE.md habit 6).
 */
import { randomUUID } from 'node:crypto';

/** Placeholders `sam local generate-event` uses too. */
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';

export interface EventEnv {
  region: string;
  accountId: string;
  /** The moment the event happens. */
  now(): Date;
  /** A fresh random UUID (v4 form); every other id is derived from these. */
  uuid(): string;
}

export function defaultEnv(overrides: Partial<EventEnv> = {}): EventEnv {
  return {
    region: DEFAULT_REGION,
    accountId: DEFAULT_ACCOUNT_ID,
    now: () => new Date(),
    uuid: () => randomUUID(),
    ...overrides,
  };
}

/** A deterministic env for tests: a fixed clock and counting UUIDs. */
export function fixedEnv(at = '2024-05-01T12:00:00.000Z', overrides: Partial<EventEnv> = {}): EventEnv {
  let n = 0;
  return defaultEnv({
    now: () => new Date(at),
    uuid: () => {
      n += 1;
      const hex = n.toString(16).padStart(12, '0');
      return `00000000-0000-4000-8000-${hex}`;
    },
    ...overrides,
  });
}

/** `length` lower-case hex characters taken from fresh UUIDs. */
export function hexId(env: EventEnv, length: number): string {
  let out = '';
  while (out.length < length) out += env.uuid().replace(/-/g, '');
  return out.slice(0, length);
}

/** `length` characters of [A-Za-z0-9] derived from fresh UUIDs (ids like API Gateway's `gy415nuibc`). */
export function alnumId(
  env: EventEnv,
  length: number,
  alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789',
): string {
  const hex = hexId(env, length * 2);
  let out = '';
  for (let i = 0; i < length; i++)
    out += alphabet[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
  return out;
}

/** Epoch seconds with millisecond precision, as Kinesis and DynamoDB timestamps are. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
