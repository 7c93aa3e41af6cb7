// A commune's staff member on a phone: signs in, enters the month's counts with JavaScript
// off (a plain form post) and on (the rate follows the typing), gets an error, fixes it,
// and edits an entry; axe finds nothing on the sign-in and entry forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { useAppAndBrowser } from './server.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const app = useAppAndBrowser();
const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

async function axe(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function signIn(page, next = '/survey') {
  await page.goto(app.server.url + next);
  await Promise.all([page.waitForURL(/\/login/), page.click('a.button')]);
  await page.fill('input[name=username]', 'demo-staff');
  await page.fill('input[name=password]', app.server.accounts['demo-staff']);
  // With the wasm loaded the form is sent in the background (`nav.js`) and the click does
  // not wait for it: wait for the page that says who is signed in, at the address asked for.
  await page.click('form.login-form button[type=submit]');
  await page.waitForSelector('[data-testid=signed-in]');
  assert.equal(new URL(page.url()).pathname, '/survey');
}

test('with JavaScript off a staff member signs in, gets an error, fixes it and saves', async () => {
  assert.ok(app.server.accounts['demo-staff'], 'the demo printed its staff account');
  const context = await app.chrome.browser.newContext({ ...phone, javaScriptEnabled: false, bypassCSP: true });
  const page = await context.newPage();
  // A wrong password first: one message, the name kept.
  await page.goto(app.server.url + '/login');
  await page.fill('input[name=username]', 'demo-staff');
  await page.fill('input[name=password]', 'not the password');
  await page.click('form.login-form button[type=submit]');
  assert.equal((await page.textContent('#login-error')).trim(), 'Sai tên đăng nhập hoặc mật khẩu.');
  assert.equal(await page.inputValue('input[name=username]'), 'demo-staff');

  await signIn(page);
  assert.match(await page.textContent('[data-testid=signed-in]'), /Công chức xã \(demo\)/);
  assert.match(await page.textContent('.unit-fixed'), /Thanh Hóa 01/, 'the staff member’s own commune, fixed');
  await page.fill('input[name=period]', '2026-12');
  await page.fill('input[name=respondents]', '150');
  await page.fill('input[name=satisfied]', '160');
  await page.click('[data-testid=entry-save]');
  assert.match(await page.textContent('#e-satisfied'), /Số phiếu hài lòng \(160\) lớn hơn số phiếu thu về \(150\)\./);
  assert.equal(await page.inputValue('input[name=respondents]'), '150', 'the values are kept');
  assert.equal(await page.getAttribute('input[name=satisfied]', 'aria-invalid'), 'true');
  // The page fits a phone: no sideways scrolling.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));

  await page.fill('input[name=satisfied]', '139');
  await Promise.all([page.waitForURL(/saved=1/), page.click('[data-testid=entry-save]')]);
  assert.match(await page.textContent('[data-testid=entry-saved]'), /38-001 · 2026-12 · 150 \/ 139 · 92,67 %/);
  await context.close();
});

test('with JavaScript on the rate follows the typing and an entry is edited', async () => {
  const context = await app.chrome.browser.newContext({ ...phone, bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(app.server.url + '/login');
  assert.deepEqual(await axe(page), [], 'the sign-in form');
  await signIn(page);
  await page.goto(app.server.url + '/survey?unit_code=38-001&model_code=&period=2026-11');
  await page.waitForSelector('body[data-hydrated=true]');
  assert.equal(await page.inputValue('input[name=respondents]'), '96', 'the stored values to edit');
  assert.equal(await page.getAttribute('input[name=version]', 'value'), '1');
  await page.fill('input[name=satisfied]', '88');
  assert.equal((await page.textContent('[data-testid=rate-now] output')).trim(), '91,67 %', 'live, before saving');
  await page.fill('input[name=satisfied]', '97');
  assert.equal((await page.textContent('[data-testid=rate-now] output')).trim(), '—', 'more satisfied than ballots: no rate');
  // A refused save comes back as a page with the errors; axe checks that form too.
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.click('[data-testid=entry-save]');
  await page.waitForSelector('#e-satisfied');
  assert.deepEqual(await axe(page), [], 'the entry form with its errors');
  // That page came in place of the other, and its island was hydrated: the rate follows.
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
  await page.fill('input[name=satisfied]', '90');
  assert.equal((await page.textContent('[data-testid=rate-now] output')).trim(), '93,75 %');
  await page.fill('input[name=satisfied]', '88');
  // On a weak connection the save seems to do nothing and gets pressed again: sent once.
  const posts = [];
  await page.route('**/survey', async (route) => {
    if (route.request().method() === 'POST') {
      posts.push(route.request().url());
      await new Promise((r) => setTimeout(r, 500));
    }
    await route.continue();
  });
  await Promise.all([page.waitForURL(/saved=1/), page.dblclick('[data-testid=entry-save]')]);
  await page.unroute('**/survey');
  assert.equal(posts.length, 1, 'one POST for two presses');
  assert.match(await page.textContent('[data-testid=entry-saved]'), /96 \/ 88/);
  // The commune page shows the change, its writer by role: sign-in names are for officials.
  await page.goto(app.server.url + '/communes/38-001');
  const history = await page.textContent('[data-testid=change-history]');
  assert.match(history, /Cán bộ xã[\s\S]*96 \/ 87 → 96 \/ 88/);
  assert.doesNotMatch(history, /demo-staff/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an official records an adoption: an error next to the field, fixed, then in the model’s history', async () => {
  assert.ok(app.server.accounts['demo-official'], 'the demo printed its official account');
  const context = await app.chrome.browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(app.server.url + '/login?next=/edit/adoption%3Fmodel_code%3DTDHT');
  await page.fill('input[name=username]', 'demo-official');
  await page.fill('input[name=password]', app.server.accounts['demo-official']);
  // (The sign-in page's own address names /edit/adoption: wait for the signed-in page.)
  await page.click('form.login-form button[type=submit]');
  await page.waitForSelector('[data-testid=signed-in]');
  assert.equal(new URL(page.url()).pathname, '/edit/adoption');
  await page.waitForSelector('body[data-hydrated=true]');
  assert.equal(await page.inputValue('select[name=model_code]'), 'TDHT', 'the model the link named');
  assert.deepEqual(await axe(page), [], 'the adoption form');
  await page.fill('input[name=unit_code]', '38-001');
  await page.fill('input[name=started_on]', '1/11/2026');
  await page.selectOption('select[name=stage]', 'pilot');
  await page.click('[data-testid=reference-save]');
  await page.waitForSelector('#e-started_on');
  assert.match(await page.textContent('#e-started_on'), /«1\/11\/2026» không phải ngày/);
  assert.equal(await page.inputValue('input[name=unit_code]'), '38-001', 'the values are kept');
  assert.deepEqual(await axe(page), [], 'the adoption form with its errors');
  await page.fill('input[name=started_on]', '2026-11-01');
  await Promise.all([page.waitForURL(/\/models\/TDHT$/), page.click('[data-testid=reference-save]')]);
  assert.match(await page.textContent('[data-testid=model-changes]'), /demo-official · edit · 38-001\/TDHT\/2026-11-01/);
  assert.deepEqual(errors, []);
  await context.close();
});
