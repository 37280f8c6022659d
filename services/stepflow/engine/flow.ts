/**
 * A compiled template version: the DSL plus its JSONata templates compiled on first use and
 * cached by JSON pointer, so each expression is compiled once per template version.
 */
import type { Dsl, Graph, State } from "../dsl/schema.ts";
import { type CompiledTemplate, compileTemplate } from "../expr/template.ts";

export class CompiledFlow {
  #templates = new Map<string, CompiledTemplate>();
  #graphs = new Map<string, Graph>();

  constructor(readonly dsl: Dsl) {
    this.#index(dsl, "");
  }

  #index(graph: Graph, pointer: string) {
    this.#graphs.set(pointer, graph);
    for (const [name, state] of Object.entries(graph.states)) {
      const sp = `${pointer}/states/${name}`;
      if (state.type === "parallel") state.branches.forEach((b, i) => this.#index(b, `${sp}/branches/${i}`));
      if (state.type === "map") this.#index(state.processor, `${sp}/processor`);
    }
  }

  graph(pointer: string): Graph {
    const g = this.#graphs.get(pointer);
    if (!g) throw new Error(`no graph at '${pointer}'`);
    return g;
  }

  state(graph: string, name: string): State {
    const s = this.graph(graph).states[name];
    if (!s) throw new Error(`no state '${name}' in graph '${graph}'`);
    return s;
  }

  /** The compiled template of `value`, which sits at `pointer` in the DSL. */
  template(pointer: string, value: unknown): CompiledTemplate {
    let t = this.#templates.get(pointer);
    if (!t) {
      t = compileTemplate(value);
      this.#templates.set(pointer, t);
    }
    return t;
  }

  /** Compiles every template now (validation already proved they compile). */
  warm(): this {
    const walk = (graph: Graph, gp: string) => {
      for (const [name, s] of Object.entries(graph.states)) {
        const sp = `${gp}/states/${name}`;
        if ("output" in s && s.output) this.template(`${sp}/output/expression`, s.output.expression);
        if ("assign" in s && s.assign) this.template(`${sp}/assign`, s.assign);
        if (s.type === "task" && s.parameters !== undefined) this.template(`${sp}/parameters`, s.parameters);
        if (s.type === "parallel") s.branches.forEach((b, i) => walk(b, `${sp}/branches/${i}`));
        if (s.type === "map") walk(s.processor, `${sp}/processor`);
      }
    };
    walk(this.dsl, "");
    return this;
  }
}
