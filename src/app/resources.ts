/** Template resources and seed data, created in a running cloud (provision.ts does the mapping). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Project } from '../project/model.ts';
import { formatError } from '../shared/errors.ts';
import type { Cloud } from './cloud.ts';
import { provision } from './provision.ts';
import type { Reporter } from './reporter.ts';

export async function provisionProject(project: Project, cloud: Cloud, reporter: Reporter): Promise<void> {
  const { s3, sqs, sns, kinesis, events, lambda } = cloud.services;
  try {
    const result = await provision(project, {
      s3,
      sqs,
      sns,
      kinesis,
      events: {
        ensureBus: (name) => events.ensureBus(name),
        putRule: (input) => events.putRule(input),
        putTargets: (rule, targets, bus) => events.putTargets(rule, targets, bus),
      },
      lambda: { createEventSourceMapping: (input) => lambda.createEventSourceMapping(input) },
    });
    for (const notice of result.notices) reporter.warn(notice);
  } catch (err) {
    reporter.error(`could not create the template's resources: ${formatError(err)}`);
  }
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** Puts every file under `dir` into `bucket` (key: the path below `dir`), skipping unchanged ones. */
async function seedBucket(bucket: string, dir: string, cloud: Cloud, reporter: Reporter): Promise<void> {
  await cloud.services.s3.createBucket(bucket);
  const files = filesUnder(dir);
  for (const file of files) {
    const key = relative(dir, file).split(sep).join('/');
    const body = readFileSync(file);
    // Unchanged objects are not put again, so a restart does not re-trigger their notifications.
    const existing = await cloud.services.s3.getObject(bucket, key);
    if (existing && existing.equals(body)) continue;
    await cloud.services.s3.putObject(bucket, key, body);
  }
  reporter.info(
    `seeded ${files.length} object${files.length === 1 ? '' : 's'} into s3://${bucket} from ${dir}`,
  );
}

/** `--seed-dir DIR`: every `DIR/<bucket>/**` file is put into that bucket (by name or logical id). */
export async function seedBuckets(
  seedDir: string,
  project: Project,
  cloud: Cloud,
  reporter: Reporter,
): Promise<void> {
  let entries: string[];
  try {
    entries = readdirSync(seedDir).filter((n) => statSync(join(seedDir, n)).isDirectory());
  } catch (err) {
    reporter.error(`--seed-dir ${seedDir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return;
  }
  for (const entry of entries) {
    const resource = project.resources.get(entry);
    const bucket = resource?.type === 'AWS::S3::Bucket' ? resource.ref : entry;
    await seedBucket(bucket, join(seedDir, entry), cloud, reporter);
  }
}

/**
 * `Metadata: { Slipway: { Seed: DIR } }` on an AWS::S3::Bucket: every file under DIR (relative to
 * the template) is put into that bucket, as `--seed-dir` does.
 */
export async function seedBucketsFromTemplate(
  project: Project,
  cloud: Cloud,
  reporter: Reporter,
): Promise<void> {
  for (const resource of project.resources.values()) {
    if (resource.type !== 'AWS::S3::Bucket') continue;
    const slipway = resource.metadata?.['Slipway'];
    if (!slipway || typeof slipway !== 'object' || !('Seed' in slipway)) continue;
    const seed = (slipway as Record<string, unknown>)['Seed'];
    const where = `${resource.logicalId} Metadata.Slipway.Seed`;
    if (typeof seed !== 'string' || seed === '') {
      reporter.error(`${where}: expected a folder path relative to the template`);
      continue;
    }
    const dir = resolve(project.projectDir, seed);
    try {
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    } catch (err) {
      reporter.error(`${where}: ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      continue;
    }
    try {
      await seedBucket(resource.ref, dir, cloud, reporter);
    } catch (err) {
      reporter.error(`${where}: could not seed s3://${resource.ref}: ${formatError(err)}`);
    }
  }
}
