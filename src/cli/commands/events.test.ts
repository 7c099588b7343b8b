/** `slipway events` through the real CLI: spawned processes, stdout parsed as JSON. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const main = join(repoRoot, 'src/cli/main.ts');
const tsx = import.meta.resolve('tsx');
const fixtures = join(repoRoot, 'src/events/fixtures');
/** A directory without a template, so that events use placeholders. */
const empty = mkdtempSync(join(tmpdir(), 'slipway-events-'));
after(() => rmSync(empty, { recursive: true, force: true }));

function slipway(args: string[], cwd = empty): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', tsx, main, 'events', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Obj = Record<string, unknown>;
const firstRecord = (stdout: string): Obj => (JSON.parse(stdout) as { Records: Obj[] }).Records[0]!;

test('events s3 put prints the event as JSON, the key URL-encoded', () => {
  const r = slipway(['s3', 'put', '--key', 'a b.txt', '--bucket', 'my-bucket', '--size', '7']);
  assert.equal(r.status, 0, r.stderr);
  const s3 = firstRecord(r.stdout).s3 as { bucket: Obj; object: Obj };
  assert.equal(s3.object.key, 'a+b.txt');
  assert.equal(s3.object.size, 7);
  assert.equal(s3.bucket.arn, 'arn:aws:s3:::my-bucket');
});

test('repeatable options and the common --region', () => {
  const r = slipway(['sqs', 'receive-message', '--body', 'one', '--body', 'two', '--region', 'eu-west-1']);
  assert.equal(r.status, 0, r.stderr);
  const records = (JSON.parse(r.stdout) as { Records: Obj[] }).Records;
  assert.deepEqual(
    records.map((x) => x.body),
    ['one', 'two'],
  );
  assert.equal(records[0]!.awsRegion, 'eu-west-1');
});

test('no arguments lists every source and type; a source lists its types; --json too', () => {
  const all = slipway([]);
  assert.equal(all.status, 0, all.stderr);
  for (const word of ['apigateway', 'aws-proxy', 'http-api-proxy', 's3', 'put', 'cloudwatch', 'logs'])
    assert.match(all.stdout, new RegExp(word));
  const s3 = slipway(['s3']);
  assert.match(s3.stdout, /put/);
  assert.doesNotMatch(s3.stdout, /receive-message/);
  const json = JSON.parse(slipway(['--json']).stdout) as Array<{
    source: string;
    types: Array<{ type: string }>;
  }>;
  assert.ok(json.some((s) => s.source === 'dynamodb' && s.types.some((t) => t.type === 'update')));
});

test('help of a type lists the options the registry declares', () => {
  const r = slipway(['s3', 'put', '--help']);
  assert.equal(r.status, 0);
  for (const flag of ['--bucket', '--key', '--size', '--etag', '--region', '--template'])
    assert.match(r.stdout, new RegExp(flag));
});

test('an unknown source, type or option is one line on stderr naming it and the valid ones, exit code 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['s4', 'put'], /unknown event source 's4'; valid sources: apigateway, s3/],
    [['s3', 'post'], /unknown event type 'post' for source 's3'; valid types: put, delete/],
    [
      ['s3', 'put', '--colour', 'red'],
      /unknown option '--colour' for 'slipway events s3 put'; valid options: --bucket/,
    ],
    [['--colour'], /unknown option '--colour' for 'slipway events'/],
    [['s3', 'put', '--size', 'big'], /--size must be a whole number/],
  ];
  for (const [args, message] of cases) {
    const r = slipway(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

const loaderMissing = !existsSync(join(repoRoot, 'src/project/load.ts'));
const SKIP_REASON = 'src/project/load.ts (loadProject) is not in this checkout yet';

test(
  "with a template: logical ids become real names, --for builds the trigger's event",
  { skip: loaderMissing && SKIP_REASON },
  () => {
    const queue = slipway(['sqs', 'receive-message', '--queue', 'Jobs'], fixtures);
    assert.equal(queue.status, 0, queue.stderr);
    assert.match(
      firstRecord(queue.stdout).eventSourceARN as string,
      /^arn:aws:sqs:us-east-1:123456789012:.*Jobs/,
    );

    const upload = slipway(['--for', 'OnUpload'], fixtures);
    assert.equal(upload.status, 0, upload.stderr);
    const s3 = firstRecord(upload.stdout).s3 as { bucket: Obj; object: Obj };
    assert.match(s3.bucket.name as string, /uploads/);
    assert.equal(
      s3.object.key,
      'incoming/example.csv',
      "a key that passes the trigger's prefix/suffix filter",
    );

    const overridden = slipway(
      ['--for', 'OnUpload', '--parameter-overrides', 'Prefix=data/', '--key', 'data/x y.csv'],
      fixtures,
    );
    assert.equal(overridden.status, 0, overridden.stderr);
    assert.equal((firstRecord(overridden.stdout).s3 as { object: Obj }).object.key, 'data/x+y.csv');

    const api = slipway(['--for', 'GetUser', '--path', '/users/9'], fixtures);
    assert.equal(api.status, 0, api.stderr);
    const e = JSON.parse(api.stdout) as Obj;
    assert.equal(e.resource, '/users/{id}');
    assert.deepEqual(e.pathParameters, { id: '9' });

    const explicit = slipway(['s3', 'put', '--template', join(fixtures, 'template.yaml')]);
    assert.equal(explicit.status, 0, explicit.stderr);
    assert.match(
      (firstRecord(explicit.stdout).s3 as { bucket: Obj }).bucket.name as string,
      /uploads/,
      "the template's only bucket",
    );

    const bad = slipway(['--for', 'Nope'], fixtures);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /no function 'Nope'.*OnUpload/);
  },
);

test('--for without a template says so', () => {
  const r = slipway(['--for', 'Fn']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--for needs a template/);
});
