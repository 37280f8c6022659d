import { assert, assertEquals } from "../tests/helpers/assert.ts";
import { compileArgs, includes, TARGETS } from "./compile.ts";

Deno.test("compileArgs() embeds connectors.toml, the sandbox and the selected connectors", async () => {
  const inc = await includes();
  assert(inc.includes("connectors.toml"));
  const args = await compileArgs(undefined);
  assertEquals(args.slice(0, 5), ["compile", "-A", "--no-check", "--output", "dist/aionix"]);
  assertEquals(args.at(-1), "main.ts");
  for (const path of inc) assert(args.includes(path), path);
});

Deno.test("compileArgs() names per-target outputs, .exe for Windows", async () => {
  assertEquals(TARGETS.length, 5);
  const win = await compileArgs("x86_64-pc-windows-msvc");
  assert(win.includes("dist/aionix-x86_64-pc-windows-msvc.exe"));
  assertEquals(win[win.indexOf("--target") + 1], "x86_64-pc-windows-msvc");
});
