import assert from "node:assert/strict";
import smtp from "./smtp.ts";
import { opts, testConnection } from "./shared/testing.ts";

interface Mail {
  from: string;
  to: string[];
  data: string;
  user: string | null;
}

/** A loopback SMTP sink: EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT. */
function smtpSink(password: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const mails: Mail[] = [];
  const enc = new TextEncoder();
  const serve = async (conn: Deno.Conn) => {
    const write = (line: string) => conn.write(enc.encode(line + "\r\n"));
    let buffer = "";
    let mail: Mail = { from: "", to: [], data: "", user: null };
    let user: string | null = null;
    let mode: "cmd" | "data" | "login-user" | "login-pass" = "cmd";
    let pendingUser = "";
    await write("220 sink ESMTP ready");
    const decoder = new TextDecoder();
    for await (const chunk of conn.readable) {
      buffer += decoder.decode(chunk);
      let nl: number;
      while ((nl = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (mode === "data") {
          if (line === ".") {
            mails.push({ ...mail, user });
            mail = { from: "", to: [], data: "", user: null };
            mode = "cmd";
            await write("250 2.0.0 queued");
          } else mail.data += (line.startsWith("..") ? line.slice(1) : line) + "\n";
          continue;
        }
        if (mode === "login-user") {
          pendingUser = atob(line);
          mode = "login-pass";
          await write("334 UGFzc3dvcmQ6");
          continue;
        }
        if (mode === "login-pass") {
          mode = "cmd";
          if (atob(line) === password) {
            user = pendingUser;
            await write("235 2.7.0 authenticated");
          } else await write("535 5.7.8 bad credentials");
          continue;
        }
        const [verb, ...rest] = line.split(" ");
        const arg = rest.join(" ");
        switch (verb.toUpperCase()) {
          case "EHLO":
            await write("250-sink greets you");
            await write("250-AUTH PLAIN LOGIN");
            await write("250 8BITMIME");
            break;
          case "HELO":
            await write("250 sink");
            break;
          case "AUTH": {
            const [mech, initial] = arg.split(" ");
            if (mech.toUpperCase() === "PLAIN") {
              const [, u, p] = atob(initial).split("\0");
              if (p === password) {
                user = u;
                await write("235 2.7.0 authenticated");
              } else await write("535 5.7.8 bad credentials");
            } else {
              mode = "login-user";
              await write("334 VXNlcm5hbWU6");
            }
            break;
          }
          case "MAIL":
            if (!user) {
              await write("530 5.7.0 authentication required");
              break;
            }
            mail.from = /<(.*)>/.exec(arg)?.[1] ?? "";
            await write("250 ok");
            break;
          case "RCPT":
            mail.to.push(/<(.*)>/.exec(arg)?.[1] ?? "");
            await write("250 ok");
            break;
          case "DATA":
            mode = "data";
            await write("354 end with <CRLF>.<CRLF>");
            break;
          case "RSET":
            mail = { from: "", to: [], data: "", user: null };
            await write("250 ok");
            break;
          case "NOOP":
            await write("250 ok");
            break;
          case "QUIT":
            await write("221 bye");
            conn.close();
            return;
          default:
            await write("502 unknown command");
        }
      }
    }
  };
  (async () => {
    for await (const conn of listener) serve(conn).catch(() => {});
  })().catch(() => {});
  return { port: (listener.addr as Deno.NetAddr).port, mails, close: () => listener.close() };
}

Deno.test("smtp sends text, html and attachments with auth through a loopback sink", async () => {
  const sink = smtpSink("mail-pass-123");
  const conn = testConnection(
    "smtp",
    smtp.settingsSchema.parse({
      host: "127.0.0.1",
      port: sink.port,
      ignoreTLS: true,
      username: "ops",
      from: "Ops <ops@example.com>",
    }) as Record<
      string,
      unknown
    >,
    { credential: "mail-pass-123" },
  );
  const send = (input: unknown) =>
    smtp.execute(conn, "send", smtp.operations.send.input.parse(input), opts()) as Promise<
      Record<string, unknown>
    >;
  try {
    assert.equal((await smtp.test(conn, opts())).ok, true);
    const r = await send({
      to: ["ada@example.com", "bob@example.com"],
      cc: "cy@example.com",
      subject: "Build 42 passed",
      text: "All green.",
      html: "<p>All <b>green</b>.</p>",
      attachments: [
        { filename: "report.txt", content: "line 1\nline 2" },
        { filename: "logo.png", contentBase64: btoa("\x89PNG"), contentType: "image/png" },
      ],
    });
    assert.deepEqual(r.accepted, ["ada@example.com", "bob@example.com", "cy@example.com"]);
    assert.match(String(r.messageId), /@/);
    const mail = sink.mails.at(-1)!;
    assert.equal(mail.user, "ops");
    assert.equal(mail.from, "ops@example.com");
    assert.deepEqual(mail.to, ["ada@example.com", "bob@example.com", "cy@example.com"]);
    assert.match(mail.data, /Subject: Build 42 passed/);
    assert.match(mail.data, /text\/html/);
    assert.match(mail.data, /filename=report\.txt/);
    assert.match(mail.data, /filename=logo\.png/);
    assert.throws(() => smtp.operations.send.input.parse({ to: "a@b.c" }), /give text or html/);

    const wrong = testConnection("smtp", conn.settings, { credential: "nope" });
    await assert.rejects(
      smtp.execute(wrong, "send", smtp.operations.send.input.parse({ to: "a@b.c", text: "x" }), opts()),
      (err: Error) => /Invalid login|535/.test(err.message) && !err.message.includes("mail-pass-123"),
    );
  } finally {
    await smtp.close();
    sink.close();
  }
});
