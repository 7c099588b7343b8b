/**
 * SNS (`sns`): registration with the edge plus the typed internal API the app and the triggers
 * layer use (template topics and subscriptions, publishing on behalf of other services).
 */
import type { ServerResponse } from 'node:http';
import { queryParams, sendQueryError, sendQueryResult } from '../../protocols/query.ts';
import { AwsError, type AwsRequest, type AwsService, type Caller, type ServiceContext } from '../types.ts';
import { ACTIONS } from './protocol.ts';
import {
  MAX_BATCH_ENTRIES,
  MAX_MESSAGE_BYTES,
  SnsState,
  type PublishOptions,
  type PublishResult,
  type Subscription,
  type Topic,
} from './state.ts';

export type { MessageAttributeValue, PublishOptions, PublishResult, Subscription, Topic } from './state.ts';
export type { NotificationDetail, SnsEnvelope, SnsLambdaRecord } from './events.ts';
export { NOTIFICATION, SUBSCRIPTION_CONFIRMATION } from './events.ts';

export const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
/** A PublishBatch holds up to 10 messages of 256 KB, form-encoded (up to 3 bytes per byte). */
const MAX_REQUEST_BYTES = MAX_BATCH_ENTRIES * MAX_MESSAGE_BYTES * 3 + 1024 * 1024;

export interface SnsService extends AwsService {
  readonly state: SnsState;
  createTopic(name: string, attributes?: Record<string, string>): Promise<Topic>;
  subscribe(
    topicArn: string,
    protocol: string,
    endpoint: string,
    attributes?: Record<string, string>,
  ): Promise<Subscription>;
  publish(topicArn: string, message: string, options?: PublishOptions, caller?: Caller): PublishResult;
  close(): Promise<void>;
}

export function createSnsService(ctx: ServiceContext): SnsService {
  const state = new SnsState(ctx);
  return {
    signingName: 'sns',
    queryActions: new Set(Object.keys(ACTIONS)),
    state,
    createTopic: (name, attributes) => state.createTopic(name, attributes),
    subscribe: (topicArn, protocol, endpoint, attributes) =>
      state.subscribe(topicArn, protocol, endpoint, attributes),
    publish: (topicArn, message, options, caller) => state.publish(topicArn, message, options, caller),
    async handle(req: AwsRequest, res: ServerResponse): Promise<void> {
      try {
        const params = queryParams(req.query, await req.body(MAX_REQUEST_BYTES));
        const action = params.get('Action') ?? '';
        const handler = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
        if (!handler)
          throw new AwsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
        const result = await handler(state, params, req.caller);
        sendQueryResult(res, action, result, req.requestId, SNS_XMLNS);
      } catch (err) {
        sendQueryError(res, err, req.requestId, SNS_XMLNS);
      }
    },
    close: () => Promise.resolve(),
  };
}
