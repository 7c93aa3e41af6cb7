// A national deployment in a real browser: a database of two provinces
// (server/tests/fixtures/country) is compared by province, and a province opens on its
// districts, with JavaScript off and on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useAppAndBrowser } from './server.mjs';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'server', 'tests', 'fixtures', 'country');
const app = useAppAndBrowser({ importFrom: fixture });

const rowNames = (page) =>
  page.$$eval('[data-testid=district-summary] tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));

test('without JavaScript the country is compared by province and a province opens on its districts', async () => {
  const context = await app.chrome.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(app.server.url + '/?period=2024');
  // The table lists the provinces by name, in Vietnamese order, until asked otherwise.
  assert.deepEqual(await rowNames(page), ['Nghệ An', 'Thanh Hóa']);
  assert.equal(await page.textContent('[data-testid=card-ballots]'), '380');
  await Promise.all([page.waitForURL(/province=P2/), page.click('[data-testid=district-summary] a:text("Nghệ An")')]);
  assert.deepEqual(await rowNames(page), ['Quế Phong']);
  assert.equal(await page.textContent('[data-testid=card-ballots]'), '210');
  // Back to the whole country through the form's menu.
  await page.selectOption('select[name=province]', '');
  await Promise.all([page.waitForURL((u) => !u.search.includes('province=P2')), page.click('form.filters button[type=submit]')]);
  // The table lists the provinces by name, in Vietnamese order, until asked otherwise.
  assert.deepEqual(await rowNames(page), ['Nghệ An', 'Thanh Hóa']);
  await context.close();
});

test('with JavaScript the province menu updates the dashboard in place', async () => {
  const context = await app.chrome.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(app.server.url + '/?period=2024');
  await page.waitForSelector('body[data-hydrated=true]', { timeout: 60_000 });
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.selectOption('select[name=province]', 'P1');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/province=P1/);
  await page.waitForFunction(() => document.querySelector('[data-testid=card-ballots]')?.textContent === '170');
  assert.deepEqual(await rowNames(page), ['Đông Sơn', 'Như Xuân']);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
  assert.deepEqual(errors, []);
  await context.close();
});
