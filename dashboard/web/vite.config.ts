import { defineConfig } from "vite";
import tailwindcss from "@tailwindcss/vite";
import { resolve } from "node:path";

// Two pages: the app (index.html) and GraphiQL (explorer.html), each with its own scripts,
// so the app never loads GraphiQL's editor. The output in dist/ is committed and compiled
// into the clouddeck binary (see ../src/lib.rs).
export default defineConfig({
  plugins: [tailwindcss()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
    // Sizes are checked by the e2e test (first load under 250 KB compressed), not by a warning.
    chunkSizeWarningLimit: 2048,
    rollupOptions: {
      // React libraries mark files "use client" for server components; a single-page app has none.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
      input: {
        index: resolve(import.meta.dirname, "index.html"),
        explorer: resolve(import.meta.dirname, "explorer.html"),
      },
    },
  },
  server: {
    // `npm run dev` against a `clouddeck up` on the default port.
    proxy: { "/graphql": { target: "http://127.0.0.1:4000", ws: true }, "/v1": "http://127.0.0.1:4000" },
  },
});
