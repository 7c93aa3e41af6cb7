// The app in a real browser: without JavaScript every page is complete and its forms
// work; with JavaScript the page hydrates and the language switches in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useAppAndBrowser } from './server.mjs';

const app = useAppAndBrowser();

test('without JavaScript the dashboard shows the demo province', async () => {
  const context = await app.chrome.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(app.server.url + '/');
  assert.equal(await page.textContent('h1'), 'Tổng quan cải cách hành chính');
  // 559 communes under 27 districts until 30 June 2025, then 166 directly under the
  // province: today's shape counts no districts.
  assert.equal(await page.locator('[data-testid=count-districts]').count(), 0);
  assert.equal(await page.textContent('[data-testid=count-communes]'), '725');
  assert.equal(await page.textContent('[data-testid=count-models]'), '8');
  assert.equal(await page.getAttribute('body', 'data-hydrated'), null, 'no wasm ran');
  await context.close();
});

test('without JavaScript the filter form and the language switch still work', async () => {
  const context = await app.chrome.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(app.server.url + '/');
  await page.fill('input[name=period]', '2023');
  await page.selectOption('select[name=model]', 'CQTT');
  await Promise.all([page.waitForURL(/period=2023/), page.click('form.filters button[type=submit]')]);
  assert.match(page.url(), /model=CQTT/);
  // 140 Friendly-government sites by the end of 2023, across the districts' rows.
  const adopting = await page.$$eval('[data-testid=district-summary] tbody tr', (rows) =>
    rows.map((r) => Number(r.children[2].textContent.replace(/\./g, ''))).reduce((a, b) => a + b, 0));
  assert.equal(adopting, 140);
  // A bad period gets its message next to the field.
  await page.fill('input[name=period]', '2023-13');
  await Promise.all([page.waitForURL(/period=2023-13/), page.click('form.filters button[type=submit]')]);
  assert.equal(await page.textContent('#period-error'), 'Kỳ phải có dạng 2024, 2024-Q2 hoặc 2024-05.');
  // The language switch posts, sets the cookie and comes back to the same page.
  await Promise.all([page.waitForURL(/period=2023-13/), page.click('[data-testid=lang-switch]')]);
  assert.equal(await page.textContent('h1'), 'Administrative reform at a glance');
  await context.close();
});

test('with JavaScript the page hydrates and switches language without a reload', async () => {
  const context = await app.chrome.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Hydration mismatches and failed loads show up as console errors.
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(app.server.url + '/');
  await page.waitForSelector('body[data-hydrated=true]', { timeout: 60_000 });
  // A reload would drop this mark: only the wasm can switch language in place.
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.click('[data-testid=lang-switch]');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Administrative reform at a glance');
  assert.equal(await page.evaluate(() => window.__sameDocument), true);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('[data-testid=lang-switch]'), 'Tiếng Việt');
  // The choice persists: the server renders English on the next visit.
  const cookies = await context.cookies();
  assert.equal(cookies.find((c) => c.name === 'lang')?.value, 'en');
  await page.goto(app.server.url + '/models');
  assert.equal(await page.textContent('h1'), 'Models');
  // Client-side navigation keeps the document too.
  await page.waitForSelector('body[data-hydrated=true]');
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.click('nav a[href="/"]');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Administrative reform at a glance');
  assert.equal(await page.evaluate(() => window.__sameDocument), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a reporter downloads the district summary from the export page', async () => {
  const context = await app.chrome.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(app.server.url + '/export');
  await page.waitForSelector('body[data-hydrated=true]', { timeout: 60_000 });
  await page.fill('input[name=period]', '2022');
  await page.selectOption('select[name=model]', 'CQTT');
  await page.selectOption('select[name=format]', 'csv');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('form.filters button[type=submit]')]);
  assert.equal(download.suggestedFilename(), 'district-summary-2022.csv');
  const chunks = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk);
  const csv = Buffer.concat(chunks).toString('utf8');
  assert.ok(csv.startsWith('\ufeffdistrict_code,district_name,communes,communes_adopting,adoption_rate,'));
  // Yên Cát and Bình Lương in the pilot's first year: 294 of 300 satisfied.
  assert.match(csv, /\n402,Như Xuân,16,2,12\.50,300,294,98\.00,95\.71,99\.08\n/);
  await context.close();
});
