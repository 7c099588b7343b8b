/**
 * Functions as the Lambda API shows them: the template's (with what the API changed) and those
 * created through it; name and qualifier resolution; FunctionConfiguration and GetFunction shapes
 * for `$LATEST` and published versions.
 */
import type { FunctionModel } from '../../project/model.ts';
import type { Clock } from '../../shared/clock.ts';
import { AwsError } from '../types.ts';
import { codeLocationUrl } from './code-location.ts';
import type { Deployments } from './deployments.ts';
import {
  CodeInfoCache,
  codeLocation,
  derivedRevisionId,
  findFunction,
  functionConfiguration,
  functionTags,
  parseFunctionName,
  type CodeInfo,
  type ConfigurationDetails,
} from './functions.ts';
import { functionArn } from './models.ts';
import type { FunctionRecord, Status, VersionRecord } from './records.ts';

/** A function of the API: `$LATEST` as reported now, and what the API stored for it. */
export interface ApiFunction {
  latest: FunctionModel;
  record?: FunctionRecord;
  /** Set for functions the template declares. */
  template?: FunctionModel;
}

export interface Resolved {
  fn: ApiFunction;
  /** `$LATEST`, a version number, or (aliases are not kept) any other name. */
  qualifier?: string;
}

const VERSION_RE = /^\d+$/;

function statusFields(status: Status): ConfigurationDetails['status'] {
  return { ...status };
}

export class FunctionViews {
  private readonly codeInfo = new CodeInfoCache();
  private readonly firstSeen = new WeakMap<FunctionModel, number>();

  constructor(
    private readonly deployments: Deployments,
    private readonly o: { region: string; accountId: string; clock: Clock; endpointUrl: () => string },
  ) {}

  /** Every function: the template's, then those created through the API (by name). */
  all(): ApiFunction[] {
    const out: ApiFunction[] = [];
    const names = new Set<string>();
    for (const template of this.deployments.templateFunctions()) {
      const record = this.deployments.forTemplate(template.logicalId);
      out.push({
        latest: record ? (this.deployments.latestModel(record) ?? template) : template,
        record,
        template,
      });
      names.add(template.logicalId).add(template.functionName);
    }
    for (const record of this.deployments.createdRecords()) {
      const latest = this.deployments.latestModel(record);
      if (latest && !names.has(record.name)) out.push({ latest, record });
    }
    return out;
  }

  notFound(input: string, qualifier?: string): AwsError {
    const { name } = parseFunctionName(input);
    const arn = functionArn(this.o.region, this.o.accountId, name);
    return new AwsError(
      'ResourceNotFoundException',
      `Function not found: ${arn}${qualifier ? `:${qualifier}` : ''}`,
      404,
    );
  }

  /** Name, logical id, full or partial ARN, `name:qualifier`; `Qualifier` from the query must agree. */
  resolve(input: string, queryQualifier?: string | null): Resolved {
    const all = this.all();
    const found = findFunction(
      all.map((f) => f.latest),
      input,
    );
    if (!found) throw this.notFound(input);
    const fn = all.find((f) => f.latest === found.fn) as ApiFunction;
    const query = queryQualifier ?? undefined;
    if (found.qualifier !== undefined && query !== undefined && found.qualifier !== query)
      throw new AwsError(
        'InvalidParameterValueException',
        'The derived qualifier from the function name does not match the specified qualifier.',
        400,
      );
    return { fn, qualifier: found.qualifier ?? query };
  }

  /** The version a numeric qualifier names (404 when there is none); undefined for `$LATEST` and aliases. */
  version(resolved: Resolved, strict = true): VersionRecord | undefined {
    const q = resolved.qualifier;
    if (q === undefined || q === '$LATEST') return undefined;
    const version = resolved.fn.record?.versions.find((v) => v.version === q);
    if (!version && (strict || VERSION_RE.test(q))) throw this.notFound(resolved.fn.latest.functionName, q);
    return version;
  }

  async latestCode(fn: ApiFunction): Promise<CodeInfo> {
    const code = fn.record?.code;
    // Without a deployed package the code is the template's (cached per template model).
    return code ? { sha256: code.sha256, size: code.size } : this.codeInfo.get(fn.template ?? fn.latest);
  }

  revisionId(fn: ApiFunction, code: CodeInfo): string {
    return fn.record?.revisionId ?? derivedRevisionId(fn.latest, code);
  }

  async configuration(
    fn: ApiFunction,
    options: { qualifiedLatest?: boolean; listing?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    const code = await this.latestCode(fn);
    const model = options.qualifiedLatest ? { ...fn.latest, arn: `${fn.latest.arn}:$LATEST` } : fn.latest;
    const details: ConfigurationDetails = { revisionId: this.revisionId(fn, code), listing: options.listing };
    const record = fn.record;
    if (record) {
      details.role = record.config.Role;
      details.status = statusFields(record.status);
      return functionConfiguration(model, code, record.lastModified, details);
    }
    let modified = this.firstSeen.get(fn.latest);
    if (modified === undefined) this.firstSeen.set(fn.latest, (modified = this.o.clock.now()));
    return functionConfiguration(model, code, modified, details);
  }

  versionConfiguration(version: VersionRecord, listing = false): Record<string, unknown> {
    return functionConfiguration(
      version.model,
      { sha256: version.codeSha256, size: version.codeSize },
      version.lastModified,
      {
        role: version.role || undefined,
        revisionId: version.revisionId,
        status: statusFields(version.status),
        listing,
      },
    );
  }

  /** GetFunction's answer for `$LATEST` or a version. */
  async getFunction(resolved: Resolved): Promise<Record<string, unknown>> {
    const { fn } = resolved;
    const version = this.version(resolved);
    const code = version ? version.code : fn.record?.code;
    const model = version?.model ?? fn.latest;
    const body: Record<string, unknown> = {
      Configuration: version
        ? this.versionConfiguration(version)
        : await this.configuration(fn, { qualifiedLatest: resolved.qualifier === '$LATEST' }),
      Code: {
        RepositoryType: 'S3',
        Location: code ? codeLocationUrl(this.o.endpointUrl(), code) : codeLocation(model),
      },
    };
    if (!version) body.Tags = functionTags(fn.latest);
    if (fn.latest.reservedConcurrentExecutions !== undefined)
      body.Concurrency = { ReservedConcurrentExecutions: fn.latest.reservedConcurrentExecutions };
    return body;
  }
}
