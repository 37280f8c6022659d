/**
 * Reads `connectors.toml` (repo root): which connectors a build contains. The compile task uses
 * compileIncludes() to embed only the selected driver modules; the registry uses the same
 * selection at run time so an unselected connector fails with a message naming the file.
 */
import { parse } from "smol-toml";
import { ConfigError } from "../../runtime/errors.ts";

/** Every connector kind OpenAct knows, with its module below services/openact/connectors/. */
export const CONNECTOR_MODULES: Record<string, string> = {
  http: "http.ts",
  graphql: "graphql.ts",
  postgres: "postgres.ts",
  mysql: "mysql.ts",
  sqlite: "sqlite.ts",
  redis: "redis.ts",
  rabbitmq: "rabbitmq.ts",
  mqtt: "mqtt.ts",
  nats: "nats.ts",
  kafka: "kafka.ts",
  mongodb: "mongodb.ts",
  s3: "s3.ts",
  fs: "fs.ts",
  smtp: "smtp.ts",
  slack: "slack.ts",
  discord: "discord.ts",
};
export const CONNECTOR_KINDS = Object.keys(CONNECTOR_MODULES);

export interface ConnectorSelection {
  /** Selected kinds. */
  kinds: Set<string>;
  /** Where the selection came from, for error messages. */
  source: string;
}

export const ALL_CONNECTORS: ConnectorSelection = {
  kinds: new Set(CONNECTOR_KINDS),
  source: "default (all)",
};

/** Parses the file's text; unknown kinds and non-boolean values are errors naming the key. */
export function parseConnectorSelection(text: string, source = "connectors.toml"): ConnectorSelection {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(source, `not valid TOML: ${(err as Error).message}`);
  }
  for (const key of Object.keys(doc)) {
    if (key !== "connectors") {
      throw new ConfigError(`${source}: ${key}`, "unknown table: only [connectors] is read");
    }
  }
  const table = doc.connectors ?? {};
  if (typeof table !== "object" || table === null || Array.isArray(table)) {
    throw new ConfigError(`${source}: connectors`, "must be a table of kind = true|false");
  }
  const kinds = new Set<string>();
  for (const [kind, value] of Object.entries(table)) {
    if (!(kind in CONNECTOR_MODULES)) {
      throw new ConfigError(
        `${source}: connectors.${kind}`,
        `unknown connector (one of ${CONNECTOR_KINDS.join(", ")})`,
      );
    }
    if (typeof value !== "boolean") {
      throw new ConfigError(`${source}: connectors.${kind}`, "must be true or false");
    }
    if (value) kinds.add(kind);
  }
  return { kinds, source };
}

/** Reads a connectors.toml file; a missing file selects every connector. */
export async function readConnectorSelection(path: string | URL): Promise<ConnectorSelection> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return ALL_CONNECTORS;
    throw new ConfigError(String(path), `cannot read: ${(err as Error).message}`);
  }
  return parseConnectorSelection(text, String(path instanceof URL ? path.pathname : path));
}

/** The repository-relative files a compiled build must `--include` for this selection. */
export function compileIncludes(selection: ConnectorSelection): string[] {
  return [
    "connectors.toml",
    ...CONNECTOR_KINDS.filter((k) => selection.kinds.has(k)).map((k) =>
      `services/openact/connectors/${CONNECTOR_MODULES[k]}`
    ),
  ];
}

/** The default location: connectors.toml at the repository (or compiled bundle) root. */
export const DEFAULT_SELECTION_FILE = new URL("../../connectors.toml", import.meta.url);
