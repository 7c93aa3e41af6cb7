// The officials' pages in a real browser, with JavaScript off and on: filters, the district,
// commune and model pages, chart downloads, search, and axe on every page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useAppAndBrowser } from './server.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');

const app = useAppAndBrowser();

/** Every failed response and console error of a page, for a final assertion. */
function watch(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  return errors;
}

async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const chunks = [];
  for await (const chunk of await file.createReadStream()) chunks.push(chunk);
  return { name: file.suggestedFilename(), body: Buffer.concat(chunks) };
}

test('without JavaScript an official opens a district, a commune and a model', async () => {
  const context = await app.chrome.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(app.server.url + '/?period=2024&model=CQTT');
  // The funnel, adoption and satisfaction by district, and the trend: charts drawn inline
  // by the server, with titles for screen readers.
  assert.equal(await page.locator('figure.chart svg[role=img]').count(), 4);
  await Promise.all([page.waitForURL(/\/districts\/402/), page.click('[data-testid=district-summary] a:text("Như Xuân")')]);
  assert.equal(await page.textContent('h1'), 'Huyện Như Xuân');
  assert.match(page.url(), /period=2024/, 'the filters carry over');
  await Promise.all([page.waitForURL(/\/communes\/402-01/), page.click('[data-testid=district-summary] a:text("Yên Cát")')]);
  assert.equal(await page.textContent('h1'), 'Thị trấn Yên Cát');
  assert.match(await page.textContent('[data-testid=successor]'), /sáp nhập vào/);
  await Promise.all([page.waitForURL(/\/models\/CQTT/), page.click('[data-testid=running] a[href="/models/CQTT"]')]);
  assert.equal(await page.textContent('h1'), 'Chính quyền thân thiện, vì Nhân dân phục vụ');
  assert.match(await page.textContent('[data-testid=change]'), /^-?\d+,\d\d$/);
  await context.close();
});

test('without JavaScript the completeness page lists who has not reported', async () => {
  const context = await app.chrome.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(app.server.url + '/completeness');
  await page.fill('input[name=period]', '2026-11');
  await Promise.all([page.waitForURL(/period=2026-11/), page.click('form.filters button[type=submit]')]);
  const total = await page.textContent('[data-testid=completeness-total]');
  assert.match(total, /\d+ \/ 166/);
  assert.ok((await page.textContent('td.missing')).length > 0, 'some communes have not reported');
  await context.close();
});

test('without JavaScript search finds units without diacritics', async () => {
  const context = await app.chrome.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(app.server.url + '/');
  await page.fill('input[name=q]', 'dong son');
  await Promise.all([page.waitForURL(/search\?q=dong/), page.press('input[name=q]', 'Enter')]);
  assert.ok(await page.locator('[data-testid=search-hits] a:text("Đông Sơn")').count() >= 2, 'the district and the new commune');
  await context.close();
});

test('with JavaScript the filters update the dashboard in place and charts download', async () => {
  const context = await app.chrome.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors = watch(page);
  await page.goto(app.server.url + '/?period=2023&model=CQTT');
  await page.waitForSelector('body[data-hydrated=true]', { timeout: 60_000 });
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.fill('input[name=period]', '2022');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/period=2022/);
  await page.waitForSelector('a[href="/charts/adoption-by-district.csv?period=2022&model=CQTT"]');
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
  // Như Xuân's pilot year: 2 of 16 communes, 98% of 300 ballots.
  const csv = await download(page, 'a[href="/charts/adoption-by-district.csv?period=2022&model=CQTT"]');
  assert.equal(csv.name, 'adoption-by-district-2022.csv');
  assert.match(csv.body.toString('utf8'), /\n402,Như Xuân,16,2,12\.50,300,294,98\.00,95\.71,99\.08\n/);
  const svg = await download(page, 'a[href="/charts/satisfaction-by-district.svg?period=2022&model=CQTT"]');
  assert.match(svg.body.toString('utf8'), /^<svg [^>]*role="img"/);
  assert.match(svg.body.toString('utf8'), /Như Xuân/);
  const png = await download(page, 'a[href="/charts/satisfaction-by-district.png?period=2022&model=CQTT"]');
  assert.deepEqual([...png.body.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG');
  // Into a district and back through the app, without a reload.
  await page.click('[data-testid=district-summary] a:text("Như Xuân")');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Huyện Như Xuân');
  assert.equal(await page.evaluate(() => window.__sameDocument), true);
  // The browser's back button brings the filtered dashboard back, in place too.
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Tổng quan cải cách hành chính');
  assert.match(page.url(), /period=2022/);
  assert.equal(await page.inputValue('input[name=period]'), '2022');
  assert.equal(await page.evaluate(() => window.__sameDocument), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('axe finds no violations on any page, and the README screenshot is current', async () => {
  // The pages' policy refuses injected scripts, axe's too (the other tests run under it).
  const context = await app.chrome.browser.newContext({ viewport: { width: 1200, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  const errors = watch(page);
  for (const path of ['/', '/?period=2024', '/?period=2026-11&sort=rate', '/models', '/models/CQTT', '/communes', '/districts/402?period=2024',
    '/communes/402-01', '/communes/38-001', '/completeness?period=2026-10', '/search?q=nhu+xuan', '/export', '/survey']) {
    await page.goto(app.server.url + path);
    await page.waitForSelector('body[data-hydrated=true]', { timeout: 60_000 });
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
    const violations = result.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    assert.deepEqual(violations, [], path);
  }
  assert.deepEqual(errors, []);
  // Today's shape: the 166 communes of November 2026, the funnel first.
  await page.goto(app.server.url + '/?period=2026-11');
  mkdirSync(docs, { recursive: true });
  await page.screenshot({ path: join(docs, 'dashboard.png'), clip: { x: 0, y: 0, width: 1200, height: 1400 }, fullPage: true });
  await context.close();
});

test("today's dashboard stays short on a desk screen and fits a phone's width", async () => {
  // November 2026: the 166 communes of today's shape. A page of 166 bars, 166 intervals and
  // 166 rows was 19,336 px tall and 231 KB; the funnel, the models' spread and a paged
  // table keep it within about a screenful or five.
  for (const width of [1280, 360]) {
    const context = await app.chrome.browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
    const page = await context.newPage();
    const answer = await page.goto(app.server.url + '/?period=2026-11');
    assert.ok((await answer.body()).length <= 80_000, 'at most ~80 KB of HTML');
    const { height, scrollWidth } = await page.evaluate(() => ({
      height: document.documentElement.scrollHeight,
      scrollWidth: document.documentElement.scrollWidth,
    }));
    assert.ok(scrollWidth <= width, `no horizontal scroll at ${width} px: ${scrollWidth}`);
    if (width === 1280) assert.ok(height <= 5_000, `at most ~5,000 px tall: ${height}`);
    await context.close();
  }
});
