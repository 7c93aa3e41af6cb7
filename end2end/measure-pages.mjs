// What a page weighs in a real browser with JavaScript off, for the benchmarks (not a test):
//   node end2end/measure-pages.mjs BASE-URL PATH...
// prints, per path, one tab-separated line: path, the first answer's time in ms (the first
// request for it, so computed unless cached), its HTML in bytes (uncompressed), its height
// at 1280 px, and its height and scroll width at 360 px (a phone).
import { launchBrowser } from './tests/server.mjs';

const [base, ...paths] = process.argv.slice(2);
if (!base || paths.length === 0) {
  console.error('usage: node end2end/measure-pages.mjs BASE-URL PATH...');
  process.exit(2);
}
const chrome = await launchBrowser();
try {
  for (const path of paths) {
    const started = performance.now();
    const answer = await fetch(base + path);
    const html = await answer.text();
    const ms = performance.now() - started;
    if (!answer.ok) throw new Error(`${path}: ${answer.status}`);
    const sizes = {};
    for (const width of [1280, 360]) {
      const context = await chrome.browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(base + path);
      sizes[width] = await page.evaluate(() => ({
        height: document.documentElement.scrollHeight,
        width: document.documentElement.scrollWidth,
      }));
      await context.close();
    }
    const bytes = Buffer.byteLength(html);
    console.log([path, ms.toFixed(0), bytes, sizes[1280].height, sizes[360].height, sizes[360].width].join('\t'));
  }
} finally {
  await chrome.close();
}
