/**
 * `slipway deploy --quick` as a user runs it: against moto's server standing in for an AWS account
 * where `sam deploy` created the stack (names come from the stack's resources), and against a
 * running `slipway dev` (the updated function then serves the new code).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { copyProject, REPO_ROOT, runCli, startDev } from '../helpers/slipway.ts';
import { motoAvailable, startMoto, type MotoServer } from '../helpers/moto.ts';

const FIXTURE = join(REPO_ROOT, 'test/integration/fixtures/deploy-app');
const CREDENTIALS = { accessKeyId: 'deploytest', secretAccessKey: 'deploytest' };
const AWS_ENV = {
  AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
};

interface Outcome {
  logicalId: string;
  functionName: string;
  status: string;
  bytesSent: number;
  codeSha256: string;
  version?: string;
  error?: string;
  hint?: string;
}
interface Summary {
  names: string;
  outcomes: Outcome[];
  totals: { updated: number; unchanged: number; failed: number; bytesSent: number };
}

function parseSummary(stdout: string): Summary {
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Summary;
}

function statuses(summary: Summary): Record<string, string> {
  return Object.fromEntries(summary.outcomes.map((o) => [o.logicalId, o.status]));
}

function sha256Base64(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('base64');
}

const STACK_TEMPLATE = JSON.stringify({
  AWSTemplateFormatVersion: '2010-09-09',
  Resources: {
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } },
    },
    ...Object.fromEntries(
      ['HelloFunction', 'OtherFunction'].map((id) => [
        id,
        {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Runtime: 'nodejs20.x',
            Handler: 'index.handler',
            Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
            Code: { ZipFile: 'exports.handler = async () => "deployed by the stack";' },
          },
        },
      ]),
    ),
  },
});

const motoSkip = (await motoAvailable()) ? false : 'python3 -m moto.server is not installed here';

describe('deploy --quick against an AWS account (moto)', { skip: motoSkip }, () => {
  let moto: MotoServer;
  let project: { dir: string; remove(): void };
  const deploy = (...args: string[]) =>
    runCli(['deploy', '--quick', '--json', '--endpoint-url', moto.endpoint, ...args], {
      cwd: project.dir,
      env: AWS_ENV,
      timeoutMs: 90_000,
    });

  before(async () => {
    moto = await startMoto();
    project = copyProject(FIXTURE);
    const cfn = new CloudFormationClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
    });
    await cfn.send(new CreateStackCommand({ StackName: 'deploy-app', TemplateBody: STACK_TEMPLATE }));
  });
  after(async () => {
    await moto?.stop();
    project?.remove();
  });

  test('the first deploy updates every function, named as the stack named them', async () => {
    const result = await deploy('--stack-name', 'deploy-app');
    assert.equal(result.code, 0, result.stderr);
    const summary = parseSummary(result.stdout);
    assert.equal(summary.names, 'stack');
    assert.deepEqual(statuses(summary), { HelloFunction: 'updated', OtherFunction: 'updated' });
    const lambda = new LambdaClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
    });
    for (const o of summary.outcomes) {
      assert.match(
        o.functionName,
        new RegExp(`^deploy-app-${o.logicalId}-`),
        'the physical name from the stack',
      );
      const zip = join(project.dir, '.slipway/build', `${o.logicalId}.zip`);
      assert.equal(o.codeSha256, sha256Base64(zip));
      assert.equal(o.bytesSent, readFileSync(zip).length);
      const remote = await lambda.send(new GetFunctionCommand({ FunctionName: o.functionName }));
      assert.equal(remote.Configuration?.CodeSha256, o.codeSha256);
    }
  });

  test('nothing changed: nothing is sent', async () => {
    const result = await deploy('--stack-name', 'deploy-app');
    assert.equal(result.code, 0, result.stderr);
    const summary = parseSummary(result.stdout);
    assert.deepEqual(statuses(summary), { HelloFunction: 'unchanged', OtherFunction: 'unchanged' });
    assert.equal(summary.totals.bytesSent, 0);
  });

  test('one changed file: only its function is updated, and can be published as a version', async () => {
    writeFileSync(
      join(project.dir, 'src/hello/index.mjs'),
      'export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ version: 2 }) });\n',
    );
    const result = await deploy('--stack-name', 'deploy-app', '--publish');
    assert.equal(result.code, 0, result.stderr);
    const summary = parseSummary(result.stdout);
    assert.deepEqual(statuses(summary), { HelloFunction: 'updated', OtherFunction: 'unchanged' });
    const hello = summary.outcomes.find((o) => o.logicalId === 'HelloFunction');
    assert.match(hello?.version ?? '', /^\d+$/);
  });

  test('--s3-bucket uploads through S3 under a content-addressed key, sent once', async () => {
    const s3 = new S3Client({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'deploy-artifacts' }));
    writeFileSync(
      join(project.dir, 'src/other/index.mjs'),
      'export const handler = async () => ({ other: 2 });\n',
    );
    const first = await deploy(
      '--stack-name',
      'deploy-app',
      '--s3-bucket',
      'deploy-artifacts',
      'OtherFunction',
    );
    assert.equal(first.code, 0, first.stderr);
    const other = parseSummary(first.stdout).outcomes[0] as Outcome;
    assert.equal(other.status, 'updated');
    const key = `slipway-artifacts/OtherFunction/${Buffer.from(other.codeSha256, 'base64').toString('hex')}.zip`;
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'deploy-artifacts', Key: key }));
    assert.equal(head.ContentLength, other.bytesSent);
    // The same bytes again (forced): the object is already there, nothing is uploaded.
    const again = await deploy(
      '--stack-name',
      'deploy-app',
      '--s3-bucket',
      'deploy-artifacts',
      '--force',
      'OtherFunction',
    );
    assert.equal(again.code, 0, again.stderr);
    const forced = parseSummary(again.stdout).outcomes[0] as Outcome;
    assert.equal(forced.status, 'updated');
    assert.equal(forced.bytesSent, 0);
  });

  test('a function that does not exist in the account fails with its name and what to do', async () => {
    const result = await deploy('--stack-name', 'no-such-stack');
    assert.equal(result.code, 1, result.stdout);
    const summary = parseSummary(result.stdout);
    assert.equal(summary.names, 'template');
    for (const o of summary.outcomes) {
      assert.equal(o.status, 'failed');
      assert.match(o.error ?? '', new RegExp(`function ${o.functionName} does not exist`));
      assert.match(o.hint ?? '', /create them first/);
    }
  });
});

describe('deploy --quick: bad input', () => {
  let project: { dir: string; remove(): void };
  before(() => {
    project = copyProject(FIXTURE);
  });
  after(() => project?.remove());

  test('without --quick: exit 2 and what to do', async () => {
    const result = await runCli(['deploy'], { cwd: project.dir, env: AWS_ENV });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /DeployModeMissing/);
    assert.match(result.stderr, /--quick/);
  });

  test('no credentials anywhere: exit 2 before anything is built or sent', async () => {
    const home = mkdtempSync(join(tmpdir(), 'slipway-nocreds-'));
    try {
      const env: NodeJS.ProcessEnv = {
        HOME: home,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      const result = await runCli(['deploy', '--quick', '--endpoint-url', 'http://127.0.0.1:1'], {
        cwd: project.dir,
        env,
        timeoutMs: 60_000,
      });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /CredentialsMissing/);
      assert.match(result.stderr, /AWS_ACCESS_KEY_ID/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test(
    'credentials the account refuses: exit 2, nothing reported as deployed',
    { skip: motoSkip },
    async () => {
      // With INITIAL_NO_AUTH_ACTION_COUNT=0 moto checks access keys against its IAM: ours is unknown.
      const strict = await startMoto({ INITIAL_NO_AUTH_ACTION_COUNT: '0' });
      try {
        const result = await runCli(['deploy', '--quick', '--json', '--endpoint-url', strict.endpoint], {
          cwd: project.dir,
          env: AWS_ENV,
          timeoutMs: 60_000,
        });
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, /CredentialsRejected/);
        assert.match(result.stderr, /refused the credentials/);
        assert.doesNotMatch(result.stdout, /"updated"/);
      } finally {
        await strict.stop();
      }
    },
  );

  test('nothing listening at --endpoint-url: exit 2 naming it', async () => {
    const result = await runCli(['deploy', '--quick', '--endpoint-url', 'http://127.0.0.1:1'], {
      cwd: project.dir,
      env: AWS_ENV,
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /EndpointUnreachable/);
    assert.match(result.stderr, /127\.0\.0\.1:1/);
  });
});

describe('deploy --quick into a running slipway dev', () => {
  test('only the changed function is updated, and then serves the new code', async () => {
    const project = copyProject(FIXTURE);
    const dev = await startDev([], { cwd: project.dir });
    try {
      const deploy = () =>
        runCli(['deploy', '--quick', '--json', '--endpoint-url', dev.endpoint], {
          cwd: project.dir,
          env: AWS_ENV,
          timeoutMs: 90_000,
        });
      // dev runs the functions from their folders: the built zips differ, so both are updated once.
      const first = await deploy();
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(statuses(parseSummary(first.stdout)), {
        HelloFunction: 'updated',
        OtherFunction: 'updated',
      });
      const second = await deploy();
      assert.deepEqual(statuses(parseSummary(second.stdout)), {
        HelloFunction: 'unchanged',
        OtherFunction: 'unchanged',
      });

      writeFileSync(
        join(project.dir, 'src/hello/index.mjs'),
        'export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ version: 3 }) });\n',
      );
      const third = await deploy();
      assert.equal(third.code, 0, third.stderr);
      assert.deepEqual(statuses(parseSummary(third.stdout)), {
        HelloFunction: 'updated',
        OtherFunction: 'unchanged',
      });
      const response = await fetch(`${dev.apiUrl}/hello`);
      assert.deepEqual(await response.json(), { version: 3 });
    } finally {
      await dev.stop();
      project.remove();
    }
  });
});
