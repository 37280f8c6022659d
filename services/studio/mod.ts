/**
 * Serves the built Studio (studio/dist) at /studio/. The handler (serve.ts) is loaded on the
 * first request under /studio.
 */
import type { ServiceDeps, ServiceModule } from "../../runtime/service.ts";

export function createStudioService(deps: ServiceDeps): ServiceModule {
  return {
    name: "studio",
    migrations: [],
    mount() {
      deps.http.routes({
        name: "studio",
        prefixes: ["/studio"],
        mount: async (app) => {
          const serve = (await import("./serve.ts")).studioHandler(deps.env.AIONIX_STUDIO_DIST);
          app.get("/studio", (c) => c.redirect("/studio/", 301));
          app.get("/studio/*", serve);
        },
      });
    },
  };
}
