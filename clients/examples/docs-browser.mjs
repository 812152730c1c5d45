// Loads /docs in headless Chromium (Debian's, driven by playwright-core) and checks that
// Swagger UI rendered one block per operation of openapi/openapi.json.
//
// CONVO_URL=http://127.0.0.1:8000 node docs-browser.mjs [screenshot.png]

import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const baseUrl = process.env.CONVO_URL ?? "http://127.0.0.1:8000";
const screenshot = process.argv[2];
const spec = JSON.parse(readFileSync(new URL("../../openapi/openapi.json", import.meta.url), "utf8"));
const methods = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((method) => methods.has(method))
    .map((method) => ({ method: method.toUpperCase(), path })),
);

const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "convo-docs-")), {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const response = await page.goto(`${baseUrl}/docs`, { waitUntil: "load" });
  if (response?.status() !== 200) throw new Error(`/docs answered ${response?.status()}`);
  // Swagger UI renders from the embedded spec after load; wait for the operations to appear.
  await page.waitForFunction(
    (count) => document.querySelectorAll(".opblock").length >= count,
    operations.length,
    { timeout: 30_000 },
  );
  const rendered = await page.$$eval(".opblock", (blocks) =>
    blocks.map((block) => ({
      method: block.querySelector(".opblock-summary-method")?.textContent?.trim(),
      path: block.querySelector(".opblock-summary-path")?.getAttribute("data-path"),
    })),
  );
  // Swagger UI lists an operation once under each of its tags.
  const shown = new Set(rendered.map((op) => `${op.method} ${op.path}`));
  const expected = new Set(operations.map((op) => `${op.method} ${op.path}`));
  const missing = [...expected].filter((op) => !shown.has(op));
  const unknown = [...shown].filter((op) => !expected.has(op));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(`/docs is missing ${missing.join(", ") || "nothing"}; shows unknown ${unknown.join(", ") || "nothing"}`);
  }
  const title = await page.textContent(".info .title");
  if (!title?.includes(spec.info.title)) throw new Error(`title shown: ${title}`);
  if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
  console.log(`ok   /docs renders all ${operations.length} operations in headless Chromium`);
} finally {
  await browser.close();
}
