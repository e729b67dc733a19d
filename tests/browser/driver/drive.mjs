// Drives Debian's Chromium through one scenario and prints what the page showed
// as one JSON line; tests/browser/test_browser.py starts the servers and asserts.
//
//   node drive.mjs '{"scenario": "career-site", "pageUrl": ..., "apiUrl": ..., "key": ..., "screenshot": ...}'
//   node drive.mjs '{"scenario": "docs", "docsUrl": ..., "screenshot": ...}'
//   node drive.mjs '{"scenario": "no-script", "pageUrl": ..., "apiUrl": ..., "key": ...}'
//
// career-site also takes "loadAll" (press "Load more" until it is gone),
// "reconnectKey" (connect again with that key afterwards) and "previewAgain"
// (press the thank-you preview a second time).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const TIMEOUT_MS = 15_000;
const options = JSON.parse(process.argv[2]);
const executablePath = options.executablePath || "/usr/bin/chromium";

// The flags this machine needs: no sandbox as root, and no background traffic
// (the network is closed; Chromium would try Google's hosts at every start).
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Clicks and waits until the list is no longer busy (a click sets it busy at once).
async function clickAndSettle(page, button) {
  await button.click();
  // Longer than the page's own 15 s limit on a request, so that limit is seen.
  await page.waitForSelector('#interviews[aria-busy="false"]', { state: "attached", timeout: 25_000 });
}

async function shown(page) {
  return {
    status: await page.locator("#status").innerText(),
    statusIsError: await page.locator("#status.error").count() > 0,
    titles: await page.locator(".interview-title").allInnerTexts(),
    moreVisible: await page.locator("#more-button").isVisible(),
    emptyVisible: await page.locator("#empty").isVisible(),
    focused: await page.evaluate(() => (document.activeElement.tagName + " " + document.activeElement.textContent).slice(0, 60)),
  };
}

async function careerSite(page) {
  await page.goto(options.pageUrl);
  await page.getByLabel("API URL").fill(options.apiUrl);
  await page.getByLabel("API key").fill(options.key);
  await clickAndSettle(page, page.getByRole("button", { name: "Load interviews" }));
  const result = {
    ...(await shown(page)),
    meta: await page.locator(".interview-meta").allInnerTexts(),
    actions: await page.locator(".action-kind").allInnerTexts(),
    reasons: await page.locator(".action-reason").allInnerTexts(),
    previewButtons: await page.locator(".preview-button:visible").allInnerTexts(),
  };
  if (options.loadAll) {
    const more = page.getByRole("button", { name: "Load more" });
    while (await more.isVisible()) await clickAndSettle(page, more);
    result.afterMore = await shown(page);
  }
  if (options.reconnectKey) {
    await page.getByLabel("API key").fill(options.reconnectKey);
    await clickAndSettle(page, page.getByRole("button", { name: "Load interviews" }));
    result.reconnected = await shown(page);
  }
  const thankYou = page.getByRole("button", { name: "Preview thank-you" }).first();
  if (await thankYou.count()) {
    await thankYou.click();
    await page.waitForSelector("#preview:not([hidden]), #status.error");
    result.previewStatus = await page.locator("#status").innerText();
    result.previewTo = await page.locator("#preview-to").innerText();
    result.previewSubject = await page.locator("#preview-subject").innerText();
    result.previewText = await page.locator("#preview-text").innerText();
    if (options.previewAgain) {
      await clickAndSettle(page, thankYou);
      result.secondPreview = { ...(await shown(page)), previewVisible: await page.locator("#preview").isVisible() };
    }
  }
  result.title = await page.title();
  return result;
}

// The form submitted before (or without) its script: what URL does it leave?
async function noScript(page) {
  await page.route("**/followup.js", (route) => route.abort());
  await page.goto(options.pageUrl);
  await page.getByLabel("API URL").fill(options.apiUrl);
  await page.getByLabel("API key").fill(options.key);
  const navigated = page.waitForEvent("framenavigated");
  await page.getByLabel("API key").press("Enter");
  await navigated;
  return { url: page.url() };
}

async function docs(page) {
  await page.goto(options.docsUrl);
  await page.waitForSelector(".swagger-ui .opblock", { timeout: TIMEOUT_MS });
  return {
    title: await page.locator(".swagger-ui .info .title").innerText(),
    paths: await page.locator(".opblock-summary-path").allInnerTexts(),
    // Swagger UI names each operation's block "operations-<tag>-<operationId>".
    operationIds: await page.locator(".opblock").evaluateAll((blocks) => blocks.map((block) => block.id)),
    summaries: await page.locator(".opblock-summary-description").allInnerTexts(),
  };
}

const SCENARIOS = { "career-site": careerSite, "no-script": noScript, docs };

const userDataDir = mkdtempSync(join(tmpdir(), "followup-chromium-"));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ARGS,
    viewport: { width: 1000, height: 800 },
    locale: "en-US",
    timezoneId: "UTC",
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = context.pages()[0] || (await context.newPage());
  const requests = [];
  const consoleErrors = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
  page.on("pageerror", (error) => consoleErrors.push("pageerror: " + error.message));
  const result = await SCENARIOS[options.scenario](page);
  if (options.screenshot) await page.screenshot({ path: options.screenshot, fullPage: true });
  console.log(JSON.stringify({ ok: true, ...result, requests, consoleErrors }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error && error.stack || error) }));
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
