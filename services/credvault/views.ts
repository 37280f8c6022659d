/** How stored rows are shown: metadata only, never values. */
import { formatTrn } from "../../runtime/trn.ts";
import type { CredVaultStore, SecretRow, VersionRow } from "./store.ts";
import type { Secret, SecretVersion, Stage, VersionMeta } from "./types.ts";

export function toSecret(store: CredVaultStore, row: SecretRow, now: number): Secret {
  const stages = store.stages(row.id);
  const current = stages.current ? store.version(row.id, stages.current) : undefined;
  const meta: VersionMeta = current ? JSON.parse(current.meta) : {};
  return {
    name: row.name,
    trn: formatTrn({ service: "credvault", tenant: row.tenant, type: "credential", path: row.name }),
    type: row.type,
    description: row.description,
    tags: JSON.parse(row.tags),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    stages,
    versionCount: store.versionCount(row.id),
    ...(row.rotation ? { rotation: JSON.parse(row.rotation) } : {}),
    ...(row.next_rotation_at ? { nextRotationAt: row.next_rotation_at } : {}),
    ...(row.last_rotated_at ? { lastRotatedAt: row.last_rotated_at } : {}),
    ...(row.last_rotation ? { lastRotation: JSON.parse(row.last_rotation) } : {}),
    ...(meta.certificate
      ? {
        certificate: {
          ...meta.certificate,
          expired: Date.parse(meta.certificate.notAfter) <= now,
        },
      }
      : {}),
    ...(meta.oauth ? { oauth: meta.oauth } : {}),
    ...(row.deleted_at ? { deletedAt: row.deleted_at, purgeAt: row.purge_at ?? undefined } : {}),
  };
}

export function toVersion(row: VersionRow, stages: Partial<Record<Stage, string>>): SecretVersion {
  const meta: VersionMeta = JSON.parse(row.meta);
  return {
    versionId: row.version_id,
    seq: Number(row.seq),
    stages: (Object.entries(stages) as [Stage, string][]).filter(([, v]) => v === row.version_id).map((
      [s],
    ) => s),
    state: row.state,
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...meta,
  };
}
