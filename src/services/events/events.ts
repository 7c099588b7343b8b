/**
 * What the EventBridge service emits (ServiceEvent with source `events`).
 *
 * `RuleMatched` (resourceArn: the rule's ARN): an event (from PutEvents, or a schedule firing) matched
 * an ENABLED rule; one emit per target. The triggers layer delivers `input` to `targetArn` (Lambda
 * async invoke, SQS send, SNS publish...), honouring `retryPolicy` and sending failures to
 * `deadLetterArn`. The service itself never calls another service.
 */

/** The EventBridge event envelope every target sees (the bus it went through is not in it). */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601 to the second, UTC. */
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface RetryPolicy {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
}

export interface RuleMatchedDetail {
  ruleArn: string;
  busArn: string;
  targetId: string;
  targetArn: string;
  /** What the target receives: the event JSON, or the target's Input / InputPath / InputTransformer result. */
  input: string;
  deadLetterArn?: string;
  retryPolicy?: RetryPolicy;
  event: EventBridgeEvent;
}

export const RULE_MATCHED = 'RuleMatched';

/** EventBridge's `time`: ISO 8601 to the second, in UTC. */
export function eventTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
