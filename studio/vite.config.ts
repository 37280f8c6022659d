// Studio build: `deno task studio:build` → studio/dist, served by the server at /studio/.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  base: "/studio/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: (id: string) =>
          id.includes("@codemirror") || id.includes("@lezer") ? "codemirror" : undefined,
      },
    },
  },
  server: { proxy: { "/api": "http://127.0.0.1:53000" } },
});
