/**
 * Rotation: with a given value (put pending, then promote), with a rotation function run through
 * the four steps create → set → test → finish over the executor bus, or — for password and
 * api_key secrets without a function — with a generated random value. On demand or on a schedule
 * (a timer on deps.clock). A failed rotation leaves `current` untouched and retires its version.
 */
import { AppError, ConflictError, ValidationError } from "../../runtime/errors.ts";
import type { TimerId } from "../../runtime/clock.ts";
import { newId } from "../../runtime/ids.ts";
import type { Actor, CredVault } from "./vault.ts";
import type { SecretRow } from "./store.ts";
import type { LastRotation, RotationConfig } from "./types.ts";
import { nextRotation } from "./schedule.ts";
import { randomPassword } from "./password.ts";

export class RotationFailedError extends AppError {
  override readonly status: number = 502;
  override readonly type: string = "rotation-failed";
  override readonly title: string = "Rotation failed";
  constructor(readonly secret: string, readonly step: string, cause: string) {
    super(`rotation of '${secret}' failed at step '${step}': ${cause}; the current version is unchanged`);
  }
  override extra() {
    return { step: this.step };
  }
}

export interface RotationResult {
  name: string;
  trn: string;
  versionId: string;
  method: "value" | "function" | "generated";
}

const STEP_TIMEOUT_MS = 60_000;
const MAX_TIMER_MS = 6 * 3_600_000;
const SCHEDULER: Actor = { actor: "credvault-scheduler", source: "credvault" };

export class Rotator {
  #running = new Set<string>();
  #timer: TimerId | undefined;
  #stopped = true;
  #ticking: Promise<void> | undefined;

  constructor(private vault: CredVault) {
    vault.onScheduleChange = () => this.arm();
  }

  rotate(tenant: string, input: string, options: { value?: unknown }, who: Actor): Promise<RotationResult> {
    const { name, trn } = this.vault.resolve(tenant, input);
    return this.vault.audited("secret.rotate", tenant, trn, who, async () => {
      const row = this.vault.row(tenant, name, { live: true });
      return await this.#rotateRow(row, options, who);
    }, (r) => ({ versionId: r.versionId, method: r.method }));
  }

  async #rotateRow(row: SecretRow, options: { value?: unknown }, who: Actor): Promise<RotationResult> {
    const { vault } = this;
    if (this.#running.has(row.id)) throw new ConflictError(`a rotation of '${row.name}' is already running`);
    const rotation: RotationConfig | undefined = row.rotation ? JSON.parse(row.rotation) : undefined;
    let method: RotationResult["method"];
    if (options.value !== undefined) method = "value";
    else if (rotation?.function) method = "function";
    else if (row.type === "password" || row.type === "api_key") method = "generated";
    else {
      throw new ValidationError([{
        path: "/value",
        message: `give a new value, or configure a rotation function for this ${row.type} secret`,
      }]);
    }
    this.#running.add(row.id);
    const trn = vault.trn(row.tenant, row.name);
    const versionId = newId(vault.deps.clock.now());
    let step = "create";
    let created = false;
    try {
      if (method === "function") {
        const call = (s: string) =>
          vault.deps.bus.execute(`fn:${rotation!.function}`, row.tenant, {
            input: { step: s, secretId: trn, versionId },
            timeoutMs: STEP_TIMEOUT_MS,
            caller: { service: "credvault", secret: trn, step: s },
          });
        const made = await call("create") as { value?: unknown } | undefined;
        if (!made || typeof made !== "object" || made.value === undefined) {
          throw new Error("the function's create step must return { value: <the new secret value> }");
        }
        await vault.addVersion(row, made.value, "pending", who, versionId);
        created = true;
        for (const s of ["set", "test", "finish"]) {
          step = s;
          await call(s);
        }
      } else {
        const value = method === "value" ? options.value : randomPassword({ length: 32 });
        await vault.addVersion(row, value, "pending", who, versionId);
        created = true;
      }
      step = "finish";
      vault.moveStageRow(row, "current", versionId);
      this.#finished(row, rotation, { status: "succeeded", at: vault.iso(), versionId });
      vault.deps.events.publish({
        tenant: row.tenant,
        source: "aionix.credvault",
        detailType: "Secret Rotated",
        detail: { name: row.name, trn, versionId },
        resources: [trn],
        time: vault.iso(),
      });
      return { name: row.name, trn, versionId, method };
    } catch (err) {
      if (created) {
        vault.store.transaction(() => {
          if (vault.store.stageVersion(row.id, "pending") === versionId) {
            vault.store.setStage(row.id, "pending", null);
          }
          vault.store.setVersionState(row.id, versionId, "retired");
        });
      }
      const message = (err as Error).message ?? String(err);
      this.#finished(row, rotation, { status: "failed", at: vault.iso(), versionId, step, error: message });
      // Bad input from the caller stays a 400; everything else is a failed rotation.
      if (err instanceof ValidationError && method === "value") throw err;
      throw new RotationFailedError(row.name, step, message);
    } finally {
      this.#running.delete(row.id);
    }
  }

  #finished(row: SecretRow, rotation: RotationConfig | undefined, last: LastRotation) {
    const now = this.vault.deps.clock.now();
    this.vault.store.update(row.id, {
      lastRotation: last,
      ...(last.status === "succeeded" ? { lastRotatedAt: last.at } : {}),
      ...(rotation?.every || rotation?.cron ? { nextRotationAt: nextRotation(rotation, now) ?? null } : {}),
    }, new Date(now).toISOString());
  }

  start() {
    this.#stopped = false;
    this.arm();
  }

  async stop() {
    this.#stopped = true;
    if (this.#timer !== undefined) this.vault.deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#ticking;
  }

  /** Sets one timer for the earliest due rotation or purge (re-checked at least every 6 hours). */
  arm(minDelay = 0) {
    const { clock } = this.vault.deps;
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped || this.#ticking) return;
    const next = this.vault.store.nextDue();
    if (!next) return;
    const delay = Math.min(Math.max(minDelay, Date.parse(next) - clock.now()), MAX_TIMER_MS);
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      this.#ticking = this.#tick().finally(() => {
        this.#ticking = undefined;
        // A rotation skipped as already running stays due; look again a second later, not at once.
        this.arm(1000);
      });
    }, delay);
  }

  /** Runs every due purge and rotation; a failing rotation is logged and audited, then rescheduled. */
  async #tick() {
    const { vault } = this;
    try {
      vault.purgeDue();
    } catch (err) {
      vault.deps.logger.error("credvault purge failed", { err: (err as Error).message });
    }
    for (const row of vault.store.due(vault.iso()).rotate) {
      if (this.#stopped) return;
      if (this.#running.has(row.id)) continue;
      const trn = vault.trn(row.tenant, row.name);
      try {
        await vault.audited(
          "secret.rotate",
          row.tenant,
          trn,
          SCHEDULER,
          () => this.#rotateRow(row, {}, SCHEDULER),
          (r) => ({
            versionId: r.versionId,
            method: r.method,
            scheduled: true,
          }),
        );
      } catch (err) {
        vault.deps.logger.warn("scheduled rotation failed", { secret: trn, err: (err as Error).message });
      }
    }
  }
}
