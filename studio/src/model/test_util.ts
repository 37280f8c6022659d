/** Helpers for the model tests (not part of the app bundle). */
import { Editor } from "./editor.ts";
import type { NodeRec } from "./types.ts";

export async function loadFixture(name: string): Promise<Editor> {
  const text = await Deno.readTextFile(
    new URL(`./testdata/${name}.json`, import.meta.url),
  );
  return Editor.fromDsl(JSON.parse(text));
}

export function idOf(editor: Editor, name: string): string {
  const rec = Object.values(editor.doc.records).find((r) => r.kind === "node" && r.name === name);
  if (!rec) throw new Error(`no state ${name}`);
  return rec.id;
}

export function stateOf(editor: Editor, name: string): NodeRec["def"] {
  return editor.toDsl().states[name] as NodeRec["def"];
}
