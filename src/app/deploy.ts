/**
 * `slipway deploy --quick`: build (the cache makes an unchanged function free), find each function's
 * name in the account, then update only the functions whose code changed.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DeployConfig } from '../config/index.ts';
import { describeAwsError, isConnectionError, isCredentialError } from '../deploy/aws-errors.ts';
import { resolveFunctionNames } from '../deploy/names.ts';
import { createClients, quickDeploy } from '../deploy/quick.ts';
import type { DeployArtifact, DeployOptions, DeployOutcome } from '../deploy/types.ts';
import { SlipwayError } from '../shared/errors.ts';
import { buildApp } from './build.ts';
import type { Reporter } from './reporter.ts';

export interface DeploySummary {
  endpoint: string | null;
  region: string;
  /** Where the function names came from: the CloudFormation stack's resources, or the template. */
  names: 'stack' | 'template';
  outcomes: DeployOutcome[];
  totals: { updated: number; unchanged: number; failed: number; bytesSent: number };
}

function where(config: DeployConfig): string {
  return (
    config.endpointUrl ?? `AWS (${config.profile ? `profile ${config.profile}` : 'default credentials'})`
  );
}

/** Credentials and region are resolved once, before anything is built or sent. */
async function checkClientConfig(
  clients: ReturnType<typeof createClients>,
  config: DeployConfig,
): Promise<string> {
  let region: string;
  try {
    region = await clients.lambda.config.region();
  } catch {
    throw new SlipwayError('RegionMissing', 'no AWS region is set for the deploy', {
      hint: 'pass --region, or set AWS_REGION (or a region in your profile)',
    });
  }
  try {
    await clients.lambda.config.credentials();
  } catch (err) {
    throw new SlipwayError('CredentialsMissing', `no AWS credentials found: ${describeAwsError(err)}`, {
      hint: config.endpointUrl
        ? 'a running slipway dev accepts any credentials: e.g. AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test'
        : 'set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, pass --profile, or run `aws configure`',
    });
  }
  return region;
}

function fatal(err: unknown, config: DeployConfig): never {
  if (isCredentialError(err))
    throw new SlipwayError(
      'CredentialsRejected',
      `${where(config)} refused the credentials: ${describeAwsError(err)}`,
      {
        hint: 'check the access key, the secret and the session token (or --profile)',
      },
    );
  if (isConnectionError(err))
    throw new SlipwayError('EndpointUnreachable', `cannot reach ${where(config)}: ${describeAwsError(err)}`, {
      hint: config.endpointUrl
        ? `is slipway dev running with its AWS endpoint at ${config.endpointUrl}?`
        : 'check the network and --region',
    });
  throw err;
}

function buildReporter(progress: (line: string) => void, notice: (message: string) => void): Reporter {
  return { log: () => undefined, info: (message) => progress(message), warn: notice, error: notice };
}

export async function deployQuick(
  config: Readonly<DeployConfig>,
  progress: (line: string) => void,
  notice: (message: string) => void,
): Promise<DeploySummary> {
  const options: Omit<DeployOptions, 'region'> & { region?: string } = {
    endpointUrl: config.endpointUrl,
    profile: config.profile,
    concurrency: config.concurrency,
    publish: config.publish,
    force: config.force,
    s3Bucket: config.s3Bucket,
    s3Prefix: config.s3Prefix,
    ...(config.deployRegion ? { region: config.deployRegion } : {}),
  };
  const clients = createClients(options);
  const region = await checkClientConfig(clients, config);
  const deployOptions: DeployOptions = { ...options, region };

  // The build's own progress and warnings; its cache makes unchanged functions free.
  const built = await buildApp({ ...config, force: false }, buildReporter(progress, notice));
  const artifacts = built.artifacts.filter((a) => a.kind === 'function');
  for (const layer of built.artifacts.filter((a) => a.kind === 'layer'))
    notice(`layer ${layer.logicalId} was built but not deployed: --quick updates function code only`);

  const templateNames = new Map(artifacts.map((a) => [a.logicalId, a.functionName ?? a.logicalId]));
  const cloudFormation = new CloudFormationClient({
    region,
    ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
  });
  let resolution;
  try {
    resolution = await resolveFunctionNames(built.stackName, templateNames, cloudFormation);
  } catch (err) {
    fatal(err, config);
  }
  if (resolution.reason)
    notice(
      `function names from the template (${resolution.reason}); pass --stack-name if the stack has another name`,
    );

  const toDeploy: DeployArtifact[] = artifacts.map((a) => ({
    logicalId: a.logicalId,
    functionName: resolution.names.get(a.logicalId) ?? a.functionName ?? a.logicalId,
    zipPath: a.zipPath,
    codeSha256: a.codeSha256,
    size: a.size,
    uploadVia: config.s3Bucket ? 's3' : a.uploadVia,
  }));
  let outcomes: DeployOutcome[];
  try {
    outcomes = await quickDeploy(
      toDeploy,
      deployOptions,
      (event) => {
        if (event.phase === 'uploading') progress(`${event.logicalId}: uploading ${event.detail ?? ''}`);
        else if (event.phase === 'waiting') progress(`${event.logicalId}: waiting for the update to finish`);
        else if (event.phase === 'publishing') progress(`${event.logicalId}: publishing a version`);
      },
      clients,
    );
  } catch (err) {
    fatal(err, config);
  }
  const count = (status: DeployOutcome['status']): number =>
    outcomes.filter((o) => o.status === status).length;
  return {
    endpoint: config.endpointUrl ?? null,
    region,
    names: resolution.source,
    outcomes,
    totals: {
      updated: count('updated'),
      unchanged: count('unchanged'),
      failed: count('failed'),
      bytesSent: outcomes.reduce((n, o) => n + o.bytesSent, 0),
    },
  };
}
