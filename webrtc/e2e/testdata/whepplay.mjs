// Chromium as a WHEP player of /whep/ALIAS: waits until the video is
// decoded (frames) and the audio plays (energy), then ends the session
// with DELETE. Prints one JSON object.
//
// usage: node whepplay.mjs BASE_URL ALIAS
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
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const page = await ctx.newPage();
  await page.goto(base + '/');
  out.play = await page.evaluate(async (url) => {
    const pc = new RTCPeerConnection();
    window.pc = pc;
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const v = document.createElement('video');
    v.autoplay = true;
    document.body.appendChild(v);
    const stream = new MediaStream();
    v.srcObject = stream;
    pc.ontrack = (e) => stream.addTrack(e.track);
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
    return { location: resp.headers.get('Location') };
  }, base + '/whep/' + alias);
  const end = Date.now() + 20000;
  for (;;) {
    out.media = await page.evaluate(async () => {
      const r = await window.pc.getStats();
      const o = { codecs: {} };
      r.forEach((x) => {
        if (x.type === 'inbound-rtp') o[x.kind] = x;
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
    if (Date.now() > end) throw new Error('not played: ' + JSON.stringify(out.media));
    await new Promise((r) => setTimeout(r, 250));
  }
  out.deleted = await page.evaluate(async (u) => (await fetch(u, { method: 'DELETE' })).status, base + out.play.location);
  out.ok = true;
} catch (e) {
  out.error = e.message;
} finally {
  if (ctx) await ctx.close().catch(() => {});
  fs.rmSync(userDir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
