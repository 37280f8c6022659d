/**
 * The master key: AIONIX_MASTER_KEY (base64 of 32 bytes) or `<dataDir>/master.key`, created at
 * first start with mode 0600. A key check value in the database detects a wrong key before
 * anything is changed, so the server refuses to start instead of writing with the wrong key.
 * A master-key rotation writes `master.key.new` before committing and renames it after; a crash
 * in between is finished here at the next start.
 */
import type { Db } from "../../runtime/storage/mod.ts";
import type { Logger } from "../../runtime/log.ts";
import {
  CHECK_AAD,
  CHECK_PLAINTEXT,
  fromBase64,
  importAesKey,
  open,
  randomKeyBytes,
  seal,
  toBase64,
} from "./crypto.ts";

export const MASTER_KEY_ENV = "AIONIX_MASTER_KEY";

export class MasterKeyError extends Error {
  override name = "MasterKeyError";
}

export interface MasterKey {
  key: CryptoKey;
  source: "env" | "file";
  /** The key file (file source only). */
  file?: string;
}

function decodeKey(text: string, where: string): Uint8Array {
  const raw = fromBase64(text);
  if (!raw || raw.length !== 32) {
    throw new MasterKeyError(
      `${where} must be the base64 encoding of exactly 32 bytes${
        raw ? ` (it decodes to ${raw.length} bytes)` : " (it is not valid base64)"
      }: generate one with 'openssl rand -base64 32'`,
    );
  }
  return raw;
}

async function exists(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** The stored key check value, when CredVault's tables exist and hold one. */
function storedCheck(db: Db): Uint8Array | undefined {
  const migrated = db.get(
    "SELECT 1 AS x FROM schema_migrations WHERE owner = ? AND version = 1",
    "credvault",
  );
  if (!migrated) return undefined;
  const row = db.get<{ check_value: Uint8Array }>("SELECT check_value FROM credvault_keys WHERE id = 1");
  return row?.check_value;
}

async function verifies(key: CryptoKey, check: Uint8Array): Promise<boolean> {
  try {
    await open(key, check, CHECK_AAD, "key check");
    return true;
  } catch {
    return false;
  }
}

export function makeCheckValue(key: CryptoKey): Promise<Uint8Array> {
  return seal(key, CHECK_PLAINTEXT, CHECK_AAD);
}

async function writeKeyFile(path: string, raw: Uint8Array) {
  await Deno.writeTextFile(path, toBase64(raw) + "\n", { mode: 0o600, createNew: true });
  await Deno.chmod(path, 0o600).catch(() => {});
}

/** Loads (or at first start creates) the master key and checks it against the database. */
export async function loadMasterKey(
  options: { env: Record<string, string | undefined>; dataDir: string; db: Db; logger: Logger },
): Promise<MasterKey> {
  const { env, dataDir, db, logger } = options;
  const check = storedCheck(db);
  const envValue = env[MASTER_KEY_ENV];
  if (envValue) {
    const key = await importAesKey(decodeKey(envValue, MASTER_KEY_ENV));
    if (check && !(await verifies(key, check))) {
      throw new MasterKeyError(
        `${MASTER_KEY_ENV} is not the master key this database was encrypted with: set it to the right key ` +
          `(after 'aio admin rotate-master-key', the new key it printed); nothing was changed`,
      );
    }
    return { key, source: "env" };
  }
  const file = `${dataDir}/master.key`;
  const pending = `${file}.new`;
  const info = await exists(file);
  if (!info) {
    if (check) {
      throw new MasterKeyError(
        `the database holds secrets but the master key is missing: restore ${file} or set ${MASTER_KEY_ENV}; ` +
          `nothing was changed`,
      );
    }
    const raw = randomKeyBytes();
    await writeKeyFile(file, raw);
    logger.info("created the CredVault master key", { file });
    return { key: await importAesKey(raw), source: "file", file };
  }
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    logger.warn("SECURITY WARNING: the master key file is readable by other users", {
      file,
      mode: "0" + (info.mode & 0o777).toString(8),
      fix: `chmod 600 ${file}`,
    });
  }
  const key = await importAesKey(decodeKey(await Deno.readTextFile(file), file));
  const pendingInfo = await exists(pending);
  if (!check || (await verifies(key, check))) {
    // A rotation that crashed before its commit leaves an unused new key behind.
    if (pendingInfo) await Deno.remove(pending);
    return { key, source: "file", file };
  }
  if (pendingInfo) {
    const next = await importAesKey(decodeKey(await Deno.readTextFile(pending), pending));
    if (await verifies(next, check)) {
      await Deno.rename(pending, file);
      logger.warn("finished an interrupted master key rotation", { file });
      return { key: next, source: "file", file };
    }
  }
  throw new MasterKeyError(
    `${file} is not the master key this database was encrypted with: restore the right key file ` +
      `or set ${MASTER_KEY_ENV}; nothing was changed`,
  );
}

export { writeKeyFile };
