/**
 * Addresses of states outside the document: execution state paths ("Par/branch[0]/Inner",
 * "Map/item[3]/Inner") and JSON pointers of validation diagnostics ("/states/Par/branches/0/…").
 */
import { nameIndex, nodeOf, scopeOf } from "./graph.ts";
import { type Doc, type NodeRec, ROOT } from "./types.ts";

/** The execution state path of a node; map iterations are written as item[*]. */
export function statePathOf(doc: Doc, id: string): string {
  const parts: string[] = [];
  let node = nodeOf(doc.records, id);
  while (node) {
    parts.unshift(node.name);
    const scope = scopeOf(doc.records, node.scope)!;
    if (!scope.owner) break;
    const owner = doc.records[scope.owner] as NodeRec;
    parts.unshift(
      scope.slot === "processor" ? "item[*]" : `branch[${owner.children!.indexOf(scope.id)}]`,
    );
    node = owner;
  }
  return parts.join("/");
}

/** Resolves an execution state path (any map iteration) to a node id. */
export function nodeForStatePath(doc: Doc, path: string): string | undefined {
  const parts = path.split("/").filter(Boolean);
  let scope = ROOT;
  let found: string | undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const slot = /^(branch|item)\[(\d+|\*)\]$/.exec(part);
    if (slot) {
      const owner = found ? nodeOf(doc.records, found) : undefined;
      const kids = owner?.children;
      if (!kids) return undefined;
      scope = slot[1] === "item" ? kids[0] : kids[Number(slot[2])];
      if (!scope) return undefined;
      continue;
    }
    found = nameIndex(doc.records, scope).get(part);
    if (!found) return undefined;
  }
  return found;
}

function unescape(token: string): string {
  return token.replaceAll("~1", "/").replaceAll("~0", "~");
}

/**
 * The node a diagnostic pointer is about (the innermost state on the path), and the field
 * pointer within it; undefined when the pointer is not inside a state.
 */
export function nodeForPointer(
  doc: Doc,
  pointer: string,
): { id: string; field: string } | undefined {
  const tokens = pointer.split("/").slice(1).map(unescape);
  let scope = ROOT;
  let found: { id: string; field: string } | undefined;
  let i = 0;
  while (i < tokens.length) {
    if (tokens[i] !== "states" || i + 1 >= tokens.length) break;
    const id = nameIndex(doc.records, scope).get(tokens[i + 1]);
    if (!id) break;
    i += 2;
    found = { id, field: "/" + tokens.slice(i).join("/") };
    const node = doc.records[id] as NodeRec;
    if (
      tokens[i] === "branches" && node.children &&
      /^\d+$/.test(tokens[i + 1] ?? "")
    ) {
      const sid = node.children[Number(tokens[i + 1])];
      if (!sid) break;
      scope = sid;
      i += 2;
    } else if (tokens[i] === "processor" && node.children) {
      scope = node.children[0];
      i += 1;
    } else break;
  }
  if (found?.field === "/") found.field = "";
  return found;
}
