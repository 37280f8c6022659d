/** StepFlow's public shapes (REST API, CLI and Studio may `import type` these). */
export type ExecutionStatus = "running" | "succeeded" | "failed" | "cancelled" | "timed_out";
export type ExecutionKind = "durable" | "express";

export interface Template {
  name: string;
  trn: string;
  version: number;
  description: string;
  dsl?: unknown;
  /** Studio's node positions by state path (see routes/schemas.ts Layout); with the DSL, when saved. */
  layout?: TemplateLayout;
  createdAt: string;
  updatedAt: string;
}

export type TemplateLayout = Record<string, { x: number; y: number }>;

export interface TemplateVersion {
  version: number;
  createdAt: string;
  description: string;
}

export interface Execution {
  id: string;
  trn: string;
  template: string;
  version: number;
  name: string;
  kind: ExecutionKind;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startedAt: string;
  stoppedAt?: string;
  parentExecutionId?: string;
  redriveCount?: number;
}

export interface HistoryEventView {
  seq: number;
  type: string;
  timestamp: string;
  statePath: string;
  stateName?: string;
  stateType?: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  details?: Record<string, unknown>;
}

export interface Diagnostic {
  severity: "error" | "warning";
  code: string;
  message: string;
  path: string;
}

export interface TestStateResult {
  status: "succeeded" | "failed" | "caught" | "retriable" | "running";
  output?: unknown;
  error?: string;
  cause?: string;
  nextState?: string;
  vars: Record<string, unknown>;
  steps: { name: string; data: unknown }[];
}
