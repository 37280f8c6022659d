/**
 * kind → lazily imported connector module. The import specifier is computed so `deno compile`
 * does not pull every driver into every build: the compile task `--include`s exactly the modules
 * connectors.toml selects (see connectors_toml.ts). A module is imported once, on first use.
 */
import type { Connector } from "./types.ts";
import { ConnectorUnavailableError } from "../errors.ts";
import {
  ALL_CONNECTORS,
  CONNECTOR_KINDS,
  CONNECTOR_MODULES,
  type ConnectorSelection,
} from "../connectors_toml.ts";

export type ConnectorLoader = () => Promise<{ default: Connector }>;

/** The module loaders, one per kind. Tests may replace entries through createConnectorRegistry. */
export const CONNECTOR_LOADERS: Record<string, ConnectorLoader> = Object.fromEntries(
  CONNECTOR_KINDS.map((kind) => {
    const specifier = new URL(`./${CONNECTOR_MODULES[kind]}`, import.meta.url).href;
    return [kind, () => import(specifier) as Promise<{ default: Connector }>];
  }),
);

export interface ConnectorRegistry {
  kinds(): string[];
  isSelected(kind: string): boolean;
  /** Loads (once) and returns the connector; throws ConnectorUnavailableError with the reason. */
  get(kind: string): Promise<Connector>;
  /** Already loaded connectors (for shutdown). */
  loaded(): Connector[];
}

export function createConnectorRegistry(
  options: { selection?: ConnectorSelection; loaders?: Record<string, ConnectorLoader> } = {},
): ConnectorRegistry {
  const selection = options.selection ?? ALL_CONNECTORS;
  const loaders = { ...CONNECTOR_LOADERS, ...options.loaders };
  const cache = new Map<string, Promise<Connector>>();
  const done = new Map<string, Connector>();
  const known = () => Object.keys(loaders);

  const load = async (kind: string): Promise<Connector> => {
    let mod: { default: Connector };
    try {
      mod = await loaders[kind]();
    } catch (err) {
      cache.delete(kind);
      const message = (err as Error).message ?? String(err);
      if (/Module not found|Cannot find module|not found/i.test(message) && !/npm:/i.test(message)) {
        throw new ConnectorUnavailableError(
          kind,
          `connector '${kind}' is not part of this build: enable it in connectors.toml and rebuild`,
        );
      }
      throw new ConnectorUnavailableError(kind, `connector '${kind}' failed to load: ${message}`);
    }
    const connector = mod.default;
    if (!connector || typeof connector.execute !== "function" || connector.kind !== kind) {
      throw new ConnectorUnavailableError(
        kind,
        `connector module '${kind}' does not export a ${kind} Connector`,
      );
    }
    done.set(kind, connector);
    return connector;
  };

  return {
    kinds: known,
    isSelected: (kind) => selection.kinds.has(kind) && kind in loaders,
    get(kind) {
      const hit = done.get(kind);
      if (hit) return Promise.resolve(hit);
      if (!(kind in loaders)) {
        return Promise.reject(
          new ConnectorUnavailableError(
            kind,
            `unknown connector kind '${kind}' (one of ${known().join(", ")})`,
          ),
        );
      }
      if (!selection.kinds.has(kind)) {
        return Promise.reject(
          new ConnectorUnavailableError(
            kind,
            `connector '${kind}' is not selected in this build (${selection.source}): set ${kind} = true under [connectors] in connectors.toml and rebuild`,
          ),
        );
      }
      let pending = cache.get(kind);
      if (!pending) {
        pending = load(kind);
        cache.set(kind, pending);
      }
      return pending;
    },
    loaded: () => [...done.values()],
  };
}
