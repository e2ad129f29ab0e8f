// Measures, in headless Chromium, the time from the web app's offer to the
// first video frame of an echo call shown on screen, over several calls.
// Prints {"ok":true,"samples":[ms, ...]} (or an error).
//
// usage: node latency.mjs BASE_URL CALLS
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, callsArg] = process.argv.slice(2);
const calls = Number(callsArg || 10);
const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-chromium-'));
const out = { ok: false, samples: [], phases: [] };
let ctx;
try {
  ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const page = await ctx.newPage();
  await page.goto(base + '/?alias=echo');
  await page.waitForFunction(() => document.getElementById('preview').srcObject, null, { timeout: 10000 });
  for (let i = 0; i < calls; i++) {
    await page.click('#call');
    await page.waitForFunction(() => (window.switchyard.timing.offer && window.switchyard.timing.firstFrame) || window.switchyard.phase === 'failed', null, { timeout: 15000, polling: 10 });
    const t = await page.evaluate(() => window.switchyard.timing);
    if (!t.firstFrame) throw new Error('call ' + i + ' failed: ' + JSON.stringify(await page.evaluate(() => window.switchyard.failure)));
    out.samples.push(t.firstFrame - t.offer);
    out.phases.push({ answer: t.answer - t.offer, connected: t.connected - t.offer });
    await page.click('#hangup');
    await page.waitForFunction(() => window.switchyard.phase === 'ended', null, { timeout: 5000 });
  }
  out.ok = true;
} catch (e) {
  out.error = e.message;
} finally {
  if (ctx) await ctx.close().catch(() => {});
  fs.rmSync(userDir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
