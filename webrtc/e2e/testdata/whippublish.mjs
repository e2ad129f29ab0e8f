// Chromium as an independent WHIP publisher: publishes its (fake) camera
// and microphone to /whip/ALIAS for SECONDS, then ends the session with
// DELETE. Prints one JSON object with what Chromium sent.
//
// usage: node whippublish.mjs BASE_URL ALIAS SECONDS
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, alias, seconds] = process.argv.slice(2);
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
    ],
  });
  const page = await ctx.newPage();
  await page.goto(base + '/');
  out.publish = await page.evaluate(async (url) => {
    const pc = new RTCPeerConnection();
    window.pc = pc;
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
    for (const t of media.getTracks()) pc.addTransceiver(t, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => {
      if (pc.iceGatheringState === 'complete') return r();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
      setTimeout(r, 2000);
    });
    const resp = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
    const body = await resp.text();
    if (resp.status !== 201) throw new Error('POST ' + url + ': ' + resp.status + ' ' + body);
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    return { location: resp.headers.get('Location'), answer: body };
  }, base + '/whip/' + alias);
  await new Promise((r) => setTimeout(r, Number(seconds || 5) * 1000));
  out.sent = await page.evaluate(async () => {
    const r = await window.pc.getStats();
    const s = {};
    r.forEach((x) => { if (x.type === 'outbound-rtp') s[x.kind] = x.packetsSent; });
    return s;
  });
  out.deleted = await page.evaluate(async (u) => (await fetch(u, { method: 'DELETE' })).status, base + out.publish.location);
  out.ok = true;
} catch (e) {
  out.error = e.message;
} finally {
  if (ctx) await ctx.close().catch(() => {});
  fs.rmSync(userDir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
