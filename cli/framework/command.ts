/**
 * A small ESM command framework with the subset of commander's API the `aio` CLI uses:
 * nested commands, options (`-o, --output <fmt>`, `--flag`, `--no-flag`, `--opt [v]`,
 * parsers, choices, defaults, required), positional arguments (`<a>`, `[b]`, `<c...>`),
 * `--help` everywhere, typo suggestions and CommanderError codes. Loads no npm package, so
 * a CLI round trip does not pay for Deno's CommonJS loader.
 */
import { CommanderError } from "./errors.ts";
import { formatHelp, suggestSimilar } from "./help.ts";
import { Argument, Option, type ParseFn } from "./option.ts";
import { parseOptions } from "./parse.ts";

export { CommanderError, InvalidArgumentError } from "./errors.ts";
export { Argument, Option } from "./option.ts";

export interface OutputConfiguration {
  writeOut?: (str: string) => void;
  writeErr?: (str: string) => void;
  outputError?: (str: string, write: (str: string) => void) => void;
}

// deno-lint-ignore no-explicit-any
export type ActionFn = (...args: any[]) => void | Promise<void>;
// deno-lint-ignore no-explicit-any
export type OptionValues = Record<string, any>;

const encoder = new TextEncoder();
function writeAll(file: { writeSync(p: Uint8Array): number }, text: string) {
  let bytes = encoder.encode(text);
  while (bytes.length) bytes = bytes.subarray(file.writeSync(bytes));
}

export class Command {
  readonly commands: Command[] = [];
  readonly options: Option[] = [];
  readonly registeredArguments: Argument[] = [];
  parent: Command | null = null;
  /** Operands and unknown options left for this command after parsing. */
  args: string[] = [];
  /** Commander-compatible flag read by cli/tree.ts; nothing here hides commands. */
  readonly _hidden = false;
  readonly helpOption = new Option("-h, --help", "display help for command");
  private _name: string;
  private _description = "";
  private _usage?: string;
  private _aliases: string[] = [];
  private _action?: ActionFn;
  private _values: OptionValues = {};
  private _exitOverride?: boolean;
  private _helpAfterError?: string | boolean;
  private _output?: OutputConfiguration;

  constructor(name = "") {
    this._name = name;
  }

  /** Adds and returns a subcommand. */
  command(name: string): Command {
    const sub = new Command(name);
    sub.parent = this;
    this.commands.push(sub);
    return sub;
  }

  name(): string;
  name(name: string): this;
  name(name?: string): string | this {
    if (name === undefined) return this._name;
    this._name = name;
    return this;
  }

  description(): string;
  description(text: string): this;
  description(text?: string): string | this {
    if (text === undefined) return this._description;
    this._description = text;
    return this;
  }

  alias(): string | undefined;
  alias(alias: string): this;
  alias(alias?: string): string | undefined | this {
    if (alias === undefined) return this._aliases[0];
    this._aliases.push(alias);
    return this;
  }

  usage(): string;
  usage(text: string): this;
  usage(text?: string): string | this {
    if (text !== undefined) {
      this._usage = text;
      return this;
    }
    if (this._usage) return this._usage;
    const args = this.registeredArguments.map((a) => {
      const name = a.name() + (a.variadic ? "..." : "");
      return a.required ? `<${name}>` : `[${name}]`;
    });
    return ["[options]", ...(this.commands.length ? ["[command]"] : []), ...args].join(" ");
  }

  argument(name: string, description?: string, defaultValue?: unknown): this {
    return this.addArgument(new Argument(name, description).default(defaultValue));
  }

  addArgument(arg: Argument): this {
    const last = this.registeredArguments.at(-1);
    if (last?.variadic) throw new Error(`only the last argument can be variadic '${last.name()}'`);
    this.registeredArguments.push(arg);
    return this;
  }

  /** `.option(flags, description, default)` or `.option(flags, description, parser, default)`. */
  option(flags: string, description?: string, parserOrDefault?: unknown, defaultValue?: unknown): this {
    return this.addOption(makeOption(flags, description, parserOrDefault, defaultValue));
  }

  requiredOption(
    flags: string,
    description?: string,
    parserOrDefault?: unknown,
    defaultValue?: unknown,
  ): this {
    const option = makeOption(flags, description, parserOrDefault, defaultValue);
    option.mandatory = true;
    return this.addOption(option);
  }

  addOption(option: Option): this {
    const clash = (option.short && this.findOption(option.short)) ||
      (option.long && this.findOption(option.long));
    if (clash) {
      throw new Error(
        `Cannot add option '${option.flags}' to command '${this._name}': clashes with '${clash.flags}'`,
      );
    }
    this.options.push(option);
    if (option.defaultValue !== undefined) this._values[option.attributeName()] = option.defaultValue;
    return this;
  }

  action(fn: ActionFn): this {
    this._action = fn;
    return this;
  }

  /** Errors throw a CommanderError instead of exiting the process (inherited by subcommands). */
  exitOverride(): this {
    this._exitOverride = true;
    return this;
  }

  /** After an error message, print this hint (or the help with `true`); inherited by subcommands. */
  showHelpAfterError(hint: string | boolean = true): this {
    this._helpAfterError = hint;
    return this;
  }

  configureOutput(config: OutputConfiguration): this {
    this._output = { ...this._output, ...config };
    return this;
  }

  opts<T extends OptionValues = OptionValues>(): T {
    return this._values as T;
  }

  /** This command's options merged with its ancestors' (ancestors win, as in commander). */
  optsWithGlobals<T extends OptionValues = OptionValues>(): T {
    return this.ancestry().reduce((all, cmd) => Object.assign(all, cmd.opts()), {}) as T;
  }

  findOption(arg: string): Option | undefined {
    return this.options.find((o) => o.is(arg));
  }

  visibleCommands(): Command[] {
    return this.commands.filter((c) => !c._hidden);
  }

  /** Commands with subcommands and no action of their own get `help [command]`. */
  hasImplicitHelpCommand(): boolean {
    return this.commands.length > 0 && !this._action && !this.findCommand("help");
  }

  helpInformation(): string {
    const width = Deno.stdout.isTerminal() ? Deno.consoleSize().columns : 80;
    return formatHelp(this, width);
  }

  outputHelp(opts: { error?: boolean } = {}) {
    const text = this.helpInformation();
    if (opts.error) this.writeErr(text);
    else this.writeOut(text);
  }

  /** Prints the help and ends the parse (exit code 1 with `error`). */
  help(opts: { error?: boolean } = {}): never {
    this.outputHelp(opts);
    this.exit(opts.error ? 1 : 0, "commander.help", "(outputHelp)");
  }

  /** Reports a usage error and ends the parse. */
  error(message: string, code = "commander.error", exitCode = 1): never {
    const output = this.outputConfig();
    const writeErr = (s: string) => this.writeErr(s);
    (output.outputError ?? ((s, write) => write(s)))(`${message}\n`, writeErr);
    const hint = this.inherited("hint");
    if (typeof hint === "string") writeErr(`${hint}\n`);
    else if (hint) {
      writeErr("\n");
      this.outputHelp({ error: true });
    }
    this.exit(exitCode, code, message);
  }

  async parseAsync(argv: string[], _options?: { from: "user" }): Promise<this> {
    await this.parseCommand([], argv);
    return this;
  }

  /** Stores a parsed option value (parser, choices, negation and booleans applied). */
  setOptionFromCli(option: Option, value: string | null | undefined) {
    const key = option.attributeName();
    let parsed: unknown = value;
    if (value != null && option.parseArg) {
      try {
        parsed = option.parseArg(
          value,
          this._values[key] === undefined ? option.defaultValue : this._values[key],
        );
      } catch (err) {
        if (err instanceof CommanderError && err.code === "commander.invalidArgument") {
          this.error(
            `error: option '${option.flags}' argument '${value}' is invalid. ${err.message}`,
            err.code,
          );
        }
        throw err;
      }
    }
    if (parsed == null) parsed = option.negate ? false : option.isBoolean() || option.optional ? true : "";
    this._values[key] = parsed;
  }

  private ancestry(): Command[] {
    const out: Command[] = [this];
    for (let c = this.parent; c; c = c.parent) out.push(c);
    return out;
  }

  /** A setting made on this command or the nearest ancestor (commander copies them to subcommands). */
  private inherited(key: "exit" | "hint"): boolean | string | undefined {
    for (const c of this.ancestry()) {
      const value = key === "exit" ? c._exitOverride : c._helpAfterError;
      if (value !== undefined) return value;
    }
    return undefined;
  }

  private outputConfig(): OutputConfiguration {
    return Object.assign({}, ...this.ancestry().reverse().map((c) => c._output ?? {}));
  }

  private writeOut(text: string) {
    (this.outputConfig().writeOut ?? ((s: string) => writeAll(Deno.stdout, s)))(text);
  }

  private writeErr(text: string) {
    (this.outputConfig().writeErr ?? ((s: string) => writeAll(Deno.stderr, s)))(text);
  }

  private exit(exitCode: number, code: string, message: string): never {
    if (this.inherited("exit")) throw new CommanderError(exitCode, code, message);
    Deno.exit(exitCode);
  }

  private findCommand(name: string | undefined): Command | undefined {
    if (!name) return undefined;
    return this.commands.find((c) => c._name === name || c._aliases.includes(name));
  }

  private async parseCommand(operandsIn: string[], unknownIn: string[]): Promise<void> {
    this.applyLoneNegatedDefaults();
    const parsed = parseOptions(this, unknownIn);
    const operands = [...operandsIn, ...parsed.operands];
    const unknown = parsed.unknown;
    this.args = [...operands, ...unknown];
    const sub = this.findCommand(operands[0]);
    if (sub) return await sub.parseCommand(operands.slice(1), unknown);
    if (this.hasImplicitHelpCommand() && operands[0] === "help") {
      if (!operands[1]) this.help();
      const target = this.findCommand(operands[1]);
      if (target) target.help();
      this.help({ error: true });
    }
    if (this.commands.length && this.args.length === 0 && !this._action) this.help({ error: true });
    if (unknown.some((arg) => this.helpOption.is(arg))) {
      this.outputHelp();
      this.exit(0, "commander.helpDisplayed", "(outputHelp)");
    }
    for (const cmd of this.ancestry()) {
      for (const o of cmd.options) {
        if (o.mandatory && cmd._values[o.attributeName()] === undefined) {
          cmd.error(
            `error: required option '${o.flags}' not specified`,
            "commander.missingMandatoryOptionValue",
          );
        }
      }
    }
    if (this._action) {
      this.checkUnknownOptions(unknown);
      const args = this.processArguments();
      await this._action(...args, this.opts(), this);
      return;
    }
    if (operands.length && this.commands.length) this.unknownCommand(operands[0]);
    this.checkUnknownOptions(unknown);
    if (this.commands.length) this.help({ error: true });
    this.processArguments();
  }

  /** `--no-x` without `--x`: x defaults to true. */
  private applyLoneNegatedDefaults() {
    for (const o of this.options) {
      const key = o.attributeName();
      if (!o.negate || o.defaultValue !== undefined || this._values[key] !== undefined) continue;
      if (!this.findOption(o.long!.replace(/^--no-/, "--"))) this._values[key] = true;
    }
  }

  private checkUnknownOptions(unknown: string[]) {
    if (!unknown.length) return;
    const flag = unknown[0];
    let suggestion = "";
    if (flag.startsWith("--")) {
      const longs = this.ancestry().flatMap((c) => [...c.options, c.helpOption].map((o) => o.long ?? ""));
      suggestion = suggestSimilar(flag, longs.filter(Boolean));
    }
    this.error(`error: unknown option '${flag}'${suggestion}`, "commander.unknownOption");
  }

  private unknownCommand(name: string): never {
    const names = this.visibleCommands().flatMap((c) => [c._name, ...c._aliases.slice(0, 1)]);
    if (this.hasImplicitHelpCommand()) names.push("help");
    this.error(`error: unknown command '${name}'${suggestSimilar(name, names)}`, "commander.unknownCommand");
  }

  /** Checks the operand count and applies argument parsers; returns the action's positional values. */
  private processArguments(): unknown[] {
    const declared = this.registeredArguments;
    declared.forEach((arg, i) => {
      if (arg.required && this.args[i] == null) {
        this.error(`error: missing required argument '${arg.name()}'`, "commander.missingArgument");
      }
    });
    if (!declared.at(-1)?.variadic && this.args.length > declared.length) {
      const n = declared.length;
      const forSub = this.parent ? ` for '${this._name}'` : "";
      this.error(
        `error: too many arguments${forSub}. Expected ${n} argument${
          n === 1 ? "" : "s"
        } but got ${this.args.length}: ${this.args.join(", ")}.`,
        "commander.excessArguments",
      );
    }
    const parse = (arg: Argument, value: string) => {
      if (!arg.parseArg) return value;
      try {
        return arg.parseArg(value, undefined);
      } catch (err) {
        if (err instanceof CommanderError && err.code === "commander.invalidArgument") {
          this.error(
            `error: command-argument value '${value}' is invalid for argument '${arg.name()}'. ${err.message}`,
            err.code,
          );
        }
        throw err;
      }
    };
    return declared.map((arg, i) => {
      if (arg.variadic) {
        return i < this.args.length ? this.args.slice(i).map((v) => parse(arg, v)) : arg.defaultValue ?? [];
      }
      return i < this.args.length ? parse(arg, this.args[i]) : arg.defaultValue;
    });
  }
}

function makeOption(
  flags: string,
  description: string | undefined,
  parserOrDefault: unknown,
  defaultValue: unknown,
) {
  const option = new Option(flags, description);
  if (typeof parserOrDefault === "function") {
    option.default(defaultValue).argParser(parserOrDefault as ParseFn);
  } else option.default(parserOrDefault);
  return option;
}
