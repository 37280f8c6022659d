/**
 * The StepFlow DSL (DESIGN.md §6) as ONE zod schema: it validates templates, gives the
 * TypeScript types the engine uses, and is exported as the JSON Schema that Studio and
 * editors load (`stepflow.schema.json`, `GET /api/v1/stepflow/schema`).
 */
import { z } from "zod";

export const STATE_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;

const StateName = z.string().regex(
  STATE_NAME_RE,
  "a state name is 1-80 characters of letters, digits, '_', '.' or '-' (no spaces or '/')",
);
const Comment = z.string().max(4096).optional();
/** Any JSON value; strings that are exactly `{% expr %}` are JSONata expressions. */
const Template = z.unknown().meta({ description: "JSON value; strings of the form {% expr %} are JSONata" });
const Expression = z.string().meta({ description: "a literal or a {% JSONata %} expression" });
const Seconds = z.number().positive().max(31_536_000);

export const OutputSpec = z.strictObject({
  expression: Template,
}).meta({ description: "the state's output: { expression: <template> }" });

const Assign = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "variable names are identifiers"),
  Template,
)
  .meta({ description: "variables to set; each value is a template" });

export const Retrier = z.strictObject({
  comment: Comment,
  errors: z.array(z.string().min(1)).min(1),
  interval: z.number().min(0).max(99_999_999).optional().meta({
    description: "seconds before the first retry (1)",
  }),
  maxAttempts: z.number().int().min(0).max(99_999_999).optional().meta({
    description: "retries (3); 0 = never",
  }),
  backoffRate: z.number().min(1).max(100).optional().meta({ description: "interval multiplier (2)" }),
  maxDelay: z.number().positive().max(31_536_000).optional().meta({
    description: "cap on one delay, seconds",
  }),
  jitter: z.enum(["full", "none"]).optional(),
});

export const Catcher = z.strictObject({
  comment: Comment,
  errors: z.array(z.string().min(1)).min(1),
  next: StateName,
  output: OutputSpec.optional(),
  assign: Assign.optional(),
});

const common = {
  comment: Comment,
  output: OutputSpec.optional(),
  assign: Assign.optional(),
};
const transition = {
  next: StateName.optional(),
  end: z.literal(true).optional(),
};
const errorHandling = {
  retry: z.array(Retrier).optional(),
  catch: z.array(Catcher).optional(),
};

export const TaskState = z.strictObject({
  type: z.literal("task"),
  ...common,
  ...transition,
  ...errorHandling,
  action: z.string().min(1).max(2048).meta({ description: "fn:NAME, wf:NAME, act:KIND.NAME, http or a TRN" }),
  parameters: Template.optional(),
  mode: z.enum(["sync", "callback"]).optional(),
  timeout: Seconds.optional(),
  heartbeat: Seconds.optional(),
});

export const SetState = z.strictObject({ type: z.literal("set"), ...common, ...transition });

export const WaitState = z.strictObject({
  type: z.literal("wait"),
  ...common,
  ...transition,
  seconds: z.union([z.number().min(0).max(31_536_000), Expression]).optional(),
  timestamp: Expression.optional(),
});

export const Route = z.strictObject({
  comment: Comment,
  condition: z.union([z.boolean(), Expression]),
  next: StateName,
  output: OutputSpec.optional(),
  assign: Assign.optional(),
});

export const RouterState = z.strictObject({
  type: z.literal("router"),
  ...common,
  routes: z.array(Route).min(1),
  default: StateName.optional(),
});

export const SucceedState = z.strictObject({
  type: z.literal("succeed"),
  comment: Comment,
  output: OutputSpec.optional(),
});

export const FailState = z.strictObject({
  type: z.literal("fail"),
  comment: Comment,
  error: Expression.optional(),
  cause: Expression.optional(),
});

// Recursive parts: parallel branches and map processors are graphs of states.
export type Graph = { comment?: string; entry: string; states: Record<string, State> };
export type State =
  | z.infer<typeof TaskState>
  | z.infer<typeof SetState>
  | z.infer<typeof WaitState>
  | z.infer<typeof RouterState>
  | z.infer<typeof SucceedState>
  | z.infer<typeof FailState>
  | ParallelStateT
  | MapStateT;
export type ParallelStateT = {
  type: "parallel";
  comment?: string;
  output?: { expression: unknown };
  assign?: Record<string, unknown>;
  next?: string;
  end?: true;
  retry?: z.infer<typeof Retrier>[];
  catch?: z.infer<typeof Catcher>[];
  branches: Graph[];
};
export type MapStateT = Omit<ParallelStateT, "type" | "branches"> & {
  type: "map";
  items?: unknown;
  itemSelector?: unknown;
  processor: Graph;
  maxConcurrency?: number;
  toleratedFailurePercentage?: number;
  toleratedFailureCount?: number;
};

export const GraphSchema: z.ZodType<Graph> = z.lazy(() =>
  z.strictObject({
    comment: Comment,
    entry: StateName,
    states: z.record(StateName, StateSchema),
  }).meta({ id: "Graph" })
);

export const ParallelState: z.ZodType<ParallelStateT> = z.strictObject({
  type: z.literal("parallel"),
  ...common,
  ...transition,
  ...errorHandling,
  branches: z.array(GraphSchema).min(1),
});

export const MapState: z.ZodType<MapStateT> = z.strictObject({
  type: z.literal("map"),
  ...common,
  ...transition,
  ...errorHandling,
  items: Template.optional().meta({
    description: "an array or an expression giving one (default: the input)",
  }),
  itemSelector: Template.optional(),
  processor: GraphSchema,
  maxConcurrency: z.number().int().min(0).max(10_000).optional().meta({ description: "0 = unlimited" }),
  toleratedFailurePercentage: z.number().min(0).max(100).optional(),
  toleratedFailureCount: z.number().int().min(0).optional(),
});

export const STATE_TYPES = ["task", "parallel", "map", "router", "wait", "set", "succeed", "fail"] as const;
export type StateType = typeof STATE_TYPES[number];

export const StateSchema: z.ZodType<State> = z.lazy(() =>
  z.discriminatedUnion("type", [
    TaskState,
    ParallelState as unknown as typeof TaskState,
    MapState as unknown as typeof TaskState,
    RouterState,
    WaitState,
    SetState,
    SucceedState,
    FailState,
  ]).meta({ id: "State" }) as unknown as z.ZodType<State>
);

export const DslSchema = z.strictObject({
  $schema: z.string().optional(),
  comment: Comment,
  version: z.string().optional().meta({ description: "free-form DSL version label" }),
  entry: StateName,
  timeout: Seconds.optional().meta({ description: "execution timeout in seconds → States.Timeout" }),
  states: z.record(StateName, StateSchema),
}).meta({ title: "StepFlow workflow", description: "AionixOne StepFlow DSL (DESIGN.md §6)" });

export type Dsl = z.infer<typeof DslSchema>;
export type TaskStateT = z.infer<typeof TaskState>;
export type WaitStateT = z.infer<typeof WaitState>;
export type RouterStateT = z.infer<typeof RouterState>;
export type FailStateT = z.infer<typeof FailState>;
export type RetrierT = z.infer<typeof Retrier>;
export type CatcherT = z.infer<typeof Catcher>;

/** The JSON Schema (draft 2020-12) generated from DslSchema. */
export function dslJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(DslSchema, { unrepresentable: "any" }) as Record<string, unknown>;
}
