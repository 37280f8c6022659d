/**
 * `aio admin rotate-master-key`: re-wraps every data key with a new master key in one
 * transaction while the server keeps serving (values are not re-encrypted: their data keys are
 * unchanged). A file key is written to `master.key.new` first and renamed after the commit.
 */
import { ValidationError } from "../../runtime/errors.ts";
import { fromBase64, importAesKey, keyAad, open, randomKeyBytes, seal, toBase64 } from "./crypto.ts";
import { makeCheckValue, writeKeyFile } from "./master_key.ts";
import type { CredVault } from "./vault.ts";

export interface MasterKeyRotation {
  rewrapped: number;
  source: "env" | "file";
  file?: string;
  /** Only when the key comes from the environment and the server generated the new one. */
  newKey?: string;
  message: string;
}

export function rotateMasterKey(vault: CredVault, newKeyBase64?: string): Promise<MasterKeyRotation> {
  return vault.withKeyLock(async () => {
    let raw: Uint8Array;
    if (newKeyBase64 !== undefined) {
      const decoded = fromBase64(newKeyBase64);
      if (!decoded || decoded.length !== 32) {
        throw new ValidationError([{
          path: "/newKey",
          message: "must be the base64 encoding of exactly 32 bytes",
        }]);
      }
      raw = decoded;
    } else raw = randomKeyBytes();
    const old = vault.master;
    const next = await importAesKey(raw);
    const rows = vault.store.allWrappedKeys();
    const rewrapped: { id: string; wrapped: Uint8Array }[] = [];
    for (const row of rows) {
      const aad = keyAad(vault.trn(row.tenant, row.name), row.id);
      const dek = await open(old.key, row.wrapped_key, aad, `data key of secret '${row.name}'`);
      rewrapped.push({ id: row.id, wrapped: await seal(next, dek, aad) });
      dek.fill(0);
    }
    const check = await makeCheckValue(next);
    const pending = old.file ? `${old.file}.new` : undefined;
    if (pending) {
      await Deno.remove(pending).catch(() => {});
      await writeKeyFile(pending, raw);
    }
    vault.store.transaction(() => {
      for (const r of rewrapped) vault.store.setWrappedKey(r.id, r.wrapped);
      vault.store.saveCheckValue(check, vault.iso());
    });
    if (pending && old.file) await Deno.rename(pending, old.file);
    vault.master = { ...old, key: next };
    const generated = newKeyBase64 === undefined;
    const result: MasterKeyRotation = {
      rewrapped: rewrapped.length,
      source: old.source,
      ...(old.file ? { file: old.file } : {}),
      message: old.source === "file"
        ? `re-wrapped ${rewrapped.length} data keys; the new key is in ${old.file}`
        : `re-wrapped ${rewrapped.length} data keys; set AIONIX_MASTER_KEY to the new key before the next restart`,
    };
    if (old.source === "env" && generated) result.newKey = toBase64(raw);
    raw.fill(0);
    return result;
  });
}
