/** Bucket names and ARNs, validated as AWS does (general purpose bucket naming rules). */
import { AwsError } from '../types.ts';

const FORBIDDEN_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const FORBIDDEN_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** Why `name` is not a valid bucket name, or undefined when it is. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'Bucket names must be between 3 and 63 characters long.';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return 'Bucket names can consist only of lowercase letters, numbers, dots and hyphens, and must begin and end with a letter or number.';
  if (name.includes('..')) return 'Bucket names must not contain two adjacent periods.';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'Bucket names must not be formatted as an IP address.';
  if (FORBIDDEN_PREFIXES.some((p) => name.startsWith(p)))
    return 'Bucket names must not start with a reserved prefix.';
  if (FORBIDDEN_SUFFIXES.some((s) => name.endsWith(s)))
    return 'Bucket names must not end with a reserved suffix.';
  return undefined;
}

export function assertBucketName(name: string): void {
  const problem = bucketNameProblem(name);
  if (problem)
    throw new AwsError('InvalidBucketName', `The specified bucket is not valid. ${problem}`, 400, {
      BucketName: name,
    });
}

export const bucketArn = (name: string): string => `arn:aws:s3:::${name}`;
