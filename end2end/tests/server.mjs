// Starts the real reformdash binary on a fresh SQLite file and a random port, and a
// headless Debian Chromium that the tests drive.
import { spawn, spawnSync } from 'node:child_process';
import { after, before } from 'node:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// `importFrom`: a folder of the import format loaded with `reformdash import` first (the
// server then finds units and models, and loads no demo).
export async function startServer({ importFrom } = {}) {
  const bin = process.env.REFORMDASH_BIN;
  const site = process.env.LEPTOS_SITE_ROOT;
  if (!bin || !site) throw new Error('REFORMDASH_BIN and LEPTOS_SITE_ROOT must be set (run `make test`)');
  const dir = mkdtempSync(join(tmpdir(), 'reformdash-e2e-'));
  const database = `sqlite://${dir}/e2e.db`;
  if (importFrom) {
    for (const args of [['migrate'], ['import', importFrom]]) {
      const run = spawnSync(bin, ['--database-url', database, ...args], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`reformdash ${args[0]} failed: ${run.stderr}`);
    }
  }
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--site-root', site], {
    env: { ...process.env, DATABASE_URL: database, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/serving (http:\/\/[0-9.:]+)/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000).unref();
  });
  // The demo's accounts: their passwords are in a file beside the database (readable by
  // this user alone), never in the server's output.
  const accounts = {};
  if (!importFrom) {
    const file = readFileSync(join(dir, 'e2e-demo-accounts.txt'), 'utf8');
    for (const m of file.matchAll(/^\s+(demo-\w+)\s+\w+\s+\S+\s+password: (\S+)$/gm)) accounts[m[1]] = m[2];
  }
  return {
    url,
    accounts,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Playwright gives each launch a fresh, empty profile of its own.
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

// One server and one browser for a test file, started before its first test and stopped
// after its last: `const app = useAppAndBrowser();` then `app.server.url`, `app.chrome.browser`.
export function useAppAndBrowser(options) {
  const app = {};
  before(async () => {
    app.server = await startServer(options);
    app.chrome = await launchBrowser();
  });
  after(async () => {
    await app.chrome?.close();
    await app.server?.stop();
  });
  return app;
}
