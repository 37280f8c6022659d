/**
 * Finds where a JSON pointer's value sits in JSON text (for highlighting a diagnostic's line in
 * code mode). A small scanner records the span of every value; tolerant of trailing garbage.
 */
export interface Span {
  from: number;
  to: number;
  line: number;
}

export function locatePointer(text: string, pointer: string): Span | undefined {
  const want = pointer === ""
    ? []
    : pointer.split("/").slice(1).map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
  let pos = 0;
  // The deepest matched prefix wins, so a pointer to a missing member highlights its parent.
  let best: { from: number; to: number; depth: number } | undefined;
  const hit = (depth: number, from: number, to: number) => {
    if (!best || depth > best.depth) best = { from, to, depth };
  };
  const ws = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const str = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') {
      pos += text[pos] === "\\" ? 2 : 1;
    }
    pos++;
    try {
      return JSON.parse(text.slice(start, pos));
    } catch {
      return text.slice(start + 1, pos - 1);
    }
  };
  // depth = how many tokens of `want` the current path matches
  const value = (depth: number, path: string[]): void => {
    ws();
    const from = pos;
    const matched = depth === path.length && path.length <= want.length;
    const c = text[pos];
    if (c === "{") {
      pos++;
      ws();
      while (pos < text.length && text[pos] !== "}") {
        ws();
        if (text[pos] !== '"') break;
        const keyFrom = pos;
        const key = str();
        ws();
        if (text[pos] === ":") pos++;
        const onPath = matched && want[depth] === key;
        if (onPath) hit(depth + 1, keyFrom, pos);
        value(onPath ? depth + 1 : -1, onPath ? [...path, key] : path);
        ws();
        if (text[pos] === ",") pos++;
        ws();
      }
      pos++;
    } else if (c === "[") {
      pos++;
      let index = 0;
      ws();
      while (pos < text.length && text[pos] !== "]") {
        const onPath = matched && want[depth] === String(index);
        const itemFrom = pos;
        value(
          onPath ? depth + 1 : -1,
          onPath ? [...path, String(index)] : path,
        );
        if (onPath) hit(depth + 1, itemFrom, pos);
        ws();
        if (text[pos] === ",") pos++;
        ws();
        index++;
      }
      pos++;
    } else if (c === '"') str();
    else {
      while (pos < text.length && /[^\s,\]}]/.test(text[pos])) pos++;
      if (pos === from) pos++;
    }
    if (depth === 0) hit(0, from, pos);
  };
  value(0, []);
  const found = best as { from: number; to: number } | undefined;
  if (!found) return undefined;
  const line = text.slice(0, found.from).split("\n").length;
  return { from: found.from, to: found.to, line };
}
