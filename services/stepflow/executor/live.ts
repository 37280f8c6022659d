/** One execution held in memory by the driver while it runs (and briefly after, for express). */
import type { TimerId } from "../../../runtime/clock.ts";
import type { CompiledFlow } from "../engine/flow.ts";
import type { EngineEnv } from "../engine/run.ts";
import type { ExecState, HistoryEvent } from "../engine/types.ts";
import type { Execution, ExecutionKind } from "../types.ts";
import { type Deferred, deferred } from "./support.ts";

export interface LiveMeta {
  id: string;
  trn: string;
  tenant: string;
  template: string;
  templateId: string;
  version: number;
  name: string;
  kind: ExecutionKind;
  parentId?: string;
  depth: number;
}

export type LiveListener = (events: HistoryEvent[], finished: boolean) => void;

export class Live {
  chain: Promise<void> = Promise.resolve();
  /** The execution row exists in the database. */
  persisted = false;
  readonly controllers = new Map<string, AbortController>();
  readonly timers = new Map<string, TimerId>();
  readonly listeners = new Set<LiveListener>();
  /** Secret values resolved for this execution: redacted from history, never persisted. */
  readonly secrets = new Set<string>();
  /** Resolves once the first transition (ExecutionStarted) is committed. */
  started: Deferred<void> = deferred();
  /** Resolves once a terminal status is committed. */
  finished: Deferred<void> = deferred();
  env!: EngineEnv;
  /** A terminal status has been committed (only then do views show it). */
  done = false;
  readonly inputJson: string;

  constructor(readonly meta: LiveMeta, public state: ExecState, readonly flow: CompiledFlow) {
    this.inputJson = JSON.stringify(state.input ?? null);
  }

  view(): Execution {
    const s = this.state;
    const m = this.meta;
    const e: Execution = {
      id: m.id,
      trn: m.trn,
      template: m.template,
      version: m.version,
      name: m.name,
      kind: m.kind,
      status: this.done ? s.status : "running",
      input: s.input ?? null,
      startedAt: new Date(s.startedAt).toISOString(),
    };
    if (this.done) {
      if (s.status === "succeeded") e.output = s.output ?? null;
      if (s.error !== undefined) e.error = s.error;
      if (s.cause !== undefined) e.cause = s.cause;
      if (s.stoppedAt !== undefined) e.stoppedAt = new Date(s.stoppedAt).toISOString();
    }
    if (m.parentId) e.parentExecutionId = m.parentId;
    if (s.redriveCount) e.redriveCount = s.redriveCount;
    return e;
  }
}
