/** ParamStore's public shapes (the CLI and Studio may `import type` these). */
export const PARAM_TYPES = ["string", "number", "boolean", "json", "string_list", "secret_ref"] as const;
export type ParamType = typeof PARAM_TYPES[number];

export interface Param {
  path: string;
  trn: string;
  type: ParamType;
  version: number;
  /** The evaluated, typed value (the source when raw; the secret TRN for an undecrypted secret_ref). */
  value: unknown;
  /** True when the stored value is a `{% %}` expression evaluated at read time. */
  dynamic: boolean;
  /** Present for secret_ref parameters: whether value holds the decrypted secret. */
  decrypted?: boolean;
  labels: string[];
  description: string;
  allowedPattern?: string;
  lastModified: string;
  lastModifiedBy: string;
  /** Set instead of value in listings when evaluation failed. */
  error?: string;
}

export interface ParamVersion {
  version: number;
  type: ParamType;
  /** The stored source (an expression stays unevaluated). */
  value: unknown;
  labels: string[];
  description: string;
  allowedPattern?: string;
  createdAt: string;
  createdBy: string;
}

export type ExportFormat = "env" | "json" | "yaml";
