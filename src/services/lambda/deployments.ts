/**
 * The life cycle of what the Lambda API deploys (plain TypeScript, no HTTP): CreateFunction's
 * `Pending → Active | Failed`, updates' `InProgress → Successful | Failed`, published versions, and
 * deletion. A change becomes visible to the runtime (`functionsFor`) only once its package is
 * unpacked, and `Successful` / `Active` is reported only after the runtime took it: a caller that
 * waited for it is served the new code.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionModel } from '../../project/model.ts';
import type { Clock } from '../../shared/clock.ts';
import { removeBlob } from '../../store/index.ts';
import type { Namespace } from '../../store/types.ts';
import { blobName, storePackage, type CodeRef } from './code-package.ts';
import type { CodeInfo } from './functions.ts';
import { applyConfig, createdModel, versionSnapshot, withPackage } from './models.ts';
import {
  keyOf,
  overridesTemplate,
  recordKey,
  RecordStore,
  type DeployedConfig,
  type FunctionRecord,
  type Status,
  type VersionRecord,
} from './records.ts';

/** What an update reports while it runs (Lambda's own words). */
const CREATING = { reason: 'The function is being created.', code: 'Creating' };
const INVALID_ZIP = 'InvalidZipFileException';

export interface DeploymentsOptions {
  ns: Namespace;
  blobDir: string;
  /** Packages are fsynced only when the store promises durability. */
  durable: boolean;
  clock: Clock;
  region: string;
  accountId: string;
  /** Unpacks a stored package and returns its directory; throws when it cannot be unpacked. */
  unpack(zipPath: string, owner: string): Promise<string>;
  log(line: string): void;
}

type Listener = () => void | Promise<void>;

/** Another create, update or publish of the same function has not settled yet. */
export class UpdateInProgressError extends Error {
  constructor(readonly functionName: string) {
    super(`an update of ${functionName} is in progress`);
  }
}

/** CreateFunction of a name already taken. */
export class FunctionExistsError extends Error {
  constructor(readonly functionName: string) {
    super(`function ${functionName} exists`);
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export class Deployments {
  private readonly store: RecordStore;
  private readonly records = new Map<string, FunctionRecord>();
  private readonly unpacked = new Map<string, string>();
  private readonly busy = new Map<string, Promise<void>>();
  /** Packages written whose record is not stored yet (kept from collection). */
  private readonly holding = new Set<string>();
  private readonly listeners = new Set<Listener>();
  private template = new Map<string, FunctionModel>();
  private loaded: Promise<void> | undefined;

  constructor(private readonly o: DeploymentsOptions) {
    this.store = new RecordStore(o.ns);
    for (const r of this.store.loadAll()) this.records.set(keyOf(r), r);
  }

  // ---- what the runtime runs ----

  /** The template's functions (API changes applied), then created functions, then published versions. */
  functionsFor(template: FunctionModel[]): FunctionModel[] {
    this.template = new Map(template.map((f) => [f.logicalId, f]));
    const out: FunctionModel[] = [];
    const taken = new Set<string>();
    for (const fn of template) {
      const running = this.forTemplate(fn.logicalId)?.running;
      out.push(running ? this.runModel(applyConfig(fn, running.config), running.code) : fn);
      taken.add(fn.logicalId).add(fn.functionName);
    }
    for (const r of this.sortedRecords('created')) {
      if (!r.running || taken.has(r.name)) continue;
      out.push(
        this.runModel(
          createdModel(r.name, r.running.config, this.o.region, this.o.accountId),
          r.running.code,
        ),
      );
    }
    const bases = new Set(out.map((f) => f.logicalId));
    for (const r of this.records.values()) {
      if (!bases.has(r.name)) continue;
      for (const v of r.versions) {
        if (v.status.State !== 'Active') continue;
        const model = v.code ? this.runModel(v.model, v.code) : v.model;
        out.push(model);
      }
    }
    return out;
  }

  /** Logical ids of template functions running deployed code or configuration. */
  overridden(): string[] {
    return [...this.records.values()].filter(overridesTemplate).map((r) => r.name);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Unpacks every stored package (start-up) and finishes updates a stop interrupted. */
  ready(): Promise<void> {
    this.loaded ??= this.restore();
    return this.loaded;
  }

  private async restore(): Promise<void> {
    const created: string[] = [];
    for (const r of this.records.values()) {
      for (const v of r.versions)
        if (v.code && v.status.State === 'Active') await this.tryUnpack(v.code, `${r.name}:${v.version}`);
      if (r.running?.code && (await this.tryUnpack(r.running.code, r.name)) !== undefined) delete r.running;
      // An update a stop interrupted is finished now.
      if (r.status.State === 'Pending' || r.status.LastUpdateStatus === 'InProgress') {
        const failure = await this.tryUnpack(r.code, r.name);
        if (failure === undefined) {
          r.running = { config: clone(r.config), code: r.code };
          r.status = { State: 'Active', LastUpdateStatus: 'Successful' };
        } else this.fail(r, failure);
      }
      for (const v of r.versions) {
        if (v.status.State !== 'Pending') continue;
        const failure = await this.tryUnpack(v.code, `${r.name}:${v.version}`);
        v.status =
          failure === undefined
            ? { State: 'Active' }
            : { State: 'Failed', StateReason: failure, StateReasonCode: INVALID_ZIP };
      }
      await this.store.save(r);
      if (r.kind === 'created' && r.running) created.push(r.name);
      if (overridesTemplate(r)) this.announceOverride(r);
    }
    if (created.length > 0)
      this.o.log(
        `λ ${created.length} function(s) created through the Lambda API are back: ${created.sort().join(', ')}`,
      );
  }

  // ---- lookups ----

  created(name: string): FunctionRecord | undefined {
    return this.records.get(recordKey('created', name));
  }

  forTemplate(logicalId: string): FunctionRecord | undefined {
    return this.records.get(recordKey('template', logicalId));
  }

  /** The template's functions as last handed to `functionsFor` (before API changes). */
  templateFunctions(): FunctionModel[] {
    return [...this.template.values()];
  }

  /** Created functions, by name (those a template function of the same name hides included). */
  createdRecords(): FunctionRecord[] {
    return this.sortedRecords('created');
  }

  isTemplateName(name: string): boolean {
    if (this.template.has(name)) return true;
    for (const fn of this.template.values()) if (fn.functionName === name) return true;
    return false;
  }

  isBusy(record: FunctionRecord): boolean {
    return this.busy.has(keyOf(record));
  }

  /** Resolves when the record's running update (if any) has settled. */
  async settled(record: FunctionRecord): Promise<void> {
    await this.busy.get(keyOf(record));
  }

  /** $LATEST as the API reports it now (its latest configuration, which may still be in progress). */
  latestModel(record: FunctionRecord): FunctionModel | undefined {
    if (record.kind === 'created')
      return createdModel(record.name, record.config, this.o.region, this.o.accountId);
    const template = this.template.get(record.name);
    return template ? applyConfig(template, record.config) : undefined;
  }

  zipPath(code: CodeRef): string {
    return join(this.o.blobDir, blobName(code));
  }

  /** A template function's record, made (not yet stored) when the API first changes it. */
  recordForTemplate(fn: FunctionModel, revisionId: string): FunctionRecord {
    return (
      this.forTemplate(fn.logicalId) ?? {
        kind: 'template',
        name: fn.logicalId,
        config: {},
        revisionId,
        lastModified: this.o.clock.now(),
        status: { State: 'Active', LastUpdateStatus: 'Successful' },
        versions: [],
        nextVersion: 1,
      }
    );
  }

  // ---- life cycle ----

  /** Returns the function (and version) as answered (Pending); creation goes on after. */
  async create(
    name: string,
    config: DeployedConfig,
    code: CodeRef,
    bytes: Buffer,
    publish: boolean,
  ): Promise<{ record: FunctionRecord; version?: VersionRecord }> {
    if (this.records.has(recordKey('created', name))) throw new FunctionExistsError(name);
    const record: FunctionRecord = {
      kind: 'created',
      name,
      config,
      code,
      revisionId: randomUUID(),
      lastModified: this.o.clock.now(),
      status: { State: 'Pending', StateReason: CREATING.reason, StateReasonCode: CREATING.code },
      versions: [],
      nextVersion: 1,
    };
    const version = publish ? this.addVersion(record, undefined, 'Pending') : undefined;
    this.records.set(keyOf(record), record);
    const release = this.claim(record);
    try {
      await this.keepPackage(code, bytes);
      await this.saveHolding(record, code);
    } catch (err) {
      this.records.delete(keyOf(record));
      release();
      throw err;
    }
    const answer = { record: clone(record), version: version && clone(version) };
    this.run(record, release, async () => {
      const failure = await this.tryUnpack(code, name);
      if (!this.current(record)) return;
      if (failure !== undefined) {
        this.fail(record, failure);
        if (version) version.status = { ...record.status };
        return this.store.save(record);
      }
      record.running = { config: clone(config), code };
      if (version) version.status = { State: 'Active' };
      await this.notify();
      record.status = { State: 'Active', LastUpdateStatus: 'Successful' };
      record.revisionId = randomUUID();
      await this.store.save(record);
    });
    return answer;
  }

  /** Returns $LATEST (and the version, with Publish) as answered (InProgress); the update goes on after. */
  async updateCode(
    record: FunctionRecord,
    code: CodeRef,
    bytes: Buffer,
    architectures: DeployedConfig['Architectures'],
    publish: boolean,
  ): Promise<{ record: FunctionRecord; version?: VersionRecord }> {
    const release = this.claim(record);
    let version: VersionRecord | undefined;
    try {
      await this.keepPackage(code, bytes);
      record.code = code;
      if (architectures) record.config.Architectures = architectures;
      this.markInProgress(record);
      version = publish ? this.addVersion(record, undefined, 'Pending') : undefined;
      this.records.set(keyOf(record), record);
      await this.saveHolding(record, code);
    } catch (err) {
      release();
      throw err;
    }
    const answer = { record: clone(record), version: version && clone(version) };
    this.run(record, release, async () => {
      const failure = await this.tryUnpack(code, record.name);
      if (!this.current(record)) return;
      if (failure !== undefined) {
        this.fail(record, failure);
        if (version) version.status = { State: 'Failed', StateReason: failure, StateReasonCode: INVALID_ZIP };
        return this.store.save(record);
      }
      if (version) version.status = { State: 'Active' };
      await this.apply(record);
      if (record.kind === 'template') this.announceOverride(record);
      await this.collect();
    });
    return answer;
  }

  /** Returns $LATEST as answered (InProgress); the update goes on after. */
  async updateConfiguration(record: FunctionRecord, config: DeployedConfig): Promise<FunctionRecord> {
    const release = this.claim(record);
    try {
      Object.assign(record.config, config);
      this.markInProgress(record);
      this.records.set(keyOf(record), record);
      await this.store.save(record);
    } catch (err) {
      release();
      throw err;
    }
    const answer = clone(record);
    this.run(record, release, () => this.apply(record));
    return answer;
  }

  /** PublishVersion: a new version, or the last one when $LATEST has not changed since. */
  async publish(
    record: FunctionRecord,
    description: string | undefined,
    code: CodeInfo,
  ): Promise<VersionRecord> {
    const last = record.versions[record.versions.length - 1];
    if (last && last.fingerprint === this.fingerprint(record)) return last;
    const version = this.addVersion(record, description, 'Active', code);
    this.records.set(keyOf(record), record);
    await this.store.save(record);
    await this.notify();
    return version;
  }

  async deleteVersion(record: FunctionRecord, version: VersionRecord): Promise<void> {
    record.versions = record.versions.filter((v) => v !== version);
    await this.store.save(record);
    await this.notify();
    await this.collect();
  }

  /** DeleteFunction: a created function is gone; a template function runs its template definition again. */
  async delete(record: FunctionRecord): Promise<void> {
    const wasOverride = overridesTemplate(record);
    this.records.delete(keyOf(record));
    await this.store.remove(record);
    await this.notify();
    if (wasOverride)
      this.o.log(
        `↺ ${record.name} runs its template code and configuration again (the deployed ones were deleted)`,
      );
    await this.collect();
  }

  // ---- internals ----

  private sortedRecords(kind: FunctionRecord['kind']): FunctionRecord[] {
    return [...this.records.values()]
      .filter((r) => r.kind === kind)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  private runModel(fn: FunctionModel, code: CodeRef | undefined): FunctionModel {
    const dir = code ? this.unpacked.get(code.hex) : undefined;
    return code && dir ? withPackage(fn, this.zipPath(code), dir) : fn;
  }

  private current(record: FunctionRecord): boolean {
    return this.records.get(keyOf(record)) === record;
  }

  private markInProgress(record: FunctionRecord): void {
    record.revisionId = randomUUID();
    record.lastModified = this.o.clock.now();
    record.status = {
      State: record.status.State,
      LastUpdateStatus: 'InProgress',
      LastUpdateStatusReason: CREATING.reason,
      LastUpdateStatusReasonCode: CREATING.code,
    };
  }

  /** Hands $LATEST to the runtime, then reports the update Successful. */
  private async apply(record: FunctionRecord): Promise<void> {
    record.running = { config: clone(record.config), code: record.code };
    await this.notify();
    if (!this.current(record)) return;
    record.status = {
      State: record.status.State === 'Failed' ? 'Failed' : 'Active',
      LastUpdateStatus: 'Successful',
    };
    record.revisionId = randomUUID();
    await this.store.save(record);
  }

  /** Marks the record busy (an update in progress) from now until the returned release is called. */
  private claim(record: FunctionRecord): () => void {
    const key = keyOf(record);
    if (this.busy.has(key)) throw new UpdateInProgressError(record.name);
    let release = (): void => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.busy.set(key, done);
    return () => {
      if (this.busy.get(key) === done) this.busy.delete(key);
      release();
    };
  }

  /** Runs the rest of an update after its answer; the record stays busy until it is done. */
  private run(record: FunctionRecord, release: () => void, work: () => Promise<void>): void {
    void work()
      .catch((err: unknown) =>
        this.o.log(`Lambda API: ${record.name}: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(release);
  }

  private async notify(): Promise<void> {
    for (const listener of [...this.listeners]) {
      try {
        await listener();
      } catch (err) {
        this.o.log(
          `Lambda API: applying functions failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  /** Undefined when the package is unpacked (or there is none), else why it cannot be. */
  private async tryUnpack(code: CodeRef | undefined, owner: string): Promise<string | undefined> {
    if (!code || this.unpacked.has(code.hex)) return undefined;
    try {
      this.unpacked.set(code.hex, await this.o.unpack(this.zipPath(code), owner));
      return undefined;
    } catch (err) {
      return `Lambda could not unpack the deployment package: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /** A created function that never ran is Failed; otherwise the update failed and the previous code keeps running. */
  private fail(record: FunctionRecord, reason: string): void {
    if (record.status.State === 'Pending' || (record.kind === 'created' && !record.running))
      record.status = { State: 'Failed', StateReason: reason, StateReasonCode: INVALID_ZIP };
    else
      record.status = {
        ...record.status,
        LastUpdateStatus: 'Failed',
        LastUpdateStatusReason: reason,
        LastUpdateStatusReasonCode: INVALID_ZIP,
      };
  }

  private addVersion(
    record: FunctionRecord,
    description: string | undefined,
    state: Status['State'],
    codeInfo: CodeInfo = { sha256: record.code?.sha256 ?? '', size: record.code?.size ?? 0 },
  ): VersionRecord {
    const latest = this.latestModel(record);
    if (!latest) throw new Error(`${record.name} is not in the template any more`);
    const number = String(record.nextVersion++);
    const model = versionSnapshot(latest, number, record.code);
    if (description !== undefined) model.description = description;
    const version: VersionRecord = {
      version: number,
      revisionId: randomUUID(),
      lastModified: this.o.clock.now(),
      status:
        state === 'Active'
          ? { State: 'Active' }
          : { State: state, StateReason: CREATING.reason, StateReasonCode: CREATING.code },
      model,
      role: record.config.Role ?? '',
      code: record.code,
      codeSha256: codeInfo.sha256,
      codeSize: codeInfo.size,
      fingerprint: this.fingerprint(record),
    };
    record.versions.push(version);
    return version;
  }

  private fingerprint(record: FunctionRecord): string {
    const latest = this.latestModel(record);
    return createHash('sha256')
      .update(JSON.stringify({ config: record.config, code: record.code?.hex, latest }))
      .digest('base64');
  }

  private async keepPackage(code: CodeRef, bytes: Buffer): Promise<void> {
    this.holding.add(code.hex);
    try {
      await storePackage(this.o.blobDir, code, bytes, this.o.durable);
    } catch (err) {
      this.holding.delete(code.hex);
      throw err;
    }
  }

  private async saveHolding(record: FunctionRecord, code: CodeRef): Promise<void> {
    try {
      await this.store.save(record);
    } finally {
      this.holding.delete(code.hex);
    }
  }

  /** Removes packages no record, version or running update refers to. */
  private async collect(): Promise<void> {
    const used = new Set(this.holding);
    for (const r of this.records.values()) {
      if (r.code) used.add(r.code.hex);
      if (r.running?.code) used.add(r.running.code.hex);
      for (const v of r.versions) if (v.code) used.add(v.code.hex);
    }
    const names = await readdir(this.o.blobDir).catch(() => [] as string[]);
    for (const name of names) {
      const hex = name.endsWith('.zip') ? name.slice(0, -4) : undefined;
      if (hex === undefined || used.has(hex)) continue;
      this.unpacked.delete(hex);
      await removeBlob(this.o.blobDir, name).catch(() => undefined);
    }
  }

  private announceOverride(record: FunctionRecord): void {
    const what = record.code
      ? `code deployed through the Lambda API (CodeSha256 ${record.code.sha256})`
      : 'configuration set through the Lambda API';
    this.o.log(`⇪ ${record.name} runs the ${what}, not its template's; DeleteFunction reverts it`);
  }
}
