/** EventBridge events as a rule's Lambda target receives them, and the scheduled events of rules. */
import type { EventEnv } from './env.ts';

export interface EventBridgeEventOptions {
  source: string;
  detailType: string;
  detail: unknown;
  resources?: string[];
}

/** EventBridge's `time`: ISO 8601 to the second, in UTC. */
export function eventBridgeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The event envelope. The bus it went through does not appear in it (AWS leaves it out too). */
export function eventBridgeEvent(opts: EventBridgeEventOptions, env: EventEnv): Record<string, unknown> {
  return {
    version: '0',
    id: env.uuid(),
    'detail-type': opts.detailType,
    source: opts.source,
    account: env.accountId,
    time: eventBridgeTime(env.now()),
    region: env.region,
    resources: opts.resources ?? [],
    detail: opts.detail,
  };
}

export function ruleArn(ruleName: string, env: EventEnv, busName = 'default'): string {
  const bus = busName === 'default' ? '' : `${busName}/`;
  return `arn:aws:events:${env.region}:${env.accountId}:rule/${bus}${ruleName}`;
}
