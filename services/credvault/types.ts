/** CredVault's public shapes (the CLI and Studio may `import type` these). */
export const SECRET_TYPES = ["api_key", "password", "certificate", "oauth_token", "generic"] as const;
export type SecretType = typeof SECRET_TYPES[number];

export const STAGES = ["current", "pending", "previous"] as const;
export type Stage = typeof STAGES[number];

export type VersionState = "active" | "retired";

/** How a secret rotates: by a function (four steps) or by generating a random value; on demand or on a schedule. */
export interface RotationConfig {
  /** AionixFn function name (fn:NAME); without it, password/api_key secrets get a random value. */
  function?: string;
  /** Fixed interval such as `30d`, `12h`, `90m`. */
  every?: string;
  /** Cron expression (5 or 6 fields, UTC). */
  cron?: string;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  expired: boolean;
}

export interface OAuthInfo {
  expiresAt?: string;
  tokenType?: string;
  scope?: string;
  hasRefreshToken: boolean;
}

/** Non-secret metadata derived from a value when it is stored. */
export interface VersionMeta {
  certificate?: CertificateInfo;
  oauth?: OAuthInfo;
}

export interface SecretVersion {
  versionId: string;
  seq: number;
  stages: Stage[];
  state: VersionState;
  createdAt: string;
  createdBy: string;
  certificate?: CertificateInfo;
  oauth?: OAuthInfo;
}

export interface LastRotation {
  status: "succeeded" | "failed";
  at: string;
  versionId: string;
  step?: string;
  error?: string;
}

export interface Secret {
  name: string;
  trn: string;
  type: SecretType;
  description: string;
  tags: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  stages: Partial<Record<Stage, string>>;
  versionCount: number;
  rotation?: RotationConfig;
  nextRotationAt?: string;
  lastRotatedAt?: string;
  lastRotation?: LastRotation;
  /** Metadata of the current version (certificate expiry, OAuth expiry). */
  certificate?: CertificateInfo;
  oauth?: OAuthInfo;
  deletedAt?: string;
  purgeAt?: string;
}

export interface RevealedSecret {
  name: string;
  trn: string;
  type: SecretType;
  versionId: string;
  stages: Stage[];
  value: unknown;
}
