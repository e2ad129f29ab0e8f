// Chromium as an independent WHIP publisher and WHEP player: one page
// publishes its (fake) camera and microphone to /whip/ALIAS, a second page
// plays /whep/ALIAS until frames are decoded and audio energy arrives
// (getStats). Prints one JSON object.
//
// usage: node whipwhep.mjs BASE_URL ALIAS
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, alias] = process.argv.slice(2);
const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-chromium-'));
const out = { ok: false };
let ctx;

// whip runs in a page: publish (send only) or play (receive only) through
// a WHIP/WHEP endpoint, non-trickle, and return the resource URL.
async function whip({ url, publish }) {
  const pc = new RTCPeerConnection();
  window.pc = pc;
  if (publish) {
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
    for (const t of media.getTracks()) pc.addTransceiver(t, { direction: 'sendonly' });
  } else {
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const v = document.createElement('video');
    v.autoplay = true;
    v.muted = false; // audio must play out for its energy to count
    document.body.appendChild(v);
    const stream = new MediaStream();
    v.srcObject = stream;
    pc.ontrack = (e) => stream.addTrack(e.track);
  }
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
  return { location: resp.headers.get('Location'), etag: resp.headers.get('ETag') };
}

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
  const publisher = await ctx.newPage();
  await publisher.goto(base + '/');
  out.publish = await publisher.evaluate(whip, { url: base + '/whip/' + alias, publish: true });

  const player = await ctx.newPage();
  await player.goto(base + '/');
  out.play = await player.evaluate(whip, { url: base + '/whep/' + alias, publish: false });

  const end = Date.now() + 20000;
  for (;;) {
    const s = await player.evaluate(async () => {
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
        pliCount: o.video ? o.video.pliCount : 0,
      };
    });
    out.player = s;
    if (s.framesDecoded > 30 && s.audioEnergy > 0) break;
    if (Date.now() > end) throw new Error('the player did not decode the publisher: ' + JSON.stringify(s));
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const [page, res] of [[player, out.play], [publisher, out.publish]]) {
    out[res === out.play ? 'playDelete' : 'publishDelete'] = await page.evaluate(async (u) => (await fetch(u, { method: 'DELETE' })).status, base + res.location);
  }
  out.ok = true;
} catch (e) {
  out.error = e.message;
} finally {
  if (ctx) await ctx.close().catch(() => {});
  fs.rmSync(userDir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
