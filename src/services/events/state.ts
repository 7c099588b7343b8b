/**
 * EventBridge state (plain TypeScript, no HTTP): event buses, rules with their targets, matching of
 * PutEvents entries, scheduled rules on ctx.clock timers. Store namespace `events`:
 * `bus:<name>` → EventBus, `rule:<bus>:<name>` → Rule (targets inside, in PutTargets order).
 * An in-memory copy is the source of truth while running (read-modify-write stays consistent
 * across concurrent requests); every change is written through before the caller is answered.
 */
import { randomUUID } from 'node:crypto';
import { compilePattern, type EventMatcher } from '../../shared/event-pattern.ts';
import { AwsError, type Caller, type ServiceContext } from '../types.ts';
import type { Namespace } from '../../store/types.ts';
import {
  eventTime,
  RULE_MATCHED,
  type EventBridgeEvent,
  type RetryPolicy,
  type RuleMatchedDetail,
} from './events.ts';
import { targetInput, validateTargetInput, type InputTransformer } from './input.ts';
import { parseScheduleExpression, ScheduleExpressionError, type Schedule } from './schedule.ts';

export const DEFAULT_BUS = 'default';
export const MAX_PUT_EVENTS_ENTRIES = 10;
/** Since 29 January 2026 an EventBridge event may carry up to 1 MB (AWS Compute Blog); was 256 KB. */
export const MAX_EVENT_ENTRY_BYTES = 1024 * 1024;
export const MAX_TARGETS_PER_RULE = 5;
export const MAX_PUT_TARGETS_ENTRIES = 10;
/** Timers never wait longer than this; a later fire time is re-checked (setTimeout's 24.8-day cap). */
const MAX_TIMER_MS = 24 * 60 * 60 * 1000;

export interface EventBus {
  Name: string;
  Arn: string;
  Description?: string;
  CreationTime: number;
  LastModifiedTime: number;
}

export interface Target {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: RetryPolicy;
  /** Other target parameters (SqsParameters, HttpParameters...) kept as given. */
  [extra: string]: unknown;
}

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface Rule {
  Name: string;
  Arn: string;
  EventBusName: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: RuleState;
  Description?: string;
  RoleArn?: string;
  CreatedBy: string;
  Targets: Target[];
  /** Epoch ms a rate schedule counts from (set when the schedule is created, changed or enabled). */
  ScheduleAnchor?: number;
}

export interface PutRuleInput {
  Name: string;
  EventBusName?: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State?: RuleState;
  Description?: string;
  RoleArn?: string;
}

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  /** Epoch ms. */
  Time?: number;
  EventBusName?: string;
  TraceHeader?: string;
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
}

export interface FailedTargetEntry {
  TargetId: string;
  ErrorCode: string;
  ErrorMessage: string;
}

const validation = (message: string): AwsError => new AwsError('ValidationException', message);
const notFound = (message: string): AwsError => new AwsError('ResourceNotFoundException', message);

/** Accepts a bus name or its ARN (`arn:aws:events:region:account:event-bus/name`). */
export function busNameOf(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === '') return DEFAULT_BUS;
  const m = /^arn:aws[\w-]*:events:[^:]*:\d*:event-bus\/(.+)$/.exec(nameOrArn);
  return m ? (m[1] as string) : nameOrArn;
}

export class EventBridgeState {
  private readonly ns: Namespace;
  private readonly buses = new Map<string, EventBus>();
  private readonly rules = new Map<string, Rule>();
  private readonly matchers = new Map<string, EventMatcher>();
  private readonly timers = new Map<string, { cancel(): void }>();
  private closed = false;

  constructor(private readonly ctx: ServiceContext) {
    this.ns = ctx.store.namespace('events');
    for (const { value } of this.ns.list<EventBus>('bus:')) this.buses.set(value.Name, value);
    for (const { value } of this.ns.list<Rule>('rule:'))
      this.rules.set(ruleKey(value.EventBusName, value.Name), value);
    if (!this.buses.has(DEFAULT_BUS)) {
      const now = ctx.clock.now();
      this.buses.set(DEFAULT_BUS, {
        Name: DEFAULT_BUS,
        Arn: this.busArn(DEFAULT_BUS),
        CreationTime: now,
        LastModifiedTime: now,
      });
    }
    for (const rule of this.rules.values()) this.schedule(rule);
  }

  // ---- ARNs -------------------------------------------------------------------------------------

  busArn(name: string): string {
    return `arn:aws:events:${this.ctx.region}:${this.ctx.accountId}:event-bus/${name}`;
  }

  ruleArn(busName: string, ruleName: string): string {
    const bus = busName === DEFAULT_BUS ? '' : `${busName}/`;
    return `arn:aws:events:${this.ctx.region}:${this.ctx.accountId}:rule/${bus}${ruleName}`;
  }

  // ---- Event buses ------------------------------------------------------------------------------

  async createEventBus(name: string, description?: string): Promise<EventBus> {
    if (!/^[.\-_A-Za-z0-9]{1,256}$/.test(name))
      throw validation(`Event bus name ${name} is not valid: use 1-256 of [.-_A-Za-z0-9].`);
    if (this.buses.has(name))
      throw new AwsError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    const now = this.ctx.clock.now();
    const bus: EventBus = { Name: name, Arn: this.busArn(name), CreationTime: now, LastModifiedTime: now };
    if (description !== undefined) bus.Description = description;
    this.buses.set(name, bus);
    await this.ns.put(`bus:${name}`, bus as never);
    return bus;
  }

  /** Creates the bus when missing (for the app wiring a template's AWS::Events::EventBus). */
  async ensureBus(name: string): Promise<EventBus> {
    return this.buses.get(name) ?? (await this.createEventBus(name));
  }

  getBus(nameOrArn: string | undefined): EventBus {
    const name = busNameOf(nameOrArn);
    const bus = this.buses.get(name);
    if (!bus) throw notFound(`Event bus ${name} does not exist.`);
    return bus;
  }

  listBuses(prefix = ''): EventBus[] {
    return [...this.buses.values()].filter((b) => b.Name.startsWith(prefix)).sort(byName);
  }

  async deleteEventBus(nameOrArn: string): Promise<void> {
    const name = busNameOf(nameOrArn);
    if (name === DEFAULT_BUS) throw validation('Cannot delete event bus default.');
    if (!this.buses.has(name)) return; // AWS: deleting a missing bus succeeds
    const ops: Array<{ key: string; value: undefined }> = [{ key: `bus:${name}`, value: undefined }];
    for (const rule of this.rulesOn(name)) {
      this.unschedule(rule);
      this.rules.delete(ruleKey(name, rule.Name));
      ops.push({ key: ruleKey(name, rule.Name), value: undefined });
    }
    this.buses.delete(name);
    await this.ns.batch(ops);
  }

  // ---- Rules ------------------------------------------------------------------------------------

  rulesOn(busName: string): Rule[] {
    return [...this.rules.values()].filter((r) => r.EventBusName === busName).sort(byName);
  }

  getRule(name: string, busNameOrArn?: string): Rule {
    const bus = this.getBus(busNameOrArn);
    const rule = this.rules.get(ruleKey(bus.Name, name));
    if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${bus.Name}.`);
    return rule;
  }

  async putRule(input: PutRuleInput): Promise<{ RuleArn: string }> {
    const bus = this.getBus(input.EventBusName);
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(input.Name ?? ''))
      throw validation(`Rule name ${String(input.Name)} is not valid: use 1-64 of [.-_A-Za-z0-9].`);
    if (input.EventPattern === undefined && input.ScheduleExpression === undefined)
      throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    if (input.EventPattern !== undefined) this.matcherFor(input.EventPattern);
    let schedule: Schedule | undefined;
    if (input.ScheduleExpression !== undefined) {
      if (bus.Name !== DEFAULT_BUS)
        throw validation('ScheduleExpression is supported only on the default event bus.');
      schedule = parseSchedule(input.ScheduleExpression);
    }
    const state = input.State ?? 'ENABLED';
    if (!['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'].includes(state))
      throw validation(`State ${state} is not valid: use ENABLED or DISABLED.`);
    const key = ruleKey(bus.Name, input.Name);
    const previous = this.rules.get(key);
    const rule: Rule = {
      Name: input.Name,
      Arn: this.ruleArn(bus.Name, input.Name),
      EventBusName: bus.Name,
      State: state,
      CreatedBy: this.ctx.accountId,
      Targets: previous?.Targets ?? [],
    };
    if (input.EventPattern !== undefined) rule.EventPattern = input.EventPattern;
    if (input.ScheduleExpression !== undefined) rule.ScheduleExpression = input.ScheduleExpression;
    if (input.Description !== undefined) rule.Description = input.Description;
    if (input.RoleArn !== undefined) rule.RoleArn = input.RoleArn;
    if (schedule) {
      const keep =
        previous !== undefined &&
        previous.ScheduleExpression === input.ScheduleExpression &&
        previous.State === state;
      rule.ScheduleAnchor = (keep ? previous.ScheduleAnchor : undefined) ?? this.ctx.clock.now();
    }
    await this.saveRule(rule);
    return { RuleArn: rule.Arn };
  }

  async deleteRule(name: string, busNameOrArn?: string): Promise<void> {
    const bus = this.getBus(busNameOrArn);
    const rule = this.rules.get(ruleKey(bus.Name, name));
    if (!rule) return; // AWS: deleting a missing rule succeeds
    if (rule.Targets.length > 0) throw validation("Rule can't be deleted since it has targets.");
    this.unschedule(rule);
    this.rules.delete(ruleKey(bus.Name, name));
    await this.ns.delete(ruleKey(bus.Name, name));
  }

  async setRuleState(
    name: string,
    busNameOrArn: string | undefined,
    state: 'ENABLED' | 'DISABLED',
  ): Promise<void> {
    const rule = this.getRule(name, busNameOrArn);
    if (rule.State === state) return;
    const updated: Rule = { ...rule, State: state };
    if (state === 'ENABLED' && rule.ScheduleExpression !== undefined)
      updated.ScheduleAnchor = this.ctx.clock.now();
    await this.saveRule(updated);
  }

  // ---- Targets ----------------------------------------------------------------------------------

  async putTargets(
    ruleName: string,
    targets: Target[],
    busNameOrArn?: string,
  ): Promise<{ FailedEntryCount: number; FailedEntries: FailedTargetEntry[] }> {
    const rule = this.getRule(ruleName, busNameOrArn);
    if (!Array.isArray(targets) || targets.length === 0 || targets.length > MAX_PUT_TARGETS_ENTRIES)
      throw validation(`Targets must hold 1 to ${MAX_PUT_TARGETS_ENTRIES} entries.`);
    const failed: FailedTargetEntry[] = [];
    const list = [...rule.Targets];
    for (const target of targets) {
      const problem = targetProblem(target);
      if (problem) throw validation(problem);
      const at = list.findIndex((t) => t.Id === target.Id);
      if (at >= 0) list[at] = target;
      else if (list.length >= MAX_TARGETS_PER_RULE)
        throw new AwsError(
          'LimitExceededException',
          `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).`,
        );
      else list.push(target);
    }
    await this.saveRule({ ...rule, Targets: list });
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  async removeTargets(
    ruleName: string,
    ids: string[],
    busNameOrArn?: string,
  ): Promise<{ FailedEntryCount: number; FailedEntries: FailedTargetEntry[] }> {
    const rule = this.getRule(ruleName, busNameOrArn);
    const remove = new Set(ids);
    await this.saveRule({ ...rule, Targets: rule.Targets.filter((t) => !remove.has(t.Id)) });
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  // ---- Events -----------------------------------------------------------------------------------

  /** Validates each entry, matches the valid ones against the bus's ENABLED rules, emits RuleMatched. */
  putEvents(entries: PutEventsEntry[], caller?: Caller): PutEventsResult {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_PUT_EVENTS_ENTRIES)
      throw validation(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_PUT_EVENTS_ENTRIES}`,
      );
    const result: PutEventsResult = { FailedEntryCount: 0, Entries: [] };
    const now = this.ctx.clock.now();
    for (const entry of entries) {
      const error = this.entryProblem(entry);
      if (error) {
        result.FailedEntryCount++;
        result.Entries.push(error);
        continue;
      }
      const bus = this.buses.get(busNameOf(entry.EventBusName)) as EventBus;
      const event: EventBridgeEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType as string,
        source: entry.Source as string,
        account: this.ctx.accountId,
        time: eventTime(entry.Time ?? now),
        region: this.ctx.region,
        resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail as string) as unknown,
      };
      for (const rule of this.rulesOn(bus.Name)) {
        if (rule.State === 'DISABLED' || rule.EventPattern === undefined) continue;
        if (this.matcherFor(rule.EventPattern)(event)) this.deliver(rule, bus, event, now, caller);
      }
      result.Entries.push({ EventId: event.id });
    }
    return result;
  }

  private entryProblem(entry: PutEventsEntry): { ErrorCode: string; ErrorMessage: string } | undefined {
    const invalid = (field: string, reason: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${field} is not valid. Reason: ${reason}`,
    });
    if (typeof entry.Source !== 'string' || entry.Source === '')
      return invalid('Source', 'Source is a required argument.');
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '')
      return invalid('DetailType', 'DetailType is a required argument.');
    if (typeof entry.Detail !== 'string' || entry.Detail === '')
      return invalid('Detail', 'Detail is a required argument.');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    if (entrySize(entry) > MAX_EVENT_ENTRY_BYTES)
      return invalid('Entry', `Entry size exceeds ${MAX_EVENT_ENTRY_BYTES} bytes.`);
    if (!this.buses.has(busNameOf(entry.EventBusName)))
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${busNameOf(entry.EventBusName)} does not exist.`,
      };
    return undefined;
  }

  private deliver(
    rule: Rule,
    bus: EventBus,
    event: EventBridgeEvent,
    ingestionTime: number,
    caller?: Caller,
  ): void {
    for (const target of rule.Targets) {
      const detail: RuleMatchedDetail = {
        ruleArn: rule.Arn,
        busArn: bus.Arn,
        targetId: target.Id,
        targetArn: target.Arn,
        input: targetInput(target, event, { ruleArn: rule.Arn, ruleName: rule.Name, ingestionTime }),
        event,
      };
      if (target.DeadLetterConfig?.Arn) detail.deadLetterArn = target.DeadLetterConfig.Arn;
      if (target.RetryPolicy) detail.retryPolicy = target.RetryPolicy;
      this.ctx.emit({
        source: 'events',
        type: RULE_MATCHED,
        resourceArn: rule.Arn,
        detail: detail as unknown as Record<string, unknown>,
        ...(caller ? { caller } : {}),
        time: ingestionTime,
      });
    }
  }

  /** TestEventPattern: does this pattern match this event (JSON text)? */
  testEventPattern(pattern: string, eventText: string): boolean {
    const matcher = this.matcherFor(pattern);
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw validation('Parameter Event is not valid.');
    }
    const required = ['id', 'account', 'source', 'time', 'region', 'detail-type'];
    if (typeof event !== 'object' || event === null || required.some((k) => !(k in event)))
      throw validation(
        `Parameter Event is not valid. Reason: an event needs the fields ${required.join(', ')}.`,
      );
    return matcher(event);
  }

  matcherFor(pattern: string): EventMatcher {
    let m = this.matchers.get(pattern);
    if (!m) {
      try {
        m = compilePattern(pattern);
      } catch (err) {
        throw new AwsError(
          'InvalidEventPatternException',
          `Event pattern is not valid. Reason: ${(err as Error).message}`,
        );
      }
      this.matchers.set(pattern, m);
    }
    return m;
  }

  // ---- Schedules --------------------------------------------------------------------------------

  private async saveRule(rule: Rule): Promise<void> {
    const key = ruleKey(rule.EventBusName, rule.Name);
    const previous = this.rules.get(key);
    if (previous) this.unschedule(previous);
    this.rules.set(key, rule);
    this.schedule(rule);
    await this.ns.put(key, rule as never);
  }

  private schedule(rule: Rule): void {
    this.unschedule(rule);
    if (this.closed || rule.State === 'DISABLED' || rule.ScheduleExpression === undefined) return;
    let schedule: Schedule;
    try {
      schedule = parseScheduleExpression(rule.ScheduleExpression);
    } catch {
      return;
    }
    const now = this.ctx.clock.now();
    let at: number | undefined;
    if (schedule.kind === 'rate') {
      const anchor = rule.ScheduleAnchor ?? now;
      at = anchor + (Math.floor((now - anchor) / schedule.periodMs) + 1) * schedule.periodMs;
    } else at = schedule.next(now);
    if (at === undefined) return;
    this.arm(rule, at);
  }

  private arm(rule: Rule, at: number): void {
    const key = ruleKey(rule.EventBusName, rule.Name);
    const wait = Math.max(0, Math.min(at - this.ctx.clock.now(), MAX_TIMER_MS));
    const timer = this.ctx.clock.setTimeout(() => {
      this.timers.delete(key);
      const current = this.rules.get(key);
      if (this.closed || current !== rule) return;
      if (this.ctx.clock.now() < at) return this.arm(rule, at);
      this.fireScheduled(rule, at);
      this.schedule(rule);
    }, wait);
    this.timers.set(key, timer);
  }

  private fireScheduled(rule: Rule, at: number): void {
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.ctx.accountId,
      time: eventTime(at),
      region: this.ctx.region,
      resources: [rule.Arn],
      detail: {},
    };
    const bus = this.buses.get(rule.EventBusName) ?? this.getBus(DEFAULT_BUS);
    this.deliver(rule, bus, event, this.ctx.clock.now());
  }

  private unschedule(rule: Rule): void {
    const key = ruleKey(rule.EventBusName, rule.Name);
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}

function ruleKey(bus: string, name: string): string {
  return `rule:${bus}:${name}`;
}

function byName(a: { Name: string }, b: { Name: string }): number {
  return a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0;
}

function parseSchedule(expression: string): Schedule {
  try {
    return parseScheduleExpression(expression);
  } catch (err) {
    if (err instanceof ScheduleExpressionError)
      throw validation(`Parameter ScheduleExpression is not valid. Reason: ${err.message}`);
    throw err;
  }
}

function targetProblem(target: Target): string | undefined {
  if (typeof target?.Id !== 'string' || !/^[.\-_A-Za-z0-9]{1,64}$/.test(target.Id))
    return `Target Id ${String(target?.Id)} is not valid: use 1-64 of [.-_A-Za-z0-9].`;
  if (typeof target.Arn !== 'string' || !target.Arn.startsWith('arn:'))
    return `Parameter Arn of target ${target.Id} is not valid.`;
  try {
    validateTargetInput(target);
  } catch (err) {
    return `Invalid input for target ${target.Id}: ${(err as Error).message}`;
  }
  return undefined;
}

/** "Calculating PutEvents event entry size": Time 14 bytes, then UTF-8 bytes of the strings. */
function entrySize(entry: PutEventsEntry): number {
  let size = entry.Time !== undefined ? 14 : 0;
  size += Buffer.byteLength(entry.Source ?? '') + Buffer.byteLength(entry.DetailType ?? '');
  size += Buffer.byteLength(entry.Detail ?? '');
  for (const r of entry.Resources ?? []) size += Buffer.byteLength(r);
  return size;
}
