/**
 * Kinesis operations on a stream's metadata: retention, tags, registered consumers, limits.
 * (Consumers are recorded only: SubscribeToShard is not emulated.)
 */
import { AwsError } from '../types.ts';
import { decodeToken, encodeToken } from './iterator.ts';
import {
  checkRetention,
  consumerJson,
  consumerOf,
  CONSUMER_NAME,
  STREAM_ARN,
  streamOf,
  type Operation,
} from './members.ts';
import { MAX_CONSUMERS_PER_STREAM, MAX_SHARDS_PER_ACCOUNT, MAX_TAGS_PER_STREAM } from './state.ts';

export const metaOperations: Record<string, Operation> = {
  async IncreaseStreamRetentionPeriod(p, c) {
    const s = streamOf(p, c);
    const hours = checkRetention(p);
    if (hours < s.meta.retentionHours)
      throw new AwsError(
        'InvalidArgumentException',
        `Requested retention period (${hours} hours) for stream ${s.meta.name} can not be shorter than existing retention period (${s.meta.retentionHours} hours). Use DecreaseRetentionPeriod API.`,
      );
    await c.state.setRetention(s, hours);
    return {};
  },

  async DecreaseStreamRetentionPeriod(p, c) {
    const s = streamOf(p, c);
    const hours = checkRetention(p);
    if (hours > s.meta.retentionHours)
      throw new AwsError(
        'InvalidArgumentException',
        `Requested retention period (${hours} hours) for stream ${s.meta.name} can not be longer than existing retention period (${s.meta.retentionHours} hours). Use IncreaseRetentionPeriod API.`,
      );
    await c.state.setRetention(s, hours);
    return {};
  },

  async AddTagsToStream(p, c) {
    const s = streamOf(p, c);
    const tags = p.strMap('Tags');
    const count = Object.keys(tags).length;
    if (count < 1 || count > 10)
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length between 1 and 10`,
      );
    const merged = { ...s.meta.tags, ...tags };
    if (Object.keys(merged).length > MAX_TAGS_PER_STREAM)
      throw new AwsError(
        'InvalidArgumentException',
        `Failed to add tags to stream ${s.meta.name} under account ${s.arn.split(':')[4]!} because a given stream cannot have more than ${MAX_TAGS_PER_STREAM} tags.`,
      );
    s.meta.tags = merged;
    await c.state.saveMeta(s);
    return {};
  },

  async RemoveTagsFromStream(p, c) {
    const s = streamOf(p, c);
    for (const key of p.strList('TagKeys')) delete s.meta.tags[key];
    await c.state.saveMeta(s);
    return {};
  },

  ListTagsForStream(p, c) {
    const s = streamOf(p, c);
    const limit = p.int('Limit', { min: 1, max: 50 }) ?? 50;
    const start = p.str('ExclusiveStartTagKey', { min: 1, max: 128 });
    const keys = Object.keys(s.meta.tags)
      .sort()
      .filter((k) => start === undefined || k > start);
    return {
      Tags: keys.slice(0, limit).map((Key) => ({ Key, Value: s.meta.tags[Key] })),
      HasMoreTags: keys.length > limit,
    };
  },

  async RegisterStreamConsumer(p, c) {
    const s = c.state.get(p.str('StreamARN', { required: true, ...STREAM_ARN }));
    const name = p.str('ConsumerName', { required: true, ...CONSUMER_NAME });
    if (s.meta.consumers.some((x) => x.name === name))
      throw new AwsError(
        'ResourceInUseException',
        `Consumer ${name} under stream ${s.meta.name} already exists for account ${s.arn.split(':')[4]!}.`,
      );
    if (s.meta.consumers.length >= MAX_CONSUMERS_PER_STREAM)
      throw new AwsError(
        'LimitExceededException',
        `Consumer limit of ${MAX_CONSUMERS_PER_STREAM} for stream ${s.meta.name} reached.`,
      );
    const createdMs = c.now();
    const consumer = { name, arn: `${s.arn}/consumer/${name}:${Math.floor(createdMs / 1000)}`, createdMs };
    s.meta.consumers.push(consumer);
    await c.state.saveMeta(s);
    return { Consumer: consumerJson(s, consumer) };
  },

  ListStreamConsumers(p, c) {
    const s = c.state.get(p.str('StreamARN', { required: true, ...STREAM_ARN }));
    const limit = p.int('MaxResults', { min: 1, max: 10_000 }) ?? 100;
    const token = p.str('NextToken', { min: 1, max: 1048576 });
    const offset = token === undefined ? 0 : Number(decodeToken(token).offset);
    const page = s.meta.consumers.slice(offset, offset + limit);
    const more = offset + limit < s.meta.consumers.length;
    return {
      Consumers: page.map((x) => {
        const { StreamARN: _omit, ...summary } = consumerJson(s, x);
        return summary;
      }),
      ...(more ? { NextToken: encodeToken({ offset: offset + limit }) } : {}),
    };
  },

  DescribeStreamConsumer(p, c) {
    const { stream, index } = consumerOf(p, c);
    return { ConsumerDescription: consumerJson(stream, stream.meta.consumers[index]!) };
  },

  async DeregisterStreamConsumer(p, c) {
    const { stream, index } = consumerOf(p, c);
    stream.meta.consumers.splice(index, 1);
    await c.state.saveMeta(stream);
    return {};
  },

  DescribeLimits(_p, c) {
    const streams = c.state.list();
    return {
      ShardLimit: MAX_SHARDS_PER_ACCOUNT,
      OpenShardCount: c.state.openShardCount(),
      OnDemandStreamCount: streams.filter((s) => s.meta.mode === 'ON_DEMAND').length,
      OnDemandStreamCountLimit: 50,
    };
  },
};
