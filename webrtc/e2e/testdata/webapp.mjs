// Drives the gateway's web app in headless Chromium and prints what the
// browser saw as one JSON object. The Go test starts the gateway, runs this
// script and asserts on its output.
//
// usage: node webapp.mjs BASE_URL SCREENSHOT.png
//
// Steps: dial echo and wait until frames are decoded and audio energy
// arrives (getStats); press DTMF keys and wait for the echo; hang up; dial
// a mirror of every stream and share the (fake) screen as the presentation
// until it comes back; take a screenshot in that call; hang up; dial an
// alias the gateway refuses and read the error shown.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, shot] = process.argv.slice(2);
if (!base || !shot) {
  console.error('usage: node webapp.mjs BASE_URL SCREENSHOT.png');
  process.exit(2);
}

const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-chromium-'));
const out = { ok: false, steps: [] };
const step = (name, data) => out.steps.push(Object.assign({ name, at: Date.now() }, data || {}));

// poll evaluates fn in the page every interval until it returns a truthy
// value, and returns that value (page.waitForFunction does not await an
// async predicate's result).
async function poll(page, fn, timeout, interval = 250) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await page.evaluate(fn);
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out: ' + fn.toString().slice(0, 80));
    await new Promise((r) => setTimeout(r, interval));
  }
}
let ctx;
try {
  ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      '--auto-accept-this-tab-capture', '--auto-select-desktop-capture-source=Entire screen',
    ],
  });
  const page = await ctx.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(m.type() + ': ' + m.text()));
  page.on('pageerror', (e) => logs.push('pageerror: ' + e.message));
  out.logs = logs;

  // 1. Dial echo.
  await page.goto(base + '/?alias=echo&name=Chromium&autodial=1');
  await page.waitForFunction(() => window.switchyard && (window.switchyard.phase === 'connected' || window.switchyard.phase === 'failed'), null, { timeout: 20000 });
  const phase = await page.evaluate(() => window.switchyard.phase);
  step('dialed', { phase, failure: await page.evaluate(() => window.switchyard.failure) });
  if (phase !== 'connected') throw new Error('the echo call did not connect');

  // 2. Media comes back: frames decoded, audio energy.
  const media = await poll(page, async () => {
    const r = await window.switchyard.pc.getStats();
    const s = { video: null, audio: null, codecs: {}, outbound: {} };
    r.forEach((x) => {
      if (x.type === 'inbound-rtp' && x.kind === 'video' && x.mid === '1') s.video = x;
      if (x.type === 'inbound-rtp' && x.kind === 'audio') s.audio = x;
      if (x.type === 'outbound-rtp') s.outbound[x.kind + x.mid] = x.packetsSent;
    });
    r.forEach((x) => {
      if (x.type === 'codec') s.codecs[x.id] = x.mimeType;
    });
    if (!s.video || !s.audio || s.video.framesDecoded < 30 || !(s.audio.totalAudioEnergy > 0)) return false;
    return {
      framesDecoded: s.video.framesDecoded, frameWidth: s.video.frameWidth, frameHeight: s.video.frameHeight,
      videoCodec: s.codecs[s.video.codecId], audioCodec: s.codecs[s.audio.codecId],
      audioEnergy: s.audio.totalAudioEnergy, audioLevel: s.audio.audioLevel,
      videoPacketsLost: s.video.packetsLost, audioPacketsLost: s.audio.packetsLost,
      outbound: s.outbound,
    };
  }, 20000);
  step('media', media);
  out.timing = await page.evaluate(() => window.switchyard.timing);

  // 3. DTMF through the keypad comes back from the echo.
  await page.click('#keypad-toggle');
  await page.click('#keypad button[data-digit="5"]');
  await page.click('#keypad button[data-digit="#"]');
  await page.waitForFunction(() => window.switchyard.received.dtmf.includes('5#'), null, { timeout: 5000 });
  step('dtmf', { received: await page.evaluate(() => window.switchyard.received.dtmf) });

  // 4. Hang up the echo call.
  await page.click('#hangup');
  await page.waitForFunction(() => window.switchyard.phase === 'ended', null, { timeout: 5000 });
  step('hangup', { status: await page.textContent('#status') });

  // 5. Presentation: call a mirror of every stream, share the (fake)
  // screen as the content track and see it come back beside the video.
  await page.fill('#alias', 'mirror');
  await page.click('#call');
  await page.waitForFunction(() => window.switchyard.phase === 'connected', null, { timeout: 20000 });
  await page.click('#present');
  const presenting = await poll(page, async () => {
    const r = await window.switchyard.pc.getStats();
    const mid = window.switchyard.contentTransceiver.mid;
    let sent = 0, back = 0;
    r.forEach((x) => {
      if (x.type === 'outbound-rtp' && x.mid === mid) sent = x.framesEncoded || 0;
      if (x.type === 'inbound-rtp' && x.mid === mid) back = x.framesDecoded || 0;
    });
    const shown = !document.getElementById('content-tile').classList.contains('hidden');
    return sent > 10 && back > 5 && shown ? { contentMid: mid, framesEncoded: sent, framesDecoded: back } : false;
  }, 15000);
  step('present', presenting);

  // 6. The in-call screenshot, with statistics open.
  await page.click('#stats-toggle');
  await page.waitForFunction(() => document.querySelectorAll('#stats-body tr').length >= 5, null, { timeout: 5000 });
  await new Promise((r) => setTimeout(r, 1500));
  await page.screenshot({ path: shot });
  step('screenshot', { path: shot, statsRows: await page.$$eval('#stats-body tr', (rows) => rows.map((r) => r.innerText)) });
  await page.click('#hangup');
  await page.waitForFunction(() => window.switchyard.phase === 'ended', null, { timeout: 5000 });

  // 7. A refused call shows the cause's user message.
  await page.fill('#alias', 'nowhere');
  await page.click('#call');
  await page.waitForFunction(() => window.switchyard.phase === 'failed', null, { timeout: 10000 });
  step('refused', {
    message: await page.textContent('#error-message'),
    failure: await page.evaluate(() => window.switchyard.failure),
  });
  out.ok = true;
} catch (e) {
  out.error = e.message;
} finally {
  if (ctx) await ctx.close().catch(() => {});
  fs.rmSync(userDir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
