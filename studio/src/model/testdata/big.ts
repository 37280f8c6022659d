/** A generated workflow of n states (chains, routers, a parallel and a map) for tests and the bench. */
import type { JsonObject, WorkflowDsl } from "../types.ts";

export function bigWorkflow(n = 200): WorkflowDsl {
  const states: Record<string, JsonObject> = {};
  const name = (i: number) => `Step${String(i).padStart(3, "0")}`;
  let i = 0;
  while (i < n - 1) {
    const next = name(i + 1);
    if (i % 25 === 10) {
      states[name(i)] = {
        type: "router",
        routes: [{ condition: `{% input.n > ${i} %}`, next }],
        default: next,
      };
    } else if (i % 50 === 20) {
      states[name(i)] = {
        type: "parallel",
        branches: [
          { entry: `B${i}a`, states: { [`B${i}a`]: { type: "succeed" } } },
          {
            entry: `B${i}b`,
            states: {
              [`B${i}b`]: {
                type: "set",
                output: { expression: "{% input %}" },
                end: true,
              },
            },
          },
        ],
        next,
      };
    } else if (i % 50 === 40) {
      states[name(i)] = {
        type: "map",
        items: "{% input.items %}",
        processor: {
          entry: `M${i}`,
          states: {
            [`M${i}`]: {
              type: "task",
              action: "http",
              parameters: { url: "https://example.com" },
              end: true,
            },
          },
        },
        next,
      };
    } else {
      states[name(i)] = {
        type: "task",
        action: "http",
        parameters: { url: `https://example.com/${i}` },
        next,
      };
    }
    i++;
  }
  states[name(i)] = { type: "succeed" };
  return { entry: name(0), states };
}
