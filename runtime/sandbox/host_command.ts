/**
 * How to start a sandbox helper process with the same program: a compiled executable runs
 * itself with the hidden subcommand; a checkout runs `deno run … main.ts <subcommand>`.
 */

/** A file: URL as a local path (node:url's fileURLToPath without loading node:url at start). */
function localPath(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return Deno.build.os === "windows" ? path.replace(/^\/([A-Za-z]:)/, "$1").replaceAll("/", "\\") : path;
}

export interface HelperCommand {
  cmd: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
}

export function isStandalone(): boolean {
  return (Deno.build as { standalone?: boolean }).standalone === true ||
    !import.meta.url.startsWith("file:");
}

/** The command line that runs `main.ts <subcommand>` with the given V8 flags. */
export function helperCommand(subcommand: string, v8Flags: string[] = []): HelperCommand {
  if (isStandalone()) {
    return {
      cmd: Deno.execPath(),
      args: [subcommand],
      env: v8Flags.length ? { DENO_V8_FLAGS: v8Flags.join(",") } : {},
    };
  }
  const root = localPath(new URL("../../", import.meta.url));
  return {
    cmd: Deno.execPath(),
    args: [
      "run",
      "-A",
      "--unstable-worker-options",
      "--no-lock",
      ...(v8Flags.length ? [`--v8-flags=${v8Flags.join(",")}`] : []),
      `${root}main.ts`,
      subcommand,
    ],
    cwd: root,
    env: {},
  };
}
