import assert from "node:assert/strict";
import s3 from "./s3.ts";
import { opts, testConnection } from "./shared/testing.ts";
import { startStub } from "../../../tests/helpers/openact_stubs.ts";

/** A loopback S3-compatible server: path-style objects, ListObjectsV2, SigV4 header/presign checks. */
function s3Server() {
  const objects = new Map<string, { body: Uint8Array; type: string; meta: Record<string, string> }>();
  const auths: string[] = [];
  const xml = (body: string, status = 200) =>
    new Response(`<?xml version="1.0" encoding="UTF-8"?>${body}`, {
      status,
      headers: { "content-type": "application/xml" },
    });
  const handler = async (req: Request) => {
    const url = new URL(req.url);
    const presigned = url.searchParams.get("X-Amz-Algorithm") === "AWS4-HMAC-SHA256";
    const auth = req.headers.get("authorization") ?? "";
    if (presigned) {
      if (
        !url.searchParams.get("X-Amz-Credential")?.startsWith("AKIDTEST/") ||
        !url.searchParams.get("X-Amz-Signature")
      ) {
        return xml("<Error><Code>AccessDenied</Code></Error>", 403);
      }
    } else if (
      !/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/
        .test(auth)
    ) {
      return xml("<Error><Code>AccessDenied</Code><Message>bad signature</Message></Error>", 403);
    }
    auths.push(auth);
    const [, bucket, ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    if (bucket !== "media") {
      return xml("<Error><Code>NoSuchBucket</Code><Message>no bucket</Message></Error>", 404);
    }
    if (!key && req.method === "GET" && url.searchParams.get("list-type") === "2") {
      const prefix = url.searchParams.get("prefix") ?? "";
      const max = Number(url.searchParams.get("max-keys") ?? 1000);
      const start = url.searchParams.get("continuation-token") ?? "";
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > start).sort();
      const page = keys.slice(0, max);
      const truncated = keys.length > max;
      return xml(
        `<ListBucketResult><Name>media</Name><Prefix>${prefix}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${
          truncated ? `<NextContinuationToken>${page.at(-1)}</NextContinuationToken>` : ""
        }${
          page.map((k) =>
            `<Contents><Key>${k}</Key><Size>${
              objects.get(k)!.body.length
            }</Size><ETag>"e"</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents>`
          ).join("")
        }</ListBucketResult>`,
      );
    }
    if (req.method === "PUT") {
      const meta: Record<string, string> = {};
      req.headers.forEach((v, k) => {
        if (k.startsWith("x-amz-meta-")) meta[k.slice(11)] = v;
      });
      objects.set(key, {
        body: new Uint8Array(await req.arrayBuffer()),
        type: req.headers.get("content-type") ?? "",
        meta,
      });
      return new Response(null, { status: 200, headers: { etag: '"etag-1"' } });
    }
    const obj = objects.get(key);
    if (req.method === "DELETE") {
      objects.delete(key);
      return new Response(null, { status: 204 });
    }
    if (!obj) {
      return req.method === "HEAD" ? new Response(null, { status: 404 }) : xml(
        "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
        404,
      );
    }
    const headers: Record<string, string> = {
      "content-type": obj.type,
      etag: '"etag-1"',
      "content-length": String(obj.body.length),
    };
    for (const [k, v] of Object.entries(obj.meta)) headers[`x-amz-meta-${k}`] = v;
    return new Response(req.method === "HEAD" ? null : obj.body as Uint8Array<ArrayBuffer>, { headers });
  };
  return { handler, objects, auths };
}

Deno.test("s3 puts, gets, lists, deletes and presigns against an S3-compatible loopback server", async () => {
  const store = s3Server();
  const stub = await startStub((req) => store.handler(req));
  const conn = testConnection(
    "s3",
    s3.settingsSchema.parse({ endpoint: stub.url, forcePathStyle: true, bucket: "media" }) as Record<
      string,
      unknown
    >,
    { credential: { accessKeyId: "AKIDTEST", secretAccessKey: "s3cr3t-key-value" } },
  );
  const exec = (op: string, input: unknown) =>
    s3.execute(conn, op, s3.operations[op].input.parse(input), opts()) as Promise<Record<string, unknown>>;
  try {
    assert.deepEqual(await s3.test(conn, opts()), { ok: true, bucket: "media" });
    const put = await exec("putObject", { key: "docs/a.txt", body: "hello s3", metadata: { owner: "ada" } });
    assert.equal(put.etag, '"etag-1"');
    await exec("putObject", { key: "docs/b.json", json: { n: 1 } });
    await exec("putObject", { key: "img/c.bin", bodyBase64: btoa("\x00\x01\x02") });
    assert.equal(store.objects.get("docs/b.json")!.type, "application/json");

    const got = await exec("getObject", { key: "docs/a.txt" });
    assert.equal(got.body, "hello s3");
    assert.deepEqual(got.metadata, { owner: "ada" });
    assert.deepEqual((await exec("getObject", { key: "docs/b.json", responseType: "json" })).body, { n: 1 });
    assert.equal(
      (await exec("getObject", { key: "img/c.bin", responseType: "base64" })).body,
      btoa("\x00\x01\x02"),
    );
    assert.equal((await exec("headObject", { key: "docs/a.txt" })).size, 8);

    const page1 = await exec("listObjects", { prefix: "docs/", maxKeys: 1 });
    assert.deepEqual((page1.items as { key: string }[]).map((i) => i.key), ["docs/a.txt"]);
    const page2 = await exec("listObjects", {
      prefix: "docs/",
      maxKeys: 1,
      continuationToken: page1.nextContinuationToken,
    });
    assert.deepEqual((page2.items as { key: string }[]).map((i) => i.key), ["docs/b.json"]);

    const signed = await exec("presign", { key: "docs/a.txt", expiresIn: 60 });
    const url = new URL(signed.url as string);
    assert.equal(url.searchParams.get("X-Amz-Expires"), "60");
    const viaUrl = await fetch(url);
    assert.equal(await viaUrl.text(), "hello s3");
    const putUrl = await exec("presign", { key: "up/d.txt", method: "PUT", contentType: "text/plain" });
    const up = await fetch(putUrl.url as string, {
      method: "PUT",
      body: "uploaded",
      headers: { "content-type": "text/plain" },
    });
    await up.body?.cancel();
    assert.equal(new TextDecoder().decode(store.objects.get("up/d.txt")!.body), "uploaded");

    assert.deepEqual(await exec("deleteObject", { key: "docs/a.txt" }), {
      bucket: "media",
      key: "docs/a.txt",
      deleted: true,
    });
    await assert.rejects(exec("getObject", { key: "docs/a.txt" }), /object not found/);
    await assert.rejects(exec("getObject", { bucket: "other", key: "x" }), /bucket not found/);
    assert.ok(store.auths.every((a) => !a.includes("s3cr3t-key-value")));
    const noCred = testConnection("s3", conn.settings, {});
    await assert.rejects(
      s3.execute(noCred, "getObject", { key: "x", responseType: "text" }, opts()),
      /credential must be a generic secret/,
    );
  } finally {
    await s3.close();
    await stub.close();
  }
});
