/**
 * `slipway deploy --quick`: ship built zips to functions that already exist, uploading only what
 * changed. Per function: GetFunction; equal `CodeSha256` → nothing to do; otherwise UpdateFunctionCode
 * (the zip bytes, or a content-addressed S3 object for zips over the direct-upload limit), wait until
 * `LastUpdateStatus` is `Successful`, check the deployed `CodeSha256` is ours, optionally PublishVersion.
 * Uses AWS SDK v3 with the standard credential chain, so it works against AWS and a running Slipway.
 */
import { readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import {
  GetFunctionCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DeployArtifact, DeployOptions, DeployOutcome, DeployProgress } from './types.ts';
import { describeAwsError, isConnectionError, isCredentialError, isNotFound } from './aws-errors.ts';

/** Seconds to wait for one function's update to finish (Lambda's own updates take seconds). */
const UPDATE_WAIT_SECONDS = 300;

export interface DeployClients {
  lambda: LambdaClient;
  s3: S3Client;
}

/** `region` undefined: the SDK resolves it (AWS_REGION, the profile). */
export function createClients(
  options: Pick<DeployOptions, 'endpointUrl' | 'profile'> & { region?: string },
): DeployClients {
  const common = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    maxAttempts: 3,
  };
  return {
    lambda: new LambdaClient(common),
    // Path-style addressing: a loopback endpoint has no virtual-host names for buckets.
    s3: new S3Client({ ...common, forcePathStyle: options.endpointUrl !== undefined }),
  };
}

function hexOf(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}

/** Content-addressed key: an artefact already uploaded (same bytes) is never sent again. */
export function artifactKey(prefix: string, artifact: DeployArtifact): string {
  return `${prefix.replace(/\/+$/, '')}/${artifact.logicalId}/${hexOf(artifact.codeSha256)}.zip`;
}

async function uploadToS3(
  clients: DeployClients,
  bucket: string,
  key: string,
  artifact: DeployArtifact,
): Promise<number> {
  try {
    await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return 0;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: createReadStream(artifact.zipPath),
      ContentLength: artifact.size,
      ContentType: 'application/zip',
    }),
  );
  return artifact.size;
}

async function deployOne(
  clients: DeployClients,
  artifact: DeployArtifact,
  options: DeployOptions,
  progress: DeployProgress,
): Promise<DeployOutcome> {
  const base = {
    logicalId: artifact.logicalId,
    functionName: artifact.functionName,
    codeSha256: artifact.codeSha256,
    size: artifact.size,
  };
  let remote;
  try {
    remote = await clients.lambda.send(new GetFunctionCommand({ FunctionName: artifact.functionName }));
  } catch (err) {
    if (isNotFound(err))
      return {
        ...base,
        status: 'failed',
        bytesSent: 0,
        error: `function ${artifact.functionName} does not exist ${options.endpointUrl ? `at ${options.endpointUrl}` : `in ${options.region}`}`,
        hint: 'deploy --quick only updates functions that exist: create them first (sam deploy, or aws lambda create-function), or check --region/--endpoint-url',
      };
    throw err;
  }
  if (remote.Configuration?.CodeSha256 === artifact.codeSha256 && !options.force)
    return { ...base, status: 'unchanged', bytesSent: 0 };

  let bytesSent: number;
  let code: { ZipFile: Uint8Array } | { S3Bucket: string; S3Key: string };
  if (artifact.uploadVia === 's3') {
    if (!options.s3Bucket)
      return {
        ...base,
        status: 'failed',
        bytesSent: 0,
        error: `the zip is ${artifact.size} bytes, over Lambda's 50 MB limit for a direct upload`,
        hint: 'pass --s3-bucket <bucket> to upload it through S3',
      };
    const key = artifactKey(options.s3Prefix, artifact);
    progress({
      logicalId: artifact.logicalId,
      phase: 'uploading',
      detail: `s3://${options.s3Bucket}/${key}`,
    });
    bytesSent = await uploadToS3(clients, options.s3Bucket, key, artifact);
    code = { S3Bucket: options.s3Bucket, S3Key: key };
  } else {
    progress({ logicalId: artifact.logicalId, phase: 'uploading', detail: `${artifact.size} bytes` });
    const zip = await readFile(artifact.zipPath);
    bytesSent = zip.length;
    code = { ZipFile: zip };
  }
  const updated = await clients.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: artifact.functionName,
      ...code,
      ...(remote.Configuration?.RevisionId ? { RevisionId: remote.Configuration.RevisionId } : {}),
    }),
  );
  progress({ logicalId: artifact.logicalId, phase: 'waiting' });
  const wait = await waitUntilFunctionUpdatedV2(
    { client: clients.lambda, maxWaitTime: UPDATE_WAIT_SECONDS, minDelay: 1, maxDelay: 5 },
    { FunctionName: artifact.functionName },
  ).catch((err: unknown) => ({ state: 'FAILURE', reason: err }));
  if (wait.state !== 'SUCCESS') {
    const after = await clients.lambda
      .send(new GetFunctionCommand({ FunctionName: artifact.functionName }))
      .catch(() => undefined);
    const reason = after?.Configuration?.LastUpdateStatusReason ?? describeAwsError(wait.reason);
    return {
      ...base,
      status: 'failed',
      bytesSent,
      error: `the update did not finish: ${after?.Configuration?.LastUpdateStatus ?? wait.state}: ${reason}`,
    };
  }
  const deployedSha = updated.CodeSha256;
  if (deployedSha !== artifact.codeSha256)
    return {
      ...base,
      status: 'failed',
      bytesSent,
      error: `Lambda reports CodeSha256 ${deployedSha ?? '(none)'} for the uploaded code, not the built zip's ${artifact.codeSha256}`,
      hint: 'the upload was altered on the way (a proxy?) or the S3 object was replaced; run the deploy again',
    };
  const outcome: DeployOutcome = { ...base, status: 'updated', bytesSent };
  if (options.publish) {
    progress({ logicalId: artifact.logicalId, phase: 'publishing' });
    const version = await clients.lambda.send(
      new PublishVersionCommand({ FunctionName: artifact.functionName, CodeSha256: artifact.codeSha256 }),
    );
    if (version.Version) outcome.version = version.Version;
  }
  return outcome;
}

/**
 * Deploys every artefact, `options.concurrency` at a time; one function's failure does not stop the
 * others. Missing or refused credentials and an unreachable endpoint stop the whole deploy (thrown):
 * they would fail every function the same way.
 */
export async function quickDeploy(
  artifacts: DeployArtifact[],
  options: DeployOptions,
  progress: DeployProgress = () => undefined,
  clients: DeployClients = createClients(options),
): Promise<DeployOutcome[]> {
  const outcomes = new Array<DeployOutcome>(artifacts.length);
  let next = 0;
  let fatal: unknown;
  const worker = async (): Promise<void> => {
    while (next < artifacts.length && fatal === undefined) {
      const index = next++;
      const artifact = artifacts[index] as DeployArtifact;
      progress({ logicalId: artifact.logicalId, phase: 'checking' });
      try {
        outcomes[index] = await deployOne(clients, artifact, options, progress);
      } catch (err) {
        if (isCredentialError(err) || isConnectionError(err)) {
          fatal ??= err;
          return;
        }
        outcomes[index] = {
          logicalId: artifact.logicalId,
          functionName: artifact.functionName,
          codeSha256: artifact.codeSha256,
          size: artifact.size,
          status: 'failed',
          bytesSent: 0,
          error: describeAwsError(err),
        };
      }
      progress({ logicalId: artifact.logicalId, phase: 'done', outcome: outcomes[index] });
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, artifacts.length));
  await Promise.all(Array.from({ length: workers }, () => worker()));
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the SDK threw, as it was
  if (fatal !== undefined) throw fatal;
  return outcomes;
}
