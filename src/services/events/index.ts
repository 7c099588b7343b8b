/**
 * EventBridge (`events`): registration with the edge plus the typed internal API the app and the
 * triggers layer use (template resources, rules created from SAM `Events:`).
 */
import type { ServerResponse } from 'node:http';
import { parseJsonBody, sendJson, sendJsonError } from '../../protocols/json.ts';
import { AwsError, type AwsRequest, type AwsService, type Caller, type ServiceContext } from '../types.ts';
import { OPERATIONS } from './protocol.ts';
import {
  EventBridgeState,
  MAX_EVENT_ENTRY_BYTES,
  MAX_PUT_EVENTS_ENTRIES,
  type EventBus,
  type FailedTargetEntry,
  type PutEventsEntry,
  type PutEventsResult,
  type PutRuleInput,
  type Rule,
  type Target,
} from './state.ts';

export type { EventBus, PutEventsEntry, PutEventsResult, PutRuleInput, Rule, Target } from './state.ts';
export type { EventBridgeEvent, RuleMatchedDetail } from './events.ts';
export { RULE_MATCHED } from './events.ts';

const TARGET_PREFIX = 'AWSEvents.';
/** A request holds at most 10 entries of at most 1 MB each, plus JSON framing. */
const MAX_REQUEST_BYTES = MAX_PUT_EVENTS_ENTRIES * MAX_EVENT_ENTRY_BYTES + 1024 * 1024;

export interface EventBridgeService extends AwsService {
  readonly state: EventBridgeState;
  ensureBus(name: string): Promise<EventBus>;
  putRule(input: PutRuleInput): Promise<{ RuleArn: string }>;
  putTargets(
    rule: string,
    targets: Target[],
    eventBusName?: string,
  ): Promise<{ FailedEntryCount: number; FailedEntries: FailedTargetEntry[] }>;
  putEvents(entries: PutEventsEntry[], caller?: Caller): PutEventsResult;
  getRule(name: string, eventBusName?: string): Rule | undefined;
  close(): Promise<void>;
}

export function createEventBridgeService(ctx: ServiceContext): EventBridgeService {
  const state = new EventBridgeState(ctx);
  return {
    signingName: 'events',
    targetPrefixes: [TARGET_PREFIX],
    state,
    ensureBus: (name) => state.ensureBus(name),
    putRule: (input) => state.putRule(input),
    putTargets: (rule, targets, bus) => state.putTargets(rule, targets, bus),
    putEvents: (entries, caller) => state.putEvents(entries, caller),
    getRule(name, bus) {
      try {
        return state.getRule(name, bus);
      } catch {
        return undefined;
      }
    },
    async handle(req: AwsRequest, res: ServerResponse): Promise<void> {
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
        const handler = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
        if (!handler)
          throw new AwsError(
            'UnknownOperationException',
            `Operation ${operation || target} is not supported.`,
          );
        const input = parseJsonBody(await req.body(MAX_REQUEST_BYTES));
        const output = await handler(state, input, req.caller);
        sendJson(res, 200, output ?? {}, req.requestId);
      } catch (err) {
        sendJsonError(res, err, req.requestId);
      }
    },
    close() {
      state.close();
      return Promise.resolve();
    },
  };
}
