/**
 * Deployment packages sent to CreateFunction / UpdateFunctionCode: the bytes (`ZipFile`, or an
 * object in the emulated S3), Lambda's size checks and its "is this a zip" check (the central
 * directory, read without unpacking), and the content-addressed blob each package is kept in.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';
import type { Entry } from 'yauzl';
import { writeBlobAtomically } from '../../store/index.ts';
import { AwsError } from '../types.ts';
import type { S3ObjectRead } from './types.ts';

/** A package uploaded directly (ZipFile) must be at most 50 MB zipped. */
export const MAX_ZIPPED_CODE_BYTES = 50 * 1024 * 1024;
/** Unzipped, the package must stay under 250 MB. */
export const MAX_UNZIPPED_CODE_BYTES = 250 * 1024 * 1024;
/** The whole CreateFunction / UpdateFunctionCode request (JSON with the base64 ZipFile). */
export const MAX_CODE_REQUEST_BYTES = 70_167_211;

/** `Code` of CreateFunction, or the code fields of UpdateFunctionCode, in AWS's names. */
export interface FunctionCodeInput {
  ZipFile?: unknown;
  S3Bucket?: unknown;
  S3Key?: unknown;
  S3ObjectVersion?: unknown;
  ImageUri?: unknown;
}

/** A stored package: `CodeSha256` (base64) and `CodeSize`, and its blob name's hex digest. */
export interface CodeRef {
  sha256: string;
  hex: string;
  size: number;
}

export type ReadS3Object = (bucket: string, key: string, versionId?: string) => Promise<S3ObjectRead>;

function invalid(message: string): AwsError {
  return new AwsError('InvalidParameterValueException', message, 400);
}

export function requestTooLarge(operation: string): AwsError {
  return new AwsError(
    'RequestEntityTooLargeException',
    `Request must be smaller than ${MAX_CODE_REQUEST_BYTES} bytes for the ${operation} operation`,
    413,
  );
}

/** The package's bytes, from `ZipFile` (base64 in the JSON body) or from S3. */
export async function packageBytes(code: FunctionCodeInput, readS3: ReadS3Object): Promise<Buffer> {
  if (typeof code.ZipFile === 'string' && code.ZipFile !== '') {
    const bytes = Buffer.from(code.ZipFile, 'base64');
    if (bytes.length > MAX_ZIPPED_CODE_BYTES)
      throw new AwsError(
        'RequestEntityTooLargeException',
        `Zipped size must be smaller than ${MAX_ZIPPED_CODE_BYTES} bytes`,
        413,
      );
    return bytes;
  }
  if (typeof code.S3Bucket === 'string' && code.S3Bucket !== '') {
    if (typeof code.S3Key !== 'string' || code.S3Key === '')
      throw invalid('Please provide S3Key along with S3Bucket.');
    const version = typeof code.S3ObjectVersion === 'string' ? code.S3ObjectVersion : undefined;
    const read = await readS3(code.S3Bucket, code.S3Key, version);
    if ('errorCode' in read)
      throw invalid(
        `Error occurred while GetObject. S3 Error Code: ${read.errorCode}. S3 Error Message: ${read.errorMessage}`,
      );
    return read.body;
  }
  throw invalid('A ZIP file or S3 bucket is required: pass Code.ZipFile, or Code.S3Bucket and Code.S3Key.');
}

/** Lambda refuses, before storing anything, what is not a zip and what unpacks to 250 MB or more. */
export async function checkPackage(bytes: Buffer): Promise<void> {
  let unzipped: number;
  try {
    unzipped = await unzippedSize(bytes);
  } catch {
    throw invalid('Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
  if (unzipped >= MAX_UNZIPPED_CODE_BYTES)
    throw invalid(`Unzipped size must be smaller than ${MAX_UNZIPPED_CODE_BYTES} bytes`);
}

/** Sum of the entries' uncompressed sizes, from the central directory (nothing is inflated). */
function unzippedSize(bytes: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      let total = 0;
      zip.on('entry', (entry: Entry) => {
        total += entry.uncompressedSize;
        zip.readEntry();
      });
      zip.on('end', () => resolve(total));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

export function codeRefOf(bytes: Buffer): CodeRef {
  const digest = createHash('sha256').update(bytes).digest();
  return { sha256: digest.toString('base64'), hex: digest.toString('hex'), size: bytes.length };
}

export function blobName(code: CodeRef): string {
  return `${code.hex}.zip`;
}

/**
 * Stores the package under its sha256, written once and atomically (an identical package is not
 * written again); fsynced when the store is durable.
 */
export async function storePackage(
  blobDir: string,
  code: CodeRef,
  bytes: Buffer,
  durable: boolean,
): Promise<string> {
  const path = join(blobDir, blobName(code));
  if (existsSync(path)) return path;
  if (durable) {
    await writeBlobAtomically(blobDir, blobName(code), bytes);
  } else {
    const temp = `${path}.${process.pid}.partial`;
    await writeFile(temp, bytes);
    await rename(temp, path);
  }
  return path;
}
