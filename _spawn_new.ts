const MAIN = "/work/main/main.ts";
const dataDir = Deno.args[0];
const runs = Number(Deno.args[1] ?? 6);
const out: string[] = [];
for (let i = 0; i < runs; i++) {
  const port = 40000 + Math.floor(Math.random() * 20000);
  const t0 = Date.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", "--port", String(port), "--data", dataDir, "--log-level", "info"],
    stdout: "null", stderr: "piped", env: { AIONIX_TRACE: "1", NOPROM: "1" },
  }).spawn();
  let ready = 0;
  for (;;) {
    try { const r = await fetch(`http://127.0.0.1:${port}/readyz`); await r.body?.cancel(); if (r.ok) { ready = Date.now() - t0; break; } } catch {}
    await new Promise((r) => setTimeout(r, 2));
  }
  child.kill("SIGTERM");
  const { stderr } = await child.output();
  const text = new TextDecoder().decode(stderr);
  const m = /"startupMs":(\d+)/.exec(text);
  const a = /TRACE_startServer=([\d.]+)/.exec(text)?.[1]; const b = /TRACE_listening=([\d.]+)/.exec(text)?.[1]; const mainAt = /main=([\d.]+)/.exec(text)?.[1];
  const origin = /TRACE origin=(\d+(\.\d+)?)/.exec(text);
  const marks = [...text.matchAll(/TRACE (\w+)=(\d+(\.\d+)?)/g)].map((x) => `${x[1]}=${Math.round(Number(x[2]))}`).join(" ");
  out.push(`main=${Math.round(Number(mainAt))} startServer=${Math.round(Number(a))} listening=${Math.round(Number(b))} ready=${ready} startupMs=${m?.[1]} originAfterSpawn=${origin ? Math.round(Number(origin[1]) - t0) : "?"} ${marks}`);
}
console.log(out.join("\n"));
