/**
 * EventBridge wire format (awsJson1_1, `X-Amz-Target: AWSEvents.<Operation>`) mapped onto
 * EventBridgeState. Timestamps travel as epoch seconds.
 */
import { AwsError, type Caller } from '../types.ts';
import {
  busNameOf,
  DEFAULT_BUS,
  type EventBridgeState,
  type PutEventsEntry,
  type Rule,
  type RuleState,
  type Target,
} from './state.ts';

type Input = Record<string, unknown>;
type Handler = (state: EventBridgeState, input: Input, caller?: Caller) => unknown;

const str = (input: Input, name: string, required = false): string | undefined => {
  const v = input[name];
  if (v === undefined || v === null) {
    if (required)
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value null at '${name[0]?.toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
      );
    return undefined;
  }
  if (typeof v !== 'string') throw new AwsError('SerializationException', `${name} must be a string.`);
  return v;
};

const seconds = (ms: number): number => ms / 1000;

function page<T>(items: T[], input: Input, key: (item: T) => string): { items: T[]; next?: string } {
  const limit = typeof input.Limit === 'number' && input.Limit > 0 ? input.Limit : 100;
  const token = str(input, 'NextToken');
  const from = token ? Buffer.from(token, 'base64url').toString('utf8') : undefined;
  const start = from === undefined ? 0 : items.findIndex((i) => key(i) >= from);
  const slice = start < 0 ? [] : items.slice(start, start + limit);
  const following = start < 0 ? undefined : items[start + limit];
  return following === undefined
    ? { items: slice }
    : { items: slice, next: Buffer.from(key(following)).toString('base64url') };
}

function ruleSummary(rule: Rule): Record<string, unknown> {
  const out: Record<string, unknown> = { Name: rule.Name, Arn: rule.Arn };
  if (rule.EventPattern !== undefined) out.EventPattern = rule.EventPattern;
  if (rule.ScheduleExpression !== undefined) out.ScheduleExpression = rule.ScheduleExpression;
  out.State = rule.State;
  if (rule.Description !== undefined) out.Description = rule.Description;
  if (rule.RoleArn !== undefined) out.RoleArn = rule.RoleArn;
  out.EventBusName = rule.EventBusName;
  return out;
}

const publicTarget = (t: Target): Record<string, unknown> => ({ ...t });

export const OPERATIONS: Record<string, Handler> = {
  async CreateEventBus(state, input) {
    const bus = await state.createEventBus(str(input, 'Name', true) as string, str(input, 'Description'));
    return {
      EventBusArn: bus.Arn,
      ...(bus.Description !== undefined ? { Description: bus.Description } : {}),
    };
  },
  async DeleteEventBus(state, input) {
    await state.deleteEventBus(str(input, 'Name', true) as string);
    return {};
  },
  DescribeEventBus(state, input) {
    const bus = state.getBus(str(input, 'Name') ?? DEFAULT_BUS);
    return {
      Name: bus.Name,
      Arn: bus.Arn,
      ...(bus.Description !== undefined ? { Description: bus.Description } : {}),
      CreationTime: seconds(bus.CreationTime),
      LastModifiedTime: seconds(bus.LastModifiedTime),
    };
  },
  ListEventBuses(state, input) {
    const { items, next } = page(state.listBuses(str(input, 'NamePrefix')), input, (b) => b.Name);
    return {
      EventBuses: items.map((b) => ({
        Name: b.Name,
        Arn: b.Arn,
        ...(b.Description !== undefined ? { Description: b.Description } : {}),
        CreationTime: seconds(b.CreationTime),
        LastModifiedTime: seconds(b.LastModifiedTime),
      })),
      ...(next ? { NextToken: next } : {}),
    };
  },
  PutRule(state, input) {
    return state.putRule({
      Name: str(input, 'Name', true) as string,
      EventBusName: str(input, 'EventBusName'),
      EventPattern: str(input, 'EventPattern'),
      ScheduleExpression: str(input, 'ScheduleExpression'),
      State: str(input, 'State') as RuleState | undefined,
      Description: str(input, 'Description'),
      RoleArn: str(input, 'RoleArn'),
    });
  },
  DescribeRule(state, input) {
    const rule = state.getRule(str(input, 'Name', true) as string, str(input, 'EventBusName'));
    return { ...ruleSummary(rule), CreatedBy: rule.CreatedBy };
  },
  ListRules(state, input) {
    const bus = state.getBus(str(input, 'EventBusName'));
    const prefix = str(input, 'NamePrefix') ?? '';
    const rules = state.rulesOn(bus.Name).filter((r) => r.Name.startsWith(prefix));
    const { items, next } = page(rules, input, (r) => r.Name);
    return { Rules: items.map(ruleSummary), ...(next ? { NextToken: next } : {}) };
  },
  ListRuleNamesByTarget(state, input) {
    const arn = str(input, 'TargetArn', true) as string;
    const bus = state.getBus(str(input, 'EventBusName'));
    const rules = state.rulesOn(bus.Name).filter((r) => r.Targets.some((t) => t.Arn === arn));
    const { items, next } = page(rules, input, (r) => r.Name);
    return { RuleNames: items.map((r) => r.Name), ...(next ? { NextToken: next } : {}) };
  },
  async DeleteRule(state, input) {
    await state.deleteRule(str(input, 'Name', true) as string, str(input, 'EventBusName'));
    return {};
  },
  async EnableRule(state, input) {
    await state.setRuleState(str(input, 'Name', true) as string, str(input, 'EventBusName'), 'ENABLED');
    return {};
  },
  async DisableRule(state, input) {
    await state.setRuleState(str(input, 'Name', true) as string, str(input, 'EventBusName'), 'DISABLED');
    return {};
  },
  PutTargets(state, input) {
    if (!Array.isArray(input.Targets)) throw new AwsError('ValidationException', 'Targets must be a list.');
    return state.putTargets(
      str(input, 'Rule', true) as string,
      input.Targets as Target[],
      str(input, 'EventBusName'),
    );
  },
  RemoveTargets(state, input) {
    if (!Array.isArray(input.Ids)) throw new AwsError('ValidationException', 'Ids must be a list.');
    return state.removeTargets(
      str(input, 'Rule', true) as string,
      input.Ids as string[],
      str(input, 'EventBusName'),
    );
  },
  ListTargetsByRule(state, input) {
    const rule = state.getRule(str(input, 'Rule', true) as string, str(input, 'EventBusName'));
    const { items, next } = page(rule.Targets, input, (t) => t.Id);
    return { Targets: items.map(publicTarget), ...(next ? { NextToken: next } : {}) };
  },
  PutEvents(state, input, caller) {
    if (!Array.isArray(input.Entries)) throw new AwsError('ValidationException', 'Entries must be a list.');
    const entries = (input.Entries as Array<Record<string, unknown>>).map((e): PutEventsEntry => {
      const entry: PutEventsEntry = { ...(e as PutEventsEntry) };
      if (typeof e.Time === 'number') entry.Time = e.Time * 1000;
      else delete entry.Time;
      if (e.EventBusName !== undefined) entry.EventBusName = busNameOf(e.EventBusName as string);
      return entry;
    });
    return state.putEvents(entries, caller);
  },
  TestEventPattern(state, input) {
    const pattern = str(input, 'EventPattern', true) as string;
    const event = str(input, 'Event', true) as string;
    return { Result: state.testEventPattern(pattern, event) };
  },
};
