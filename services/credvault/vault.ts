/**
 * CredVault's core: credentials with immutable, encrypted versions and AWS-style stages
 * (current / pending / previous). Every access is audited; values leave only through reveal().
 */
import type { ServiceDeps } from "../../runtime/service.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../runtime/errors.ts";
import { formatTrn, resolveName } from "../../runtime/trn.ts";
import { newId } from "../../runtime/ids.ts";
import { type AuditLog, auditLog } from "../../runtime/audit/mod.ts";
import { decodePageToken, encodePageToken } from "../../runtime/http/page_token.ts";
import { importAesKey, keyAad, open, randomKeyBytes, seal, valueAad } from "./crypto.ts";
import type { MasterKey } from "./master_key.ts";
import type { CredVaultStore, SecretRow, VersionRow } from "./store.ts";
import { checkValue } from "./values.ts";
import { toSecret, toVersion } from "./views.ts";
import { checkRotation, nextRotation } from "./schedule.ts";
import type {
  RevealedSecret,
  RotationConfig,
  Secret,
  SecretType,
  SecretVersion,
  Stage,
  VersionState,
} from "./types.ts";

/** Who acts, for the audit log: a token id (or service name) and a source address. */
export interface Actor {
  actor: string;
  source: string;
}

export interface CreateSecretInput {
  name: string;
  type: SecretType;
  value: unknown;
  description?: string;
  tags?: Record<string, string>;
  rotation?: RotationConfig;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const DAY = 86_400_000;

export class CredVault {
  readonly audit: AuditLog;
  #deks = new Map<string, CryptoKey>();
  #keyLock: Promise<unknown> = Promise.resolve();
  /** Called after anything that changes a rotation or purge schedule. */
  onScheduleChange: () => void = () => {};

  constructor(readonly deps: ServiceDeps, readonly store: CredVaultStore, public master: MasterKey) {
    this.audit = auditLog(deps);
  }

  iso(offsetMs = 0): string {
    return new Date(this.deps.clock.now() + offsetMs).toISOString();
  }

  trn(tenant: string, name: string): string {
    return formatTrn({ service: "credvault", tenant, type: "credential", path: name });
  }

  /** A short name or full TRN → name and TRN in the tenant; another tenant's TRN is a 404. */
  resolve(tenant: string, input: string): { name: string; trn: string } {
    const trn = resolveName(input, { service: "credvault", type: "credential", tenant, qualifiers: false });
    if (trn.foreignTenant) throw new NotFoundError("secret", input);
    if (trn.path.length > 256) {
      throw new ValidationError([{ path: "/name", message: "names are at most 256 characters" }]);
    }
    return { name: trn.path, trn: this.trn(tenant, trn.path) };
  }

  /** Runs fn and records the outcome in the audit log (denied for 403s, failure for other errors). */
  async audited<T>(
    action: string,
    tenant: string,
    resource: string,
    who: Actor,
    fn: () => T | Promise<T>,
    detail?: (result: T) => Record<string, unknown>,
  ): Promise<T> {
    try {
      const result = await fn();
      this.audit.record({ tenant, action, resource, outcome: "success", ...who, detail: detail?.(result) });
      return result;
    } catch (err) {
      const status = (err as { status?: number }).status ?? 500;
      this.audit.record({
        tenant,
        action,
        resource,
        outcome: err instanceof ForbiddenError ? "denied" : "failure",
        ...who,
        detail: { status, error: (err as Error).message },
      });
      throw err;
    }
  }

  /** Records a refused call (role too low) and throws the 403. */
  deny(action: string, tenant: string, input: string, who: Actor, error: ForbiddenError): never {
    let resource = input;
    try {
      resource = this.resolve(tenant, input).trn;
    } catch { /* keep the raw name */ }
    this.audit.record({
      tenant,
      action,
      resource,
      outcome: "denied",
      ...who,
      detail: { status: 403, error: error.message },
    });
    throw error;
  }

  row(tenant: string, name: string, options: { live?: boolean } = {}): SecretRow {
    const row = this.store.find(tenant, name);
    if (!row) throw new NotFoundError("secret", name);
    if (options.live && row.deleted_at) {
      throw new ConflictError(
        `secret '${name}' is scheduled for deletion at ${row.purge_at}: restore it ('aio sec restore ${name}') to use it`,
      );
    }
    return row;
  }

  toSecret(row: SecretRow): Secret {
    return toSecret(this.store, row, this.deps.clock.now());
  }

  toVersion(row: VersionRow, stages: Partial<Record<Stage, string>>): SecretVersion {
    return toVersion(row, stages);
  }

  /** Serialises work that wraps data keys with the master key against master-key rotation. */
  withKeyLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#keyLock.then(fn, fn);
    this.#keyLock = run.catch(() => {});
    return run;
  }

  async #dataKey(row: SecretRow, trn: string): Promise<CryptoKey> {
    let key = this.#deks.get(row.id);
    if (!key) {
      const raw = await open(
        this.master.key,
        row.wrapped_key,
        keyAad(trn, row.id),
        `data key of secret '${row.name}'`,
      );
      key = await importAesKey(raw);
      raw.fill(0);
      if (this.#deks.size >= 10_000) this.#deks.clear();
      this.#deks.set(row.id, key);
    }
    return key;
  }

  forget(secretId: string) {
    this.#deks.delete(secretId);
  }

  async encrypt(row: SecretRow, versionId: string, value: unknown): Promise<Uint8Array> {
    const trn = this.trn(row.tenant, row.name);
    const key = await this.#dataKey(row, trn);
    return seal(key, encoder.encode(JSON.stringify(value)), valueAad(trn, row.id, versionId));
  }

  async decrypt(row: SecretRow, version: VersionRow): Promise<unknown> {
    const trn = this.trn(row.tenant, row.name);
    const key = await this.#dataKey(row, trn);
    const plain = await open(
      key,
      version.ciphertext,
      valueAad(trn, row.id, version.version_id),
      `secret '${row.name}' version ${version.version_id}`,
    );
    return JSON.parse(decoder.decode(plain));
  }

  create(tenant: string, input: CreateSecretInput, who: Actor): Promise<Secret> {
    const { name, trn } = this.resolve(tenant, input.name);
    return this.audited("secret.create", tenant, trn, who, () =>
      this.withKeyLock(async () => {
        const existing = this.store.find(tenant, name);
        if (existing) {
          throw new ConflictError(
            existing.deleted_at
              ? `secret '${name}' is scheduled for deletion: restore it ('aio sec restore ${name}') or delete it with --force first`
              : `secret '${name}' already exists: add a version with 'aio sec rotate ${name} --value-file -'`,
          );
        }
        const now = this.deps.clock.now();
        const { value, meta } = checkValue(input.type, input.value, now);
        if (input.rotation) checkRotation(input.type, input.rotation);
        const id = newId(now);
        const versionId = newId(now);
        const dek = randomKeyBytes();
        const wrappedKey = await seal(this.master.key, dek, keyAad(trn, id));
        const dataKey = await importAesKey(dek);
        dek.fill(0);
        const ciphertext = await seal(
          dataKey,
          encoder.encode(JSON.stringify(value)),
          valueAad(trn, id, versionId),
        );
        const iso = new Date(now).toISOString();
        this.store.transaction(() => {
          this.store.insertSecret({
            id,
            tenant,
            name,
            type: input.type,
            description: input.description ?? "",
            tags: input.tags ?? {},
            wrappedKey,
            rotation: input.rotation,
            nextRotationAt: nextRotation(input.rotation, now),
            now: iso,
          });
          this.store.insertVersion({
            secretId: id,
            versionId,
            ciphertext,
            meta,
            createdBy: who.actor,
            now: iso,
          });
          this.store.setStage(id, "current", versionId);
        });
        this.#deks.set(id, dataKey);
        if (input.rotation) this.onScheduleChange();
        return this.toSecret(this.store.byId(id)!);
      }), (s) => ({ versionId: s.stages.current, type: s.type }));
  }

  get(tenant: string, input: string): Secret {
    return this.toSecret(this.row(tenant, this.resolve(tenant, input).name));
  }

  list(
    tenant: string,
    q: { limit: number; nextToken?: string; type?: string; prefix?: string; includeDeleted?: boolean },
  ): { items: Secret[]; nextToken?: string } {
    const after = decodePageToken<{ name: string }>(q.nextToken);
    if (q.nextToken && typeof after?.name !== "string") {
      throw new ValidationError([{ path: "/query/nextToken", message: "not a token from a previous page" }]);
    }
    const rows = this.store.list(tenant, { ...q, after: after?.name, limit: q.limit + 1 });
    const items = rows.slice(0, q.limit).map((r) => this.toSecret(r));
    return rows.length > q.limit
      ? { items, nextToken: encodePageToken({ name: items[items.length - 1].name }) }
      : { items };
  }

  update(
    tenant: string,
    input: string,
    patch: { description?: string; tags?: Record<string, string>; rotation?: RotationConfig | null },
    who: Actor,
  ): Promise<Secret> {
    const { name, trn } = this.resolve(tenant, input);
    return this.audited("secret.update", tenant, trn, who, () => {
      const row = this.row(tenant, name, { live: true });
      if (patch.rotation) checkRotation(row.type, patch.rotation);
      const now = this.deps.clock.now();
      this.store.update(row.id, {
        description: patch.description,
        tags: patch.tags,
        rotation: patch.rotation,
        ...(patch.rotation !== undefined
          ? { nextRotationAt: nextRotation(patch.rotation ?? undefined, now) ?? null }
          : {}),
      }, new Date(now).toISOString());
      if (patch.rotation !== undefined) this.onScheduleChange();
      return this.toSecret(this.store.byId(row.id)!);
    }, () => ({ fields: Object.keys(patch) }));
  }

  delete(
    tenant: string,
    input: string,
    options: { recoveryWindowDays?: number; force?: boolean },
    who: Actor,
  ): Promise<{ name: string; trn: string; deletedAt: string; purgeAt?: string; purged: boolean }> {
    const { name, trn } = this.resolve(tenant, input);
    return this.audited("secret.delete", tenant, trn, who, () => {
      const row = this.row(tenant, name);
      const now = this.iso();
      if (options.force) {
        this.store.transaction(() => this.store.deleteSecret(row.id));
        this.forget(row.id);
        return { name, trn, deletedAt: now, purged: true };
      }
      if (row.deleted_at) {
        throw new ConflictError(`secret '${name}' is already scheduled for deletion at ${row.purge_at}`);
      }
      const days = options.recoveryWindowDays ?? 7;
      if (!Number.isInteger(days) || days < 1 || days > 30) {
        throw new ValidationError([{
          path: "/query/recoveryWindowDays",
          message: "use 1 to 30 days, or force=true to delete now",
        }]);
      }
      const purgeAt = this.iso(days * DAY);
      this.store.update(row.id, { deletedAt: now, purgeAt }, now);
      this.onScheduleChange();
      return { name, trn, deletedAt: now, purgeAt, purged: false };
    }, (r) => ({ force: !!options.force, purgeAt: r.purgeAt }));
  }

  restore(tenant: string, input: string, who: Actor): Promise<Secret> {
    const { name, trn } = this.resolve(tenant, input);
    return this.audited("secret.restore", tenant, trn, who, () => {
      const row = this.row(tenant, name);
      if (!row.deleted_at) throw new ConflictError(`secret '${name}' is not scheduled for deletion`);
      this.store.update(row.id, { deletedAt: null, purgeAt: null }, this.iso());
      return this.toSecret(this.store.byId(row.id)!);
    });
  }

  /** Finds the version a reveal/resolve selects: a version id, or a stage (default current). */
  select(row: SecretRow, sel: { stage?: Stage; versionId?: string }): VersionRow {
    let versionId = sel.versionId;
    if (versionId === undefined) {
      const stage = sel.stage ?? "current";
      versionId = this.store.stageVersion(row.id, stage);
      if (!versionId) {
        throw new NotFoundError(
          "secret version",
          `${row.name}:${stage}`,
          `secret '${row.name}' has no ${stage} version`,
        );
      }
    }
    const version = this.store.version(row.id, versionId);
    if (!version) throw new NotFoundError("secret version", `${row.name}:${versionId}`);
    if (sel.stage && sel.versionId && this.store.stageVersion(row.id, sel.stage) !== versionId) {
      throw new ConflictError(`version ${versionId} of '${row.name}' does not hold the ${sel.stage} stage`);
    }
    if (version.state === "retired") {
      throw new ConflictError(`version ${versionId} of '${row.name}' is retired: activate it to read it`);
    }
    return version;
  }

  reveal(
    tenant: string,
    input: string,
    sel: { stage?: Stage; versionId?: string },
    who: Actor,
  ): Promise<RevealedSecret> {
    const { name, trn } = this.resolve(tenant, input);
    return this.audited("secret.reveal", tenant, trn, who, async () => {
      const row = this.row(tenant, name, { live: true });
      const version = this.select(row, sel);
      const value = await this.decrypt(row, version);
      const stages = this.toVersion(version, this.store.stages(row.id)).stages;
      return { name, trn, type: row.type, versionId: version.version_id, stages, value };
    }, (r) => ({ versionId: r.versionId, stages: r.stages }));
  }

  versions(tenant: string, input: string): SecretVersion[] {
    const row = this.row(tenant, this.resolve(tenant, input).name);
    const stages = this.store.stages(row.id);
    return this.store.versions(row.id).map((v) => this.toVersion(v, stages));
  }

  /** Moves a stage to a version. Moving `current` demotes the old current to `previous`. */
  moveStageRow(row: SecretRow, stage: Stage, versionId: string) {
    const version = this.store.version(row.id, versionId);
    if (!version) throw new NotFoundError("secret version", `${row.name}:${versionId}`);
    if (version.state === "retired") {
      throw new ConflictError(
        `version ${versionId} is retired: activate it before giving it the ${stage} stage`,
      );
    }
    this.store.transaction(() => {
      if (stage === "current") {
        const old = this.store.stageVersion(row.id, "current");
        if (old === versionId) return;
        this.store.setStage(row.id, "current", versionId);
        if (old) this.store.setStage(row.id, "previous", old);
        if (this.store.stageVersion(row.id, "pending") === versionId) {
          this.store.setStage(row.id, "pending", null);
        }
      } else {
        this.store.setStage(row.id, stage, versionId);
      }
    });
  }

  /** Stores a new immutable version; `stage` says which stage it takes (none leaves stages alone). */
  async addVersion(
    row: SecretRow,
    value: unknown,
    stage: Stage | "none",
    who: Actor,
    versionId = newId(this.deps.clock.now()),
  ): Promise<SecretVersion> {
    const now = this.deps.clock.now();
    const checked = checkValue(row.type, value, now);
    const ciphertext = await this.encrypt(row, versionId, checked.value);
    this.store.transaction(() => {
      this.store.insertVersion({
        secretId: row.id,
        versionId,
        ciphertext,
        meta: checked.meta,
        createdBy: who.actor,
        now: new Date(now).toISOString(),
      });
      if (stage !== "none") this.moveStageRow(row, stage, versionId);
      this.store.update(row.id, {}, new Date(now).toISOString());
    });
    return this.toVersion(this.store.version(row.id, versionId)!, this.store.stages(row.id));
  }

  putVersion(
    tenant: string,
    input: string,
    value: unknown,
    stage: Stage | "none",
    who: Actor,
  ): Promise<SecretVersion> {
    const { name, trn } = this.resolve(tenant, input);
    return this.audited("secret.put-version", tenant, trn, who, () => {
      if (stage === "previous") {
        throw new ValidationError([{
          path: "/stage",
          message: "a new version can take current or pending (or none)",
        }]);
      }
      return this.addVersion(this.row(tenant, name, { live: true }), value, stage, who);
    }, (v) => ({ versionId: v.versionId, stage }));
  }

  moveStage(tenant: string, input: string, stage: Stage, versionId: string, who: Actor): Promise<Secret> {
    const { name, trn } = this.resolve(tenant, input);
    return this.audited("secret.stage", tenant, trn, who, () => {
      const row = this.row(tenant, name, { live: true });
      this.moveStageRow(row, stage, versionId);
      return this.toSecret(this.store.byId(row.id)!);
    }, () => ({ stage, versionId }));
  }

  setState(
    tenant: string,
    input: string,
    versionId: string,
    state: VersionState,
    who: Actor,
  ): Promise<SecretVersion> {
    const { name, trn } = this.resolve(tenant, input);
    return this.audited(state === "retired" ? "secret.retire" : "secret.activate", tenant, trn, who, () => {
      const row = this.row(tenant, name, { live: true });
      const version = this.store.version(row.id, versionId);
      if (!version) throw new NotFoundError("secret version", `${name}:${versionId}`);
      const stages = this.store.stages(row.id);
      if (state === "retired" && stages.current === versionId) {
        throw new ConflictError(
          `version ${versionId} is the current version of '${name}': rotate to another version before retiring it`,
        );
      }
      this.store.transaction(() => {
        this.store.setVersionState(row.id, versionId, state);
        if (state === "retired") {
          for (const [stage, v] of Object.entries(stages)) {
            if (v === versionId) this.store.setStage(row.id, stage as Stage, null);
          }
        }
      });
      return this.toVersion(this.store.version(row.id, versionId)!, this.store.stages(row.id));
    }, () => ({ versionId }));
  }

  /** Deletes secrets whose recovery window has ended. */
  purgeDue(): number {
    const { purge } = this.store.due(this.iso());
    for (const row of purge) {
      this.store.transaction(() => this.store.deleteSecret(row.id));
      this.forget(row.id);
      this.audit.record({
        tenant: row.tenant,
        action: "secret.purge",
        resource: this.trn(row.tenant, row.name),
        outcome: "success",
        actor: "credvault",
        source: "scheduler",
      });
    }
    return purge.length;
  }
}
