/**
 * A Kinesis event source mapping (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html):
 * one ShardConsumer per shard (./kinesis-shard.ts). AWS polls each shard about once a second; here
 * a shard is read when the stream says it got records (`onRecords`), so an idle stream costs
 * nothing and a new record is handed over at once. A shard that first appears after the mapping
 * started (a stream created later, a reshard) is read from its beginning: everything in it is new.
 *
 * Not emulated: tumbling windows (TumblingWindowInSeconds is reported and ignored), the order of
 * parent before child shards after a reshard, enhanced fan-out consumers.
 */
import { errorText, reportsBatchItemFailures, arnAccount } from './common.ts';
import { ShardConsumer, type ShardSettings } from './kinesis-shard.ts';
import { newStats, type Poller, type PollerContext, type PollerStats } from './poller.ts';
import type {
  CheckpointsPort,
  DestinationsPort,
  EventSourceMappingConfig,
  KinesisPort,
  KinesisPosition,
} from './ports.ts';

export interface KinesisPollerOptions {
  kinesis: KinesisPort;
  destinations: DestinationsPort;
  checkpoints: CheckpointsPort;
  /** The role ARN records carry as `invokeIdentityArn`. */
  invokeIdentityArn: string;
}

export function functionArnOf(functionName: string, region: string, account: string): string {
  return functionName.startsWith('arn:')
    ? functionName
    : `arn:aws:lambda:${region}:${account}:function:${functionName}`;
}

export class KinesisPoller implements Poller {
  private readonly shards = new Map<string, ShardConsumer>();
  private readonly counters: PollerStats;
  private readonly settings: ShardSettings;
  private unsubscribe: (() => void) | undefined;
  private listing: Promise<void> = Promise.resolve();
  private started = false;
  private stopped = false;

  constructor(
    private readonly config: EventSourceMappingConfig,
    options: KinesisPollerOptions,
    private readonly ctx: PollerContext,
  ) {
    this.counters = newStats('kinesis', config.UUID, config.EventSourceArn, config.FunctionName);
    this.settings = {
      config,
      kinesis: options.kinesis,
      destinations: options.destinations,
      checkpoints: options.checkpoints,
      ctx,
      stats: this.counters,
      functionArn: functionArnOf(config.FunctionName, ctx.region, arnAccount(config.EventSourceArn)),
      invokeIdentityArn: options.invokeIdentityArn,
      rbif: reportsBatchItemFailures(config),
    };
    if (config.TumblingWindowInSeconds)
      ctx.log(
        `kinesis mapping ${config.UUID}: TumblingWindowInSeconds is not emulated; records are processed without windows`,
      );
  }

  private startPosition(): KinesisPosition {
    const c = this.config;
    if (c.StartingPosition === 'AT_TIMESTAMP')
      return { type: 'AT_TIMESTAMP', timestamp: (c.StartingPositionTimestamp ?? 0) * 1000 };
    return { type: c.StartingPosition ?? 'LATEST' };
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.unsubscribe = this.settings.kinesis.onRecords(this.config.EventSourceArn, (shardId) => {
      const shard = this.shards.get(shardId);
      if (shard) shard.notify();
      else this.listing = this.listing.then(() => this.discover({ type: 'TRIM_HORIZON' }));
    });
    this.listing = this.discover(this.startPosition());
  }

  private async discover(start: KinesisPosition): Promise<void> {
    if (this.stopped) return;
    let shards;
    try {
      shards = await this.settings.kinesis.listShards(this.config.EventSourceArn);
    } catch (err) {
      this.ctx.log(
        `kinesis mapping ${this.config.UUID}: cannot list the shards of ${this.config.EventSourceArn}: ${errorText(err)}`,
      );
      return;
    }
    for (const { shardId } of shards) {
      if (this.shards.has(shardId) || this.stopped) continue;
      const consumer = new ShardConsumer(shardId, this.settings, start);
      this.shards.set(shardId, consumer);
      consumer.run();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    await this.listing;
    await Promise.all([...this.shards.values()].map((s) => s.stop()));
  }

  stats(): PollerStats {
    const shards: NonNullable<PollerStats['shards']> = {};
    for (const [id, s] of this.shards) shards[id] = s.info();
    return { ...this.counters, shards };
  }
}
