/** Option and argument declarations: flags parsing, attribute names, choices and defaults. */
import { InvalidArgumentError } from "./errors.ts";

// deno-lint-ignore no-explicit-any
export type ParseFn = (value: string, previous: any) => any;

function choiceParser(choices: () => readonly string[]): ParseFn {
  return (value: string) => {
    if (!choices().includes(value)) {
      throw new InvalidArgumentError(`Allowed choices are ${choices().join(", ")}.`);
    }
    return value;
  };
}

const camelcase = (s: string) =>
  s.split("-").reduce((out, word) => out + word[0].toUpperCase() + word.slice(1));

/** `-o, --output <format>`, `--flag`, `--no-flag`, `--opt [value]`. */
export class Option {
  readonly flags: string;
  description: string;
  /** A value must follow the flag (`<value>`). */
  readonly required: boolean;
  /** A value may follow the flag (`[value]`). */
  readonly optional: boolean;
  readonly short?: string;
  readonly long?: string;
  /** `--no-x`: sets x to false. */
  readonly negate: boolean;
  /** `requiredOption`: must have a value after parsing. */
  mandatory = false;
  defaultValue: unknown = undefined;
  argChoices?: string[];
  parseArg?: ParseFn;

  constructor(flags: string, description?: string) {
    this.flags = flags;
    this.description = description ?? "";
    this.required = flags.includes("<");
    this.optional = flags.includes("[");
    const parts = flags.split(/[ |,]+/);
    if (/^-[^-]$/.test(parts[0])) this.short = parts.shift();
    if (/^--[^-]/.test(parts[0])) this.long = parts.shift();
    if (parts[0]?.startsWith("-")) {
      throw new Error(`option creation failed due to '${parts[0]}' in option flags '${flags}'`);
    }
    if (!this.short && !this.long) {
      throw new Error(`option creation failed due to no flags found in '${flags}'.`);
    }
    this.negate = this.long?.startsWith("--no-") ?? false;
  }

  default(value: unknown): this {
    this.defaultValue = value;
    return this;
  }

  argParser(fn: ParseFn): this {
    this.parseArg = fn;
    return this;
  }

  choices(values: readonly string[]): this {
    this.argChoices = [...values];
    this.parseArg = choiceParser(() => this.argChoices!);
    return this;
  }

  /** The flag without dashes: `output` for `-o, --output`. */
  name(): string {
    return this.long ? this.long.replace(/^--/, "") : this.short!.replace(/^-/, "");
  }

  /** The key in `opts()`: `dataDir` for `--data-dir`, `rotation` for `--no-rotation`. */
  attributeName(): string {
    return camelcase(this.negate ? this.name().replace(/^no-/, "") : this.name());
  }

  is(arg: string): boolean {
    return this.short === arg || this.long === arg;
  }

  isBoolean(): boolean {
    return !this.required && !this.optional && !this.negate;
  }
}

/** A positional argument: `<name>` (required), `[name]` (optional), `<items...>` (variadic). */
export class Argument {
  readonly required: boolean;
  readonly variadic: boolean;
  description: string;
  argChoices?: string[];
  parseArg?: ParseFn;
  defaultValue: unknown = undefined;
  private readonly _name: string;

  constructor(name: string, description?: string) {
    this.description = description ?? "";
    this.required = !name.startsWith("[");
    const bare = name.replace(/^[<[]|[>\]]$/g, "");
    this.variadic = bare.endsWith("...");
    this._name = this.variadic ? bare.slice(0, -3) : bare;
  }

  name(): string {
    return this._name;
  }

  choices(values: readonly string[]): this {
    this.argChoices = [...values];
    this.parseArg = choiceParser(() => this.argChoices!);
    return this;
  }

  /** The value given to the action when an optional argument is left out. */
  default(value: unknown): this {
    this.defaultValue = value;
    return this;
  }
}

/** `<name>`, `[name]`, `<items...>` as shown in usage lines. */
export const humanReadableArgName = (arg: Argument) => {
  const name = arg.name() + (arg.variadic ? "..." : "");
  return arg.required ? `<${name}>` : `[${name}]`;
};
