// Switchyard web app: dial an alias, talk, present, hang up.
//
// Signalling is the gateway's JSON API: POST /api/v1/calls with the alias
// and our offer, then the answer and everything else on the call's event
// stream (server-sent events). Candidates trickle to the API; DTMF and chat
// use the data channel when it is open. The call's token is refreshed at a
// third of its lifetime; a call whose page stops refreshing ends.
//
// URL parameters: alias, name, autodial=1, audio=0, video=0,
// codec=h264|vp8 (preferred video codec).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);

  // state is exposed as window.switchyard for people debugging and for
  // automated checks of the app.
  const state = {
    phase: 'idle', // idle | calling | answered | connected | ended | failed
    callId: null,
    token: null,
    pc: null,
    dc: null,
    events: null,
    local: null,
    screen: null,
    contentTransceiver: null,
    refreshTimer: null,
    statsTimer: null,
    lastStats: new Map(),
    failure: null,
    received: { dtmf: '', chat: [] },
    config: null,
    // timing holds performance.now() marks of the last call: offer made,
    // answer applied, ICE connected, first remote video frame shown.
    timing: {},
  };
  window.switchyard = state;

  function setStatus(text, kind) {
    const el = $('status');
    el.textContent = text;
    el.className = 'status' + (kind ? ' ' + kind : '');
  }

  function show(section) {
    for (const id of ['dial', 'incall']) $(id).classList.toggle('hidden', id !== section);
  }

  function showError(message, hint) {
    $('error-message').textContent = message || 'The call failed.';
    $('error-hint').textContent = hint || '';
    $('error').classList.remove('hidden');
  }

  async function api(method, path, body, useToken) {
    const headers = { 'Content-Type': 'application/json' };
    if (useToken && state.token) headers.Authorization = 'Bearer ' + state.token;
    const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    const text = await resp.text();
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = { error: { message: text } }; }
    }
    if (!resp.ok) {
      const err = new Error((data && data.error && data.error.message) || resp.statusText);
      err.failure = data && data.error;
      throw err;
    }
    return data;
  }

  // --- local media -------------------------------------------------------

  async function openMedia() {
    const wantAudio = $('opt-audio').checked;
    const wantVideo = $('opt-video').checked;
    if (state.local) state.local.getTracks().forEach((t) => t.stop());
    state.local = null;
    if (!wantAudio && !wantVideo) {
      $('preview').srcObject = null;
      $('preview-note').textContent = 'Receiving only';
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      $('preview-note').textContent = 'This page needs HTTPS (or localhost) to use the camera and microphone.';
      return;
    }
    try {
      state.local = await navigator.mediaDevices.getUserMedia({
        audio: wantAudio,
        video: wantVideo ? { width: { ideal: 1280 }, height: { ideal: 720 } } : false,
      });
      $('preview').srcObject = state.local;
      $('preview-note').textContent = describeTracks(state.local);
    } catch (e) {
      $('preview-note').textContent = 'No camera or microphone: ' + e.message + '. You can still call and receive.';
    }
  }

  function describeTracks(stream) {
    return stream.getTracks().map((t) => t.kind + ': ' + (t.label || 'on')).join(' · ');
  }

  // --- the call ----------------------------------------------------------

  async function dial(alias) {
    state.timing = {};
    $('error').classList.add('hidden');
    state.failure = null;
    state.received = { dtmf: '', chat: [] };
    $('digits').textContent = '';
    $('chat-log').replaceChildren();
    state.phase = 'calling';
    setStatus('Calling ' + alias + '…');
    $('call').disabled = true;
    try {
      state.config = state.config || await api('GET', '/api/v1/config');
      const pc = new RTCPeerConnection({ iceServers: state.config.ice_servers || [], bundlePolicy: 'max-bundle' });
      state.pc = pc;
      const local = state.local;
      const audioTrack = local && local.getAudioTracks()[0];
      const videoTrack = local && local.getVideoTracks()[0];
      if (audioTrack) pc.addTransceiver(audioTrack, { direction: 'sendrecv', streams: [local] });
      else pc.addTransceiver('audio', { direction: 'recvonly' });
      const video = videoTrack ? pc.addTransceiver(videoTrack, { direction: 'sendrecv', streams: [local] })
        : pc.addTransceiver('video', { direction: 'recvonly' });
      preferCodec(video, params.get('codec'));
      // The presentation: a second video transceiver, idle until we present
      // or the far side does.
      state.contentTransceiver = pc.addTransceiver('video', { direction: 'sendrecv' });
      preferCodec(state.contentTransceiver, params.get('codec'));
      openDataChannel(pc);

      const remote = new MediaStream();
      $('remote').srcObject = remote;
      pc.ontrack = (ev) => {
        if (ev.transceiver === state.contentTransceiver) {
          $('content').srcObject = new MediaStream([ev.track]);
          return;
        }
        remote.addTrack(ev.track);
      };
      const pending = [];
      pc.onicecandidate = (ev) => {
        if (!ev.candidate || !ev.candidate.candidate) return;
        if (state.callId) sendCandidates([ev.candidate.toJSON()]);
        else pending.push(ev.candidate.toJSON());
      };
      pc.oniceconnectionstatechange = () => {
        if (pc.iceConnectionState === 'disconnected') setStatus('Reconnecting…', 'bad');
        if (pc.iceConnectionState === 'connected' && state.phase === 'connected') setStatus('In call', 'ok');
      };

      await pc.setLocalDescription(await pc.createOffer());
      state.timing = { offer: performance.now() };
      watchFirstFrame($('remote'));
      const roles = {};
      roles[state.contentTransceiver.mid] = 'content';
      const created = await api('POST', '/api/v1/calls', {
        alias, name: $('name').value.trim(), sdp: pc.localDescription.sdp, roles,
      });
      state.callId = created.id;
      state.token = created.token;
      listen(created.events + '?token=' + encodeURIComponent(created.token));
      if (created.sdp) applyAnswer(created.sdp);
      if (pending.length) sendCandidates(pending.splice(0));
      scheduleRefresh(created.expires_in);
      $('self').srcObject = local || null;
      show('incall');
    } catch (e) {
      fail(e.failure || { message: e.message });
    }
  }

  // watchFirstFrame records when the first remote video frame is shown.
  function watchFirstFrame(video) {
    const mark = () => { if (!state.timing.firstFrame) state.timing.firstFrame = performance.now(); };
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(mark);
    else video.addEventListener('loadeddata', mark, { once: true });
  }

  function preferCodec(transceiver, name) {
    if (!name || !RTCRtpReceiver.getCapabilities || !transceiver.setCodecPreferences) return;
    const caps = RTCRtpReceiver.getCapabilities('video').codecs;
    const want = 'video/' + name.toLowerCase();
    const first = caps.filter((c) => c.mimeType.toLowerCase() === want);
    if (!first.length) return;
    transceiver.setCodecPreferences(first.concat(caps.filter((c) => c.mimeType.toLowerCase() !== want)));
  }

  function sendCandidates(list) {
    api('POST', '/api/v1/calls/' + state.callId + '/candidates', { candidates: list }, true).catch(() => {});
  }

  function scheduleRefresh(seconds) {
    clearInterval(state.refreshTimer);
    const every = Math.max(3, Math.floor((seconds || 120) / 3)) * 1000;
    state.refreshTimer = setInterval(() => {
      if (!state.callId) return;
      api('POST', '/api/v1/calls/' + state.callId + '/refresh', undefined, true).catch(() => {});
    }, every);
  }

  function listen(url) {
    const es = new EventSource(url);
    state.events = es;
    const data = (ev) => { try { return JSON.parse(ev.data); } catch (e) { return {}; } };
    es.addEventListener('ringing', () => setStatus('Ringing…'));
    es.addEventListener('progress', () => setStatus('Connecting…'));
    es.addEventListener('answer', (ev) => applyAnswer(data(ev).sdp));
    es.addEventListener('connected', () => {
      state.phase = 'connected';
      state.timing.connected = performance.now();
      setStatus('In call', 'ok');
      startStats();
    });
    es.addEventListener('failed', (ev) => { endCall(); fail(data(ev)); });
    es.addEventListener('hangup', (ev) => {
      const f = data(ev);
      endCall();
      state.phase = 'ended';
      show('dial');
      setStatus(f.message || 'The call has ended.');
      if (f.hint) showError(f.message, f.hint);
    });
    es.addEventListener('dtmf', (ev) => onServerMessage(Object.assign({ type: 'dtmf' }, data(ev))));
    es.addEventListener('chat', (ev) => onServerMessage(Object.assign({ type: 'chat' }, data(ev))));
    es.addEventListener('content', (ev) => onServerMessage(Object.assign({ type: 'content' }, data(ev))));
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED && state.callId) setStatus('Lost contact with the gateway', 'bad');
    };
  }

  // applyAnswer takes the answer once, from the create response or the
  // event stream, whichever comes first.
  async function applyAnswer(sdp) {
    if (!state.pc || state.phase !== 'calling') return;
    state.phase = 'answered';
    setStatus('Connecting media…');
    try {
      await state.pc.setRemoteDescription({ type: 'answer', sdp });
      state.timing.answer = performance.now();
    } catch (e) {
      hangup();
      fail({ message: 'The gateway\'s answer was not accepted: ' + e.message });
    }
  }

  function openDataChannel(pc) {
    const dc = pc.createDataChannel('switchyard');
    state.dc = dc;
    dc.onmessage = (ev) => {
      try { onServerMessage(JSON.parse(ev.data)); } catch (e) { /* not ours */ }
    };
  }

  function onServerMessage(m) {
    switch (m.type) {
      case 'dtmf':
        state.received.dtmf += m.digit || '';
        $('digits').textContent = 'Received: ' + state.received.dtmf;
        break;
      case 'chat':
        state.received.chat.push(m.text);
        addChat(m.text, false);
        break;
      case 'content':
        $('content-tile').classList.toggle('hidden', !m.active && !state.screen);
        break;
      case 'hangup':
        break; // the event stream carries the cause
    }
  }

  // send uses the data channel when it is open, else the API.
  function send(message) {
    if (state.dc && state.dc.readyState === 'open') {
      state.dc.send(JSON.stringify(message));
      return Promise.resolve();
    }
    return api('POST', '/api/v1/calls/' + state.callId + '/messages', message, true);
  }

  function hangup() {
    if (state.callId) {
      api('DELETE', '/api/v1/calls/' + state.callId, undefined, true).catch(() => {});
    }
    endCall();
    state.phase = 'ended';
    show('dial');
    setStatus('Call ended');
  }

  function endCall() {
    clearInterval(state.refreshTimer);
    clearInterval(state.statsTimer);
    if (state.events) state.events.close();
    if (state.screen) state.screen.getTracks().forEach((t) => t.stop());
    if (state.pc) state.pc.close();
    state.events = null;
    state.screen = null;
    state.callId = null;
    state.token = null;
    $('call').disabled = false;
    $('content-tile').classList.add('hidden');
    for (const id of ['mute', 'camera', 'present']) $(id).setAttribute('aria-pressed', 'false');
    if (state.local) state.local.getTracks().forEach((t) => { t.enabled = true; });
  }

  function fail(f) {
    state.failure = f || {};
    state.phase = 'failed';
    endCall();
    show('dial');
    setStatus('Call failed', 'bad');
    showError(state.failure.message, state.failure.hint);
  }

  // --- in-call controls -----------------------------------------------

  function toggleTrack(kind, button) {
    if (!state.local) return;
    const tracks = kind === 'audio' ? state.local.getAudioTracks() : state.local.getVideoTracks();
    const off = button.getAttribute('aria-pressed') !== 'true';
    tracks.forEach((t) => { t.enabled = !off; });
    button.setAttribute('aria-pressed', String(off));
  }

  async function togglePresent() {
    const button = $('present');
    const sender = state.contentTransceiver && state.contentTransceiver.sender;
    if (!sender) return;
    if (state.screen) {
      stopPresenting();
      return;
    }
    try {
      state.screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (e) {
      setStatus('Presentation not started: ' + e.message, 'bad');
      return;
    }
    const track = state.screen.getVideoTracks()[0];
    track.onended = stopPresenting;
    await sender.replaceTrack(track);
    $('content').srcObject = state.screen;
    $('content-tile').classList.remove('hidden');
    button.setAttribute('aria-pressed', 'true');
    send({ type: 'content', active: true }).catch(() => {});
  }

  function stopPresenting() {
    const sender = state.contentTransceiver && state.contentTransceiver.sender;
    if (sender) sender.replaceTrack(null).catch(() => {});
    if (state.screen) state.screen.getTracks().forEach((t) => t.stop());
    state.screen = null;
    $('content-tile').classList.add('hidden');
    $('present').setAttribute('aria-pressed', 'false');
    if (state.callId) send({ type: 'content', active: false }).catch(() => {});
  }

  function addChat(text, mine) {
    const li = document.createElement('li');
    li.textContent = (mine ? 'You: ' : 'Them: ') + text;
    if (mine) li.className = 'me';
    $('chat-log').appendChild(li);
    li.scrollIntoView({ block: 'end' });
  }

  function toggle(panelId, button) {
    const hidden = $(panelId).classList.toggle('hidden');
    button.setAttribute('aria-expanded', String(!hidden));
  }

  // --- statistics --------------------------------------------------------

  function startStats() {
    clearInterval(state.statsTimer);
    state.lastStats = new Map();
    state.statsTimer = setInterval(updateStats, 1000);
  }

  async function updateStats() {
    if (!state.pc) return;
    const report = await state.pc.getStats();
    const rows = [];
    let rtt = null;
    report.forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime !== undefined) rtt = s.currentRoundTripTime;
      if (s.type !== 'inbound-rtp' && s.type !== 'outbound-rtp') return;
      const prev = state.lastStats.get(s.id);
      const bytes = s.type === 'inbound-rtp' ? s.bytesReceived : s.bytesSent;
      const kbps = prev ? ((bytes - prev.bytes) * 8) / (s.timestamp - prev.ts) : 0;
      state.lastStats.set(s.id, { bytes, ts: s.timestamp });
      const codec = s.codecId && report.get(s.codecId);
      const name = codec ? codec.mimeType.replace(/^(audio|video)\//, '') : '–';
      let loss = '–';
      if (s.type === 'inbound-rtp' && s.packetsReceived !== undefined) {
        const total = s.packetsReceived + (s.packetsLost || 0);
        loss = total ? ((100 * (s.packetsLost || 0)) / total).toFixed(1) + '%' : '0%';
      }
      let detail = '';
      if (s.kind === 'video') {
        const frames = s.type === 'inbound-rtp' ? s.framesDecoded : s.framesEncoded;
        detail = (s.frameWidth ? s.frameWidth + '×' + s.frameHeight + ' ' : '') + (s.framesPerSecond ? s.framesPerSecond + ' fps ' : '') + (frames !== undefined ? frames + ' frames' : '');
      } else if (s.audioLevel !== undefined) {
        detail = 'level ' + s.audioLevel.toFixed(3);
      } else if (s.totalAudioEnergy !== undefined) {
        detail = 'energy ' + s.totalAudioEnergy.toFixed(4);
      }
      rows.push([(s.type === 'inbound-rtp' ? '↓ ' : '↑ ') + s.kind + (s.mid ? ' (' + s.mid + ')' : ''), name, kbps.toFixed(0), loss, detail]);
    });
    const body = $('stats-body');
    body.replaceChildren(...rows.map((r) => {
      const tr = document.createElement('tr');
      for (const v of r) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.appendChild(td);
      }
      return tr;
    }));
    $('stats-foot').textContent = rtt === null ? '' : 'Round trip ' + Math.round(rtt * 1000) + ' ms';
  }

  // --- wiring ------------------------------------------------------------

  function wire() {
    $('dial-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const alias = $('alias').value.trim();
      if (alias) dial(alias);
    });
    $('opt-audio').addEventListener('change', openMedia);
    $('opt-video').addEventListener('change', openMedia);
    $('hangup').addEventListener('click', hangup);
    $('mute').addEventListener('click', (ev) => toggleTrack('audio', ev.currentTarget));
    $('camera').addEventListener('click', (ev) => toggleTrack('video', ev.currentTarget));
    $('present').addEventListener('click', togglePresent);
    $('keypad-toggle').addEventListener('click', (ev) => toggle('keypad', ev.currentTarget));
    $('chat-toggle').addEventListener('click', (ev) => toggle('chat', ev.currentTarget));
    $('stats-toggle').addEventListener('click', (ev) => toggle('stats', ev.currentTarget));
    $('error-close').addEventListener('click', () => $('error').classList.add('hidden'));
    for (const b of document.querySelectorAll('#keypad button[data-digit]')) {
      b.addEventListener('click', () => {
        const d = b.dataset.digit;
        $('digits').textContent = 'Sent: ' + d;
        send({ type: 'dtmf', digits: d }).catch(() => {});
      });
    }
    $('chat-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = $('chat-text').value.trim();
      if (!text || !state.callId) return;
      send({ type: 'chat', text }).then(() => addChat(text, true)).catch((e) => setStatus('Chat: ' + e.message, 'bad'));
      $('chat-text').value = '';
    });
    window.addEventListener('pagehide', () => {
      if (state.callId && navigator.sendBeacon) {
        navigator.sendBeacon('/api/v1/calls/' + state.callId + '/hangup?token=' + encodeURIComponent(state.token));
      }
    });
  }

  async function start() {
    wire();
    if (params.get('alias')) $('alias').value = params.get('alias');
    if (params.get('name')) $('name').value = params.get('name');
    if (params.get('audio') === '0') $('opt-audio').checked = false;
    if (params.get('video') === '0') $('opt-video').checked = false;
    await openMedia();
    if (params.get('autodial') === '1' && $('alias').value.trim()) dial($('alias').value.trim());
  }

  start();
})();
