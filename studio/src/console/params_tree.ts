/** Builds the folder tree of parameter paths (pure; no React). */

export interface TreeNode<T> {
  /** The last path segment ("" for the root). */
  name: string;
  /** The full path of this node, e.g. /app/db. */
  path: string;
  /** The parameter stored at exactly this path, if any (a path can be a folder and a parameter). */
  item?: T;
  children: TreeNode<T>[];
  /** Number of parameters at or below this node. */
  count: number;
}

export function buildTree<T extends { path: string }>(items: T[]): TreeNode<T> {
  const root: TreeNode<T> = { name: "", path: "/", children: [], count: 0 };
  for (const item of items) {
    const parts = item.path.split("/").filter(Boolean);
    let node = root;
    node.count++;
    let path = "";
    for (const part of parts) {
      path += `/${part}`;
      let child = node.children.find((c) => c.name === part);
      if (!child) {
        child = { name: part, path, children: [], count: 0 };
        node.children.push(child);
      }
      child.count++;
      node = child;
    }
    node.item = item;
  }
  const sort = (n: TreeNode<T>) => {
    // folders first, then leaves, each alphabetically
    n.children.sort((a, b) =>
      (a.children.length ? 0 : 1) - (b.children.length ? 0 : 1) || a.name.localeCompare(b.name)
    );
    n.children.forEach(sort);
  };
  sort(root);
  return root;
}

/** The folders that must be open to show `path` (its ancestors). */
export function ancestors(path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  return parts.slice(0, -1).map((_, i) => "/" + parts.slice(0, i + 1).join("/"));
}

/** Visible rows of the tree given the set of open folders, with their depth. */
export function visibleRows<T>(
  root: TreeNode<T>,
  open: Set<string>,
  filter = "",
): Array<{ node: TreeNode<T>; depth: number }> {
  const out: Array<{ node: TreeNode<T>; depth: number }> = [];
  const matches = (n: TreeNode<T>): boolean =>
    !filter || n.path.toLowerCase().includes(filter.toLowerCase()) || n.children.some(matches);
  const walk = (n: TreeNode<T>, depth: number) => {
    for (const c of n.children) {
      if (!matches(c)) continue;
      out.push({ node: c, depth });
      if (c.children.length && (open.has(c.path) || filter)) walk(c, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}
