// Build: `npm run build` writes dist/index.html and dist/static/<name>-<hash>.js|css, which the API serves
// at `/` and `/static/` (api/page.py). Dev: `npm run dev` proxies API calls to GENIP_API (default :8000).
import { defineConfig } from "vite";

const api = process.env.GENIP_API ?? "http://127.0.0.1:8000";
const proxied = ["/assets", "/licenses", "/accounts", "/ipfs", "/health", "/config", "/uploads", "/metadata", "/match", "/faucet", "/profiles"];

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    assetsDir: "static",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    fs: { allow: [".."] },
    proxy: Object.fromEntries(proxied.map((p) => [p, api])),
  },
});
