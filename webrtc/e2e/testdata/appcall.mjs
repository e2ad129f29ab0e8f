// Loads the web app in headless Chromium, dials ALIAS and waits until the
// far side's video is decoded (frames) and its audio plays (energy), as
// getStats reports them; then hangs up. Prints one JSON object.
//
// usage: node appcall.mjs BASE_URL ALIAS
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, alias] = process.argv.slice(2);
const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-chromium-'));
const out = { ok: false };
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
  await page.goto(base + '/?autodial=1&name=Chromium&alias=' + encodeURIComponent(alias));
  await page.waitForFunction(() => window.switchyard && ['connected', 'failed'].includes(window.switchyard.phase), null, { timeout: 20000 });
  out.phase = await page.evaluate(() => window.switchyard.phase);
  if (out.phase !== 'connected') throw new Error('call failed: ' + JSON.stringify(await page.evaluate(() => window.switchyard.failure)));
  const end = Date.now() + 20000;
  for (;;) {
    out.media = await page.evaluate(async () => {
      const r = await window.switchyard.pc.getStats();
      const o = { codecs: {} };
      r.forEach((x) => {
        if (x.type === 'inbound-rtp' && (x.mid === '0' || x.mid === '1')) o[x.kind] = x;
        if (x.type === 'codec') o.codecs[x.id] = x.mimeType;
      });
      return {
        framesDecoded: o.video ? o.video.framesDecoded : 0,
        frameWidth: o.video ? o.video.frameWidth : 0,
        videoCodec: o.video ? o.codecs[o.video.codecId] : '',
        audioEnergy: o.audio ? o.audio.totalAudioEnergy : 0,
        audioCodec: o.audio ? o.codecs[o.audio.codecId] : '',
      };
    });
    if (out.media.framesDecoded > 30 && out.media.audioEnergy > 0) break;
    if (Date.now() > end) throw new Error('no far-side media: ' + JSON.stringify(out.media));
    await new Promise((r) => setTimeout(r, 250));
  }
  await page.click('#hangup');
  await page.waitForFunction(() => window.switchyard.phase === 'ended', null, { timeout: 5000 });
  out.ok = true;
} catch (e) {
  out.error = e.message;
} finally {
  if (ctx) await ctx.close().catch(() => {});
  fs.rmSync(userDir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
