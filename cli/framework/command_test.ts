import { assertEquals, assertRejects, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { Argument, Command, CommanderError, Option } from "./command.ts";

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** A program shaped like `aio`: global options, groups, leaves; records what actions saw. */
function program() {
  const out: string[] = [];
  const err: string[] = [];
  const calls: Array<
    { cmd: string; args: unknown[]; opts: Record<string, unknown>; globals: Record<string, unknown> }
  > = [];
  const record = (name: string) => (...all: unknown[]) => {
    const cmd = all.at(-1) as Command;
    calls.push({
      cmd: name,
      args: all.slice(0, -2),
      opts: all.at(-2) as Record<string, unknown>,
      globals: cmd.optsWithGlobals(),
    });
  };
  const root = new Command("aio")
    .description("test CLI")
    .option("--endpoint <url>", "server URL")
    .option("--data-dir <dir>", "data dir")
    .addOption(
      new Option("-o, --output <format>", "output format").choices(["table", "json"]).default("table"),
    )
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) })
    .exitOverride();
  const fn = root.command("fn").alias("function").description("Functions");
  fn.command("invoke").description("Invoke a function").argument("<name>", "function name").argument(
    "[qualifier]",
  )
    .option("--data <json>", "input as JSON")
    .option("-f, --follow", "keep streaming")
    .option("--env <NAME=VALUE>", "environment variable (repeatable)", collect)
    .option("--limit <n>", "page size", "20")
    .action(record("fn invoke"));
  fn.command("tags").argument("<fn>").argument("<tags...>", "one or more tags").action(record("fn tags"));
  fn.command("list").argument("[prefix]", "name prefix", "/").action(record("fn list"));
  root.command("param").command("set").argument("<path>").argument("<value>")
    .requiredOption("--type <type>", "parameter type")
    .option("--no-overwrite", "fail if it exists")
    .option("--tier [tier]", "storage tier")
    .action(record("param set"));
  root.command("completion").addArgument(new Argument("<shell>", "bash | zsh").choices(["bash", "zsh"]))
    .action(record("completion"));
  const run = (...args: string[]) => root.parseAsync(args, { from: "user" });
  const fails = async (args: string[], code: string) => {
    const e = await assertRejects(() => run(...args), CommanderError);
    assertEquals(e.code, code, e.message);
    return e;
  };
  return { root, out, err, calls, run, fails };
}

Deno.test("options are recognised before and after arguments, with = and attached short values", async () => {
  for (
    const args of [
      ["fn", "invoke", "f", "--data", "{}", "-o", "json"],
      ["-o", "json", "fn", "invoke", "--data", "{}", "f"],
      ["fn", "invoke", "--data={}", "f", "--output=json"],
      ["fn", "-ojson", "invoke", "f", "--data", "{}"],
    ]
  ) {
    const p = program();
    await p.run(...args);
    assertEquals(p.calls.length, 1, args.join(" "));
    assertEquals(p.calls[0].args, ["f", undefined]);
    assertEquals(p.calls[0].opts, { limit: "20", data: "{}" });
    assertEquals(p.calls[0].globals.output, "json");
  }
});

Deno.test("repeatable options collect, defaults apply, boolean and negated flags set true/false", async () => {
  const p = program();
  await p.run("fn", "invoke", "f", "v2", "--env", "A=1", "-f", "--env", "B=2", "--limit", "5");
  assertEquals(p.calls[0].args, ["f", "v2"]);
  assertEquals(p.calls[0].opts, { limit: "5", env: ["A=1", "B=2"], follow: true });
  await p.run("param", "set", "/a", "1", "--type", "string");
  assertEquals(p.calls[1].opts, { overwrite: true, type: "string" });
  await p.run(
    "param",
    "set",
    "/a",
    "1",
    "--type",
    "string",
    "--no-overwrite",
    "--tier",
    "--tier",
    "advanced",
  );
  assertEquals(p.calls[2].opts, { overwrite: false, type: "string", tier: "advanced" });
  await p.run("param", "set", "/a", "1", "--type", "string", "--tier");
  assertEquals(p.calls[3].opts.tier, true);
});

Deno.test("variadic and defaulted arguments, aliases, negative numbers and -- as operands", async () => {
  const p = program();
  await p.run("function", "tags", "f", "a", "b", "c");
  assertEquals(p.calls[0].args, ["f", ["a", "b", "c"]]);
  await p.run("fn", "list");
  assertEquals(p.calls[1].args, ["/"]);
  await p.run("fn", "invoke", "f", "-1");
  assertEquals(p.calls[2].args, ["f", "-1"]);
  await p.run("fn", "invoke", "f", "--", "--data");
  assertEquals(p.calls[3].args, ["f", "--data"]);
  assertEquals(p.calls[3].opts.data, undefined);
});

Deno.test("usage errors carry commander's codes, messages and the hint", async () => {
  const p = program();
  let e = await p.fails(["fn", "invoke"], "commander.missingArgument");
  assertEquals(e.message, "error: missing required argument 'name'");
  assertEquals(e.exitCode, 1);
  assertEquals(p.err.join(""), "error: missing required argument 'name'\n(run with --help for usage)\n");
  e = await p.fails(["param", "set", "/a", "1"], "commander.missingMandatoryOptionValue");
  assertEquals(e.message, "error: required option '--type <type>' not specified");
  e = await p.fails(["completion", "pwsh"], "commander.invalidArgument");
  assertEquals(
    e.message,
    "error: command-argument value 'pwsh' is invalid for argument 'shell'. Allowed choices are bash, zsh.",
  );
  e = await p.fails(["-o", "xml", "fn", "list"], "commander.invalidArgument");
  assertEquals(
    e.message,
    "error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are table, json.",
  );
  e = await p.fails(["fn", "invoke", "f", "--data"], "commander.optionMissingArgument");
  assertEquals(e.message, "error: option '--data <json>' argument missing");
  e = await p.fails(["fn", "list", "a", "b"], "commander.excessArguments");
  assertEquals(e.message, "error: too many arguments for 'list'. Expected 1 argument but got 2: a, b.");
  e = await p.fails(["fn", "invoke", "f", "--dta", "{}"], "commander.unknownOption");
  assertEquals(e.message, "error: unknown option '--dta'\n(Did you mean --data?)");
  e = await p.fails(["fn", "invok", "f"], "commander.unknownCommand");
  assertEquals(e.message, "error: unknown command 'invok'\n(Did you mean invoke?)");
  e = await p.fails(["parm"], "commander.unknownCommand");
  assertEquals(e.message, "error: unknown command 'parm'\n(Did you mean param?)");
  e = await p.fails(["zzzzzz"], "commander.unknownCommand");
  assertEquals(e.message, "error: unknown command 'zzzzzz'");
  assertEquals(p.out, []);
});

Deno.test("--help and -h print usage, arguments, options and subcommands to stdout with exit code 0", async () => {
  const p = program();
  let e = await p.fails(["fn", "invoke", "--help"], "commander.helpDisplayed");
  assertEquals(e.exitCode, 0);
  assertEquals(
    p.out.join(""),
    [
      "Usage: aio fn invoke [options] <name> [qualifier]",
      "",
      "Invoke a function",
      "",
      "Arguments:",
      "  name                function name",
      "  qualifier",
      "",
      "Options:",
      "  --data <json>       input as JSON",
      "  -f, --follow        keep streaming",
      "  --env <NAME=VALUE>  environment variable (repeatable)",
      '  --limit <n>         page size (default: "20")',
      "  -h, --help          display help for command",
      "",
    ].join("\n"),
  );
  p.out.length = 0;
  e = await p.fails(["-h"], "commander.helpDisplayed");
  const help = p.out.join("");
  assertStringIncludes(help, "Usage: aio [options] [command]\n\ntest CLI\n");
  assertStringIncludes(help, '-o, --output <format>  output format (choices: "table", "json", default:\n');
  assertStringIncludes(help, "  fn|function            Functions\n");
  assertStringIncludes(help, "  completion <shell>\n");
  assertStringIncludes(help, "  help [command]         display help for command\n");
  p.out.length = 0;
  await p.fails(["help", "fn"], "commander.help");
  assertStringIncludes(p.out.join(""), "Usage: aio fn|function [options] [command]");
  assertStringIncludes(p.out.join(""), "  invoke [options] <name> [qualifier]  Invoke a function\n");
});

Deno.test("a group without a subcommand prints its help to stderr with exit code 1", async () => {
  const p = program();
  const e = await p.fails(["fn"], "commander.help");
  assertEquals(e.exitCode, 1);
  assertEquals(p.out, []);
  assertStringIncludes(p.err.join(""), "Usage: aio fn|function [options] [command]");
});

Deno.test("the tree exposes what completion and docs read", () => {
  const { root } = program();
  const invoke = root.commands[0].commands[0];
  assertEquals(invoke.parent?.parent, root);
  assertEquals(invoke.usage(), "[options] <name> [qualifier]");
  assertEquals(invoke.registeredArguments.map((a) => [a.name(), a.required, a.description]), [
    ["name", true, "function name"],
    ["qualifier", false, ""],
  ]);
  const [data, follow] = invoke.options;
  assertEquals([data.short, data.long, data.required, data.optional, data.attributeName()], [
    undefined,
    "--data",
    true,
    false,
    "data",
  ]);
  assertEquals([follow.short, follow.long, follow.required], ["-f", "--follow", false]);
  const output = root.options[2];
  assertEquals([output.argChoices, output.defaultValue, output.attributeName()], [
    ["table", "json"],
    "table",
    "output",
  ]);
  assertEquals(root.options[1].attributeName(), "dataDir");
  assertEquals(root.commands.map((c) => c.name()), ["fn", "param", "completion"]);
});
