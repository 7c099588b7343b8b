/** What `deploy --quick` takes (built zips) and gives back (one outcome per function). */

export interface DeployArtifact {
  logicalId: string;
  /** The function's name in the target account (FunctionName, or the name the stack gave it). */
  functionName: string;
  zipPath: string;
  /** base64 sha256 of the zip bytes, as the Lambda API reports `CodeSha256`. */
  codeSha256: string;
  size: number;
  /** Zips over Lambda's 50 MB direct-upload limit go through S3. */
  uploadVia: 'direct' | 's3';
}

export interface DeployOptions {
  region: string;
  endpointUrl?: string;
  profile?: string;
  concurrency: number;
  publish: boolean;
  /** Update even when the remote CodeSha256 is already the local one. */
  force: boolean;
  s3Bucket?: string;
  /** Key prefix for S3 uploads (`<prefix>/<LogicalId>/<sha256hex>.zip`). */
  s3Prefix: string;
}

export type DeployStatus = 'unchanged' | 'updated' | 'failed';

export interface DeployOutcome {
  logicalId: string;
  functionName: string;
  status: DeployStatus;
  codeSha256: string;
  size: number;
  /** Bytes sent for this function's code (0 when unchanged or already in S3). */
  bytesSent: number;
  /** The version published with --publish. */
  version?: string;
  error?: string;
  hint?: string;
}

export type DeployPhase = 'checking' | 'uploading' | 'waiting' | 'publishing' | 'done';

export type DeployProgress = (event: {
  logicalId: string;
  phase: DeployPhase;
  detail?: string;
  outcome?: DeployOutcome;
}) => void;
