import { assertEquals, assertRejects, assertThrows } from "../tests/helpers/assert.ts";
import { loadConfig, parseConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";

const file = (text: string) => ({ readFile: () => Promise.resolve(text) });

Deno.test("parseConfig() fills the documented defaults", () => {
  const c = parseConfig({});
  assertEquals(c.server.port, 53000);
  assertEquals(c.server.host, "127.0.0.1");
  assertEquals(c.database.data_path, "./data");
  assertEquals(c.database.synchronous, "NORMAL");
  assertEquals(c.server.body_limit, 1024 * 1024);
  assertEquals(c.logging.level, "info");
});

Deno.test("loadConfig() reads the spec's config.toml", async () => {
  const toml =
    `[server]\nport = 53000\nhost = "0.0.0.0"\n\n[database]\ndata_path = "./data"\n\n[logging]\nlevel = "info"\n`;
  const { config } = await loadConfig({ config: "config.toml" }, { env: {}, ...file(toml) });
  assertEquals(config.server.host, "0.0.0.0");
});

Deno.test("loadConfig() precedence is flags > env > file > defaults", async () => {
  const toml =
    `[server]\nport = 1000\nhost = "10.0.0.1"\n[database]\ndata_path = "/file"\n[logging]\nlevel = "warn"`;
  const env = { AIONIX_PORT: "2000", AIONIX_DATA: "/env", AIONIX_LOG_LEVEL: "error" };
  const { config } = await loadConfig({ config: "c.toml", port: 3000 }, { env, ...file(toml) });
  assertEquals(config.server.port, 3000); // flag
  assertEquals(config.database.data_path, "/env"); // env over file
  assertEquals(config.server.host, "10.0.0.1"); // file over default
  assertEquals(config.logging.level, "error");
});

Deno.test("loadConfig() takes the file from AIONIX_CONFIG", async () => {
  let asked = "";
  const { config } = await loadConfig({}, {
    env: { AIONIX_CONFIG: "/etc/aionix.toml" },
    readFile: (p) => {
      asked = p;
      return Promise.resolve("[server]\nport = 4000");
    },
  });
  assertEquals(asked, "/etc/aionix.toml");
  assertEquals(config.server.port, 4000);
});

Deno.test("unknown keys are rejected naming the key", async () => {
  const err = await assertRejects(
    () => loadConfig({ config: "c" }, { env: {}, ...file("[server]\nprot = 1") }),
    ConfigError,
  );
  assertEquals(err.key, "server.prot");
  const top = await assertRejects(
    () => loadConfig({ config: "c" }, { env: {}, ...file("[sever]\nport = 1") }),
    ConfigError,
  );
  assertEquals(top.key, "sever");
});

Deno.test("bad values are rejected naming the key", async () => {
  assertEquals(assertThrows(() => parseConfig({ server: { port: 70000 } }), ConfigError).key, "server.port");
  assertEquals(
    assertThrows(() => parseConfig({ database: { synchronous: "OFF" } }), ConfigError).key,
    "database.synchronous",
  );
  assertEquals(
    assertThrows(() => parseConfig({ logging: { level: "loud" } }), ConfigError).key,
    "logging.level",
  );
  const env = await assertRejects(() => loadConfig({}, { env: { AIONIX_PORT: "eighty" } }), ConfigError);
  assertEquals(env.key, "AIONIX_PORT");
});

Deno.test("a config file that is not TOML or cannot be read names the file", async () => {
  const bad = await assertRejects(
    () => loadConfig({ config: "x.toml" }, { env: {}, ...file("[server") }),
    ConfigError,
  );
  assertEquals(bad.key, "config");
  const missing = await assertRejects(() => loadConfig({ config: "/nope/x.toml" }, { env: {} }), ConfigError);
  assertEquals(/cannot read \/nope\/x.toml/.test(missing.message), true);
});

Deno.test("parseConfig() says what each key expects and fills defaults without sharing them", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ server: { port: 80.5 } }, "server.port", "an integer from 0 to 65535"],
    [{ server: { body_limit: 0 } }, "server.body_limit", "a positive integer"],
    [{ server: { shutdown_grace: "soon" } }, "server.shutdown_grace", "a positive number"],
    [{ server: { allowed_hosts: ["ok", ""] } }, "server.allowed_hosts", "a list of non-empty strings"],
    [{ database: { busy_timeout_ms: -1 } }, "database.busy_timeout_ms", "an integer ≥ 0"],
    [{ functions: { python: "" } }, "functions.python", "a non-empty string"],
    [{ logging: "loud" }, "logging", "a table of keys"],
  ];
  for (const [raw, key, expected] of cases) {
    const err = assertThrows(() => parseConfig(raw), ConfigError);
    assertEquals(err.key, key);
    assertEquals(err.message.includes(expected), true, err.message);
  }
  const a = parseConfig({ server: { shutdown_grace: 2.5 } });
  assertEquals(a.server.shutdown_grace, 2.5);
  a.server.allowed_hosts.push("mutated");
  assertEquals(parseConfig({}).server.allowed_hosts, []);
});
