/**
 * Adapters between the services' internal APIs and the ports the triggers layer declares. Each
 * side names things in its own service's words (SQS `dataType`, SNS base64 `BinaryValue`,
 * EventBridge epoch-ms `Time`); the app is the one place that knows both.
 */
import type { EventBridgeService } from '../services/events/index.ts';
import type {
  EventSourceMappingConfig as StoredMapping,
  LambdaService,
  S3ObjectRead,
} from '../services/lambda/index.ts';
import type { S3Service } from '../services/s3/index.ts';
import type { SnsService } from '../services/sns/index.ts';
import type { SqsService } from '../services/sqs/index.ts';
import type { EventSourceMappingConfig } from '../triggers/event-source-mappings/ports.ts';
import type {
  DestinationSinks,
  EventBridgePort,
  MessageAttributeValue,
  SnsPort,
  SqsPort,
} from '../triggers/ports.ts';

export function sqsPort(sqs: SqsService): SqsPort {
  return {
    sendMessage: (queueArn, body, options = {}) => {
      const attrs = options.messageAttributes;
      return sqs.sendMessage(queueArn, body, {
        ...options,
        messageAttributes: attrs
          ? Object.fromEntries(
              Object.entries(attrs).map(([k, v]: [string, MessageAttributeValue]) => [
                k,
                { dataType: v.DataType, stringValue: v.StringValue, binaryValue: v.BinaryValue },
              ]),
            )
          : undefined,
      });
    },
  };
}

export function snsPort(sns: SnsService): SnsPort {
  return {
    publish: (topicArn, message, options = {}, caller) => {
      const attrs = options.messageAttributes;
      const result = sns.publish(
        topicArn,
        message,
        {
          subject: options.subject,
          messageAttributes: attrs
            ? Object.fromEntries(
                Object.entries(attrs).map(([k, v]: [string, MessageAttributeValue]) => [
                  k,
                  {
                    DataType: v.DataType,
                    StringValue: v.StringValue,
                    BinaryValue: v.BinaryValue?.toString('base64'),
                  },
                ]),
              )
            : undefined,
        },
        caller,
      );
      return Promise.resolve({ messageId: result.MessageId });
    },
  };
}

export function eventBridgePort(events: EventBridgeService): EventBridgePort {
  return {
    putEvents: (entries, caller) =>
      Promise.resolve(
        events.putEvents(
          entries.map((e) => ({ ...e, Time: e.Time?.getTime() })),
          caller,
        ),
      ),
  };
}

export function destinationSinks(
  sqs: SqsService,
  sns: SnsService,
  events: EventBridgeService,
): DestinationSinks {
  return { sqs: sqsPort(sqs), sns: snsPort(sns), eventbridge: eventBridgePort(events) };
}

/** The Lambda API's stored mappings as the pollers read them. */
export function mappingsForPollers(lambda: LambdaService): () => EventSourceMappingConfig[] {
  return () =>
    lambda.eventSourceMappings().map((m: StoredMapping) => ({
      ...m,
      FunctionName: m.FunctionLogicalId,
      Enabled:
        m.State === 'Enabled' || m.State === 'Creating' || m.State === 'Enabling' || m.State === 'Updating',
    }));
}

/**
 * The S3 objects the Lambda API reads for `Code.S3Bucket` / `S3Key`, with S3's error codes. S3
 * versioning is not emulated: only `S3ObjectVersion: "null"` (an unversioned object's id) matches.
 */
export function s3ObjectReader(
  s3: S3Service,
): (bucket: string, key: string, versionId?: string) => Promise<S3ObjectRead> {
  return async (bucket, key, versionId) => {
    if (!s3.listBuckets().some((b) => b.name === bucket))
      return { errorCode: 'NoSuchBucket', errorMessage: 'The specified bucket does not exist' };
    if (versionId !== undefined && versionId !== 'null')
      return { errorCode: 'NoSuchVersion', errorMessage: 'The specified version does not exist.' };
    const body = await s3.getObject(bucket, key);
    return body ? { body } : { errorCode: 'NoSuchKey', errorMessage: 'The specified key does not exist.' };
  };
}
