// Headless Chromium calls ALIAS through the gateway's signalling API with
// an Opus-only microphone (no G.711 offered, so a G.711 callee needs the
// gateway to transcode), and waits until the far side's audio plays with
// energy (getStats). Prints one JSON object.
//
// usage: node opuscall.mjs BASE_URL ALIAS
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
  await page.goto(base + '/');
  out.call = await page.evaluate(async (alias) => {
    const pc = new RTCPeerConnection();
    window.pc = pc;
    const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
    const tr = pc.addTransceiver(mic.getAudioTracks()[0], { direction: 'sendrecv' });
    const opus = RTCRtpReceiver.getCapabilities('audio').codecs.filter((c) => /opus|telephone-event/i.test(c.mimeType));
    tr.setCodecPreferences(opus);
    const player = new Audio();
    player.autoplay = true;
    pc.ontrack = (e) => { player.srcObject = new MediaStream([e.track]); };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => {
      if (pc.iceGatheringState === 'complete') return r();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
      setTimeout(r, 2000);
    });
    const resp = await fetch('/api/v1/calls', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ alias, sdp: pc.localDescription.sdp, name: 'Chromium' }),
    });
    const created = await resp.json();
    if (resp.status !== 201) throw new Error('create call: ' + resp.status + ' ' + JSON.stringify(created));
    let sdp = created.sdp;
    if (!sdp) {
      sdp = await new Promise((resolve, reject) => {
        const es = new EventSource(created.events + '?token=' + encodeURIComponent(created.token));
        es.addEventListener('answer', (e) => { es.close(); resolve(JSON.parse(e.data).sdp); });
        es.addEventListener('failed', (e) => { es.close(); reject(new Error(e.data)); });
      });
    }
    await pc.setRemoteDescription({ type: 'answer', sdp });
    window.call = created;
    return { id: created.id, offeredAudio: pc.localDescription.sdp.match(/m=audio[^\r\n]*/)[0] };
  }, alias);

  const end = Date.now() + 20000;
  for (;;) {
    const s = await page.evaluate(async () => {
      const r = await window.pc.getStats();
      let inb = null;
      const codecs = {};
      r.forEach((x) => {
        if (x.type === 'inbound-rtp' && x.kind === 'audio') inb = x;
        if (x.type === 'codec') codecs[x.id] = x.mimeType;
      });
      return inb ? { packets: inb.packetsReceived, energy: inb.totalAudioEnergy, codec: codecs[inb.codecId] } : null;
    });
    out.audio = s;
    if (s && s.packets > 100 && s.energy > 0) break;
    if (Date.now() > end) throw new Error('no audio came back: ' + JSON.stringify(s));
    await new Promise((r) => setTimeout(r, 250));
  }
  out.hangup = await page.evaluate(async () => (await fetch('/api/v1/calls/' + window.call.id, {
    method: 'DELETE', headers: { Authorization: 'Bearer ' + window.call.token },
  })).status);
  out.ok = true;
} catch (e) {
  out.error = e.message;
} finally {
  if (ctx) await ctx.close().catch(() => {});
  fs.rmSync(userDir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
