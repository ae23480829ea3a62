// Checks HTML pages in one headless Chromium, for tests/test_browser.py:
//
//   node check.cjs CHROMIUM PAGE.html [PAGE.html ...]
//
// Each page is opened at a phone's width (390 px); axe-core runs every rule it runs by default
// and reports violations of any impact. Prints one JSON object to standard output:
//   {"pages": {"/abs/page.html": {"width": <document scroll width>,
//                                 "violations": [{id, impact, help, nodes}],
//                                 "noAlt": [<src of each img without an alt attribute>]}}}
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const puppeteer = require("puppeteer-core");

const AXE = require.resolve("axe-core/axe.min.js");
const WIDTH = 390;

async function checkPage(page, file) {
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return {
      width: document.documentElement.scrollWidth,
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      })),
      noAlt: [...document.querySelectorAll("img:not([alt])")].map((img) => (img.getAttribute("src") || "").slice(0, 80)),
    };
  });
}

async function main() {
  const [chromium, ...files] = process.argv.slice(2);
  if (!chromium || files.length === 0) {
    throw new Error("usage: node check.cjs CHROMIUM PAGE.html [PAGE.html ...]");
  }
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    // --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"],
  });
  const out = { pages: {} };
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: WIDTH, height: 800 });
    // axe-core goes into every page as it opens: compiled once, not once a page.
    await page.evaluateOnNewDocument(fs.readFileSync(AXE, "utf8"));
    for (const file of files) {
      out.pages[path.resolve(file)] = await checkPage(page, path.resolve(file));
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
