/** `aio sec`: CredVault secrets — create, reveal, versions, rotation, lifecycle, random passwords. */
import type { Command } from "../framework/command.ts";
import { contextFor, readSource, seg } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import type { RevealedSecret, Secret, SecretVersion } from "../../services/credvault/types.ts";

const secretColumns = [
  { header: "name", value: (s: Secret) => s.name },
  { header: "type", value: (s: Secret) => s.type },
  { header: "versions", value: (s: Secret) => s.versionCount },
  { header: "current", value: (s: Secret) => s.stages.current },
  { header: "rotation", value: (s: Secret) => rotationText(s) },
  { header: "status", value: (s: Secret) => (s.deletedAt ? `deleted (purge ${s.purgeAt})` : "active") },
  { header: "expires", value: (s: Secret) => s.certificate?.notAfter ?? s.oauth?.expiresAt, wide: true },
  { header: "description", value: (s: Secret) => s.description, wide: true },
  { header: "updated", value: (s: Secret) => s.updatedAt, wide: true },
];

const versionColumns = [
  { header: "version id", value: (v: SecretVersion) => v.versionId },
  { header: "seq", value: (v: SecretVersion) => v.seq },
  { header: "stages", value: (v: SecretVersion) => v.stages.join(",") || "-" },
  { header: "state", value: (v: SecretVersion) => v.state },
  { header: "created", value: (v: SecretVersion) => v.createdAt },
  { header: "created by", value: (v: SecretVersion) => v.createdBy, wide: true },
];

function rotationText(s: Secret): string {
  if (!s.rotation) return "-";
  const how = s.rotation.function ? `fn:${s.rotation.function}` : "generated";
  const when = s.rotation.every
    ? `every ${s.rotation.every}`
    : s.rotation.cron
    ? `cron ${s.rotation.cron}`
    : "on demand";
  return `${how}, ${when}`;
}

/** The value from --value or --value-file (`-` = stdin); one trailing newline is dropped. */
async function valueFrom(
  opts: { value?: string; valueFile?: string },
  required: boolean,
): Promise<string | undefined> {
  if (opts.value !== undefined && opts.valueFile !== undefined) {
    throw new CliError("give either --value or --value-file, not both", EXIT.usage);
  }
  if (opts.valueFile !== undefined) return (await readSource(opts.valueFile)).replace(/\r?\n$/, "");
  if (opts.value === undefined && required) {
    throw new CliError(
      "give the value with --value, or --value-file FILE ('-' reads stdin and keeps it out of shell history)",
      EXIT.usage,
    );
  }
  return opts.value;
}

function tags(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const t of list) {
    const eq = t.indexOf("=");
    if (eq <= 0) throw new CliError(`--tag '${t}' must be KEY=VALUE`, EXIT.usage);
    out[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return out;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface RotationOpts {
  rotationFunction?: string;
  rotateEvery?: string;
  rotateCron?: string;
}
function rotation(opts: RotationOpts) {
  if (!opts.rotationFunction && !opts.rotateEvery && !opts.rotateCron) return undefined;
  return {
    ...(opts.rotationFunction ? { function: opts.rotationFunction } : {}),
    ...(opts.rotateEvery ? { every: opts.rotateEvery } : {}),
    ...(opts.rotateCron ? { cron: opts.rotateCron } : {}),
  };
}

async function show(cmd: Command, secret: Secret) {
  await contextFor(cmd).print(secret);
}

export function register(program: Command) {
  const sec = program.command("sec").alias("secret").description(
    "CredVault: encrypted secrets with versions and rotation",
  );

  sec.command("create")
    .description('Create a secret (aio sec create db-password --value "secret123")')
    .argument("<name>", "secret name")
    .option("--value <value>", "the value (JSON for oauth_token/generic)")
    .option("--value-file <file>", "read the value from a file, or '-' for stdin")
    .option("--type <type>", "api_key | password | certificate | oauth_token | generic", "password")
    .option("--description <text>", "description")
    .option("--tag <key=value>", "tag (repeatable)", collect)
    .option("--rotation-function <fn>", "AionixFn function for rotation (create/set/test/finish)")
    .option("--rotate-every <interval>", "rotate on a schedule: 30d, 12h, 90m")
    .option("--rotate-cron <expr>", "rotate on a cron schedule (UTC)")
    .action(async (name: string, opts: Record<string, string | string[] | undefined>, cmd: Command) => {
      const value = await valueFrom(opts as { value?: string; valueFile?: string }, true);
      const client = await contextFor(cmd).client();
      const secret = await client.request<Secret>("POST", "/api/v1/secrets", {
        name,
        type: opts.type,
        value,
        ...(opts.description !== undefined ? { description: opts.description } : {}),
        ...(tags(opts.tag as string[]) ? { tags: tags(opts.tag as string[]) } : {}),
        ...(rotation(opts as RotationOpts) ? { rotation: rotation(opts as RotationOpts) } : {}),
      });
      if (contextFor(cmd).format() === "table") {
        console.log(`created ${secret.trn} (version ${secret.stages.current})`);
      } else await show(cmd, secret);
    });

  sec.command("get")
    .description("Describe a secret (never its value)")
    .argument("<name>", "name or TRN")
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await show(cmd, await (await ctx.client()).request<Secret>("GET", `/api/v1/secrets/${seg(name)}`));
    });

  sec.command("list")
    .description("List secrets (never values)")
    .option("--type <type>", "only this type")
    .option("--prefix <prefix>", "only names starting with this")
    .option("--include-deleted", "also show secrets scheduled for deletion")
    .option("--limit <n>", "page size")
    .option("--next-token <token>", "continue a previous listing")
    .action(async (opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: Secret[]; nextToken?: string }>(
        "GET",
        "/api/v1/secrets",
        undefined,
        {
          query: {
            type: opts.type,
            prefix: opts.prefix,
            includeDeleted: opts.includeDeleted ? "true" : undefined,
            limit: opts.limit,
            nextToken: opts.nextToken,
          },
        },
      );
      await ctx.print(ctx.format() === "table" || ctx.format() === "wide" ? res.items : res, {
        rows: res.items,
        columns: secretColumns,
      });
      if (res.nextToken && (ctx.format() === "table" || ctx.format() === "wide")) {
        console.log(`next: --next-token ${res.nextToken}`);
      }
    });

  sec.command("reveal")
    .description("Print a secret's value (operator role; audited)")
    .argument("<name>", "name or TRN")
    .option("--stage <stage>", "current | pending | previous (default current)")
    .option("--version-id <id>", "a specific version")
    .action(async (name: string, opts: { stage?: string; versionId?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<RevealedSecret>(
        "POST",
        `/api/v1/secrets/${seg(name)}/reveal`,
        {
          ...(opts.stage ? { stage: opts.stage } : {}),
          ...(opts.versionId ? { versionId: opts.versionId } : {}),
        },
      );
      if (ctx.format() === "table") {
        console.log(typeof res.value === "string" ? res.value : JSON.stringify(res.value, null, 2));
      } else await ctx.print(res);
    });

  sec.command("versions")
    .description("List a secret's versions with stages and states")
    .argument("<name>", "name or TRN")
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: SecretVersion[] }>(
        "GET",
        `/api/v1/secrets/${seg(name)}/versions`,
      );
      await ctx.print(ctx.format() === "table" || ctx.format() === "wide" ? res.items : res, {
        rows: res.items,
        columns: versionColumns,
      });
    });

  sec.command("rotate")
    .description("Rotate: with --value/--value-file, else via the rotation function (or a generated value)")
    .argument("<name>", "name or TRN")
    .option("--value <value>", "the new value")
    .option("--value-file <file>", "read the new value from a file, or '-' for stdin")
    .action(async (name: string, opts: { value?: string; valueFile?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const value = await valueFrom(opts, false);
      const res = await (await ctx.client()).request<{ versionId: string; method: string; trn: string }>(
        "POST",
        `/api/v1/secrets/${seg(name)}/rotate`,
        value !== undefined ? { value } : {},
      );
      if (ctx.format() === "table") {
        console.log(`rotated ${res.trn}: current version ${res.versionId} (${res.method})`);
      } else await ctx.print(res);
    });

  sec.command("put-value")
    .description("Store a new version without rotating (stage current by default)")
    .argument("<name>", "name or TRN")
    .option("--value <value>", "the value")
    .option("--value-file <file>", "read the value from a file, or '-' for stdin")
    .option("--stage <stage>", "current | pending | none", "current")
    .action(
      async (name: string, opts: { value?: string; valueFile?: string; stage: string }, cmd: Command) => {
        const ctx = contextFor(cmd);
        const value = await valueFrom(opts, true);
        const v = await (await ctx.client()).request<SecretVersion>(
          "POST",
          `/api/v1/secrets/${seg(name)}/versions`,
          {
            value,
            stage: opts.stage,
          },
        );
        if (ctx.format() === "table") {
          console.log(`stored version ${v.versionId} (${v.stages.join(",") || "no stage"})`);
        } else await ctx.print(v);
      },
    );

  sec.command("stage")
    .description("Move a stage to a version (moving current demotes the old current to previous)")
    .argument("<name>", "name or TRN")
    .argument("<stage>", "current | pending | previous")
    .argument("<versionId>", "version id")
    .action(async (name: string, stage: string, versionId: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const s = await (await ctx.client()).request<Secret>(
        "PUT",
        `/api/v1/secrets/${seg(name)}/stages/${seg(stage)}`,
        { versionId },
      );
      if (ctx.format() === "table") console.log(`${stage} of ${s.name} is now ${versionId}`);
      else await ctx.print(s);
    });

  sec.command("update")
    .description("Change description, tags or rotation")
    .argument("<name>", "name or TRN")
    .option("--description <text>", "description")
    .option("--tag <key=value>", "tag (repeatable; replaces all tags)", collect)
    .option("--rotation-function <fn>", "AionixFn function for rotation")
    .option("--rotate-every <interval>", "rotate on a schedule: 30d, 12h, 90m")
    .option("--rotate-cron <expr>", "rotate on a cron schedule (UTC)")
    .option("--no-rotation", "remove the rotation configuration")
    .action(async (name: string, opts: Record<string, unknown>, cmd: Command) => {
      const patch: Record<string, unknown> = {};
      if (opts.description !== undefined) patch.description = opts.description;
      const t = tags(opts.tag as string[] | undefined);
      if (t) patch.tags = t;
      if (opts.rotation === false) patch.rotation = null;
      else if (rotation(opts as RotationOpts)) patch.rotation = rotation(opts as RotationOpts);
      if (!Object.keys(patch).length) {
        throw new CliError("nothing to update: give --description, --tag or rotation options", EXIT.usage);
      }
      const ctx = contextFor(cmd);
      await show(
        cmd,
        await (await ctx.client()).request<Secret>("PATCH", `/api/v1/secrets/${seg(name)}`, patch),
      );
    });

  sec.command("delete")
    .description("Schedule deletion after a recovery window (default 7 days), or delete now with --force")
    .argument("<name>", "name or TRN")
    .option("--recovery-window-days <n>", "days before the purge (1-30)")
    .option("--force", "delete now, without recovery")
    .action(async (name: string, opts: { recoveryWindowDays?: string; force?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ trn: string; purgeAt?: string; purged: boolean }>(
        "DELETE",
        `/api/v1/secrets/${seg(name)}`,
        undefined,
        { query: { recoveryWindowDays: opts.recoveryWindowDays, force: opts.force ? "true" : undefined } },
      );
      if (ctx.format() !== "table") return await ctx.print(res);
      console.log(
        res.purged
          ? `deleted ${res.trn}`
          : `${res.trn} will be purged at ${res.purgeAt} (aio sec restore ${name} to keep it)`,
      );
    });

  sec.command("restore")
    .description("Cancel a scheduled deletion")
    .argument("<name>", "name or TRN")
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const s = await (await ctx.client()).request<Secret>("POST", `/api/v1/secrets/${seg(name)}/restore`);
      if (ctx.format() === "table") console.log(`restored ${s.trn}`);
      else await ctx.print(s);
    });

  for (
    const [action, text] of [["retire", "Retire a version (it can no longer be read)"], [
      "activate",
      "Re-activate a retired version",
    ]]
  ) {
    sec.command(action)
      .description(text)
      .argument("<name>", "name or TRN")
      .argument("<versionId>", "version id")
      .action(async (name: string, versionId: string, _opts: unknown, cmd: Command) => {
        const ctx = contextFor(cmd);
        const v = await (await ctx.client()).request<SecretVersion>(
          "POST",
          `/api/v1/secrets/${seg(name)}/versions/${seg(versionId)}/${action}`,
        );
        if (ctx.format() === "table") console.log(`version ${v.versionId} of ${name} is ${v.state}`);
        else await ctx.print(v);
      });
  }

  sec.command("random-password")
    .description("Generate a random password (not stored)")
    .option("--length <n>", "length (4-4096)", "32")
    .option("--exclude-characters <chars>", "characters never to use")
    .option("--exclude-numbers", "no digits")
    .option("--exclude-punctuation", "no punctuation")
    .option("--exclude-uppercase", "no upper-case letters")
    .option("--exclude-lowercase", "no lower-case letters")
    .option("--include-space", "allow spaces")
    .action(async (opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const length = Number(opts.length);
      if (!Number.isInteger(length)) throw new CliError("--length must be an integer", EXIT.usage);
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ password: string }>(
        "POST",
        "/api/v1/secrets/random-password",
        {
          length,
          ...(opts.excludeCharacters ? { excludeCharacters: opts.excludeCharacters } : {}),
          ...(opts.excludeNumbers ? { excludeNumbers: true } : {}),
          ...(opts.excludePunctuation ? { excludePunctuation: true } : {}),
          ...(opts.excludeUppercase ? { excludeUppercase: true } : {}),
          ...(opts.excludeLowercase ? { excludeLowercase: true } : {}),
          ...(opts.includeSpace ? { includeSpace: true } : {}),
        },
      );
      if (ctx.format() === "table") console.log(res.password);
      else await ctx.print(res);
    });
}
