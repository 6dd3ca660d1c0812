// Chromium's RTCPeerConnection standing in for Telegram's SFU (group-call.md §2-§4): it makes the
// offer (so it is ICE controlling, as the SFU is), is given no client candidates and learns the
// client from its first check. Driven over the DevTools protocol by ChromiumSfu.java.
(() => {
  const sfu = {};
  window.sfu = sfu;

  // toneHz > 0: the SFU also forwards a participant speaking, a sine of that frequency;
  // video: the SFU also receives the client's camera (a second, bundled m-section)
  sfu.offer = async (toneHz, video) => {
    // Chromium lists non-default interfaces, loopback among them, only once the page holds the
    // media permission (granted by --use-fake-ui-for-media-stream)
    const media = await navigator.mediaDevices.getUserMedia({audio: true});
    media.getTracks().forEach((t) => t.stop());
    const pc = new RTCPeerConnection({});
    sfu.pc = pc;
    if (toneHz > 0) {
      const ctx = new AudioContext({sampleRate: 48000});
      await ctx.resume();
      const oscillator = ctx.createOscillator();
      oscillator.frequency.value = toneHz;
      const gain = ctx.createGain();
      gain.gain.value = 0.25;
      const destination = ctx.createMediaStreamDestination();
      oscillator.connect(gain).connect(destination);
      oscillator.start();
      sfu.toneContext = ctx;
      const track = destination.stream.getAudioTracks()[0];
      pc.addTransceiver(track, {direction: 'sendrecv', streams: [destination.stream]});
    } else {
      pc.addTransceiver('audio', {direction: 'recvonly'});
    }
    if (video) {
      pc.addTransceiver('video', {direction: 'recvonly'});
    }
    pc.ontrack = (e) => {
      if (e.track.kind === 'video') {
        // decoded frames need a sink: a playing (muted) video element
        sfu.video = document.createElement('video');
        sfu.video.muted = true;
        sfu.video.autoplay = true;
        sfu.video.playsInline = true;
        sfu.video.srcObject = new MediaStream([e.track]);
        document.body.appendChild(sfu.video);
        sfu.video.play().catch(() => {});
        return;
      }
      sfu.stream = e.streams && e.streams[0] ? e.streams[0] : new MediaStream([e.track]);
      // Chromium feeds a remote track to Web Audio only while a media element plays it
      sfu.element = new Audio();
      sfu.element.srcObject = sfu.stream;
      sfu.element.muted = true;
      sfu.element.play().catch(() => {});
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') {
        resolve();
        return;
      }
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') resolve();
      });
      setTimeout(resolve, 5000);
    });
    return pc.localDescription.sdp;
  };

  sfu.answer = async (sdp) => {
    await sfu.pc.setRemoteDescription({type: 'answer', sdp});
    return sfu.pc.signalingState;
  };

  sfu.state = () => sfu.pc.connectionState;

  // Records the received audio for `seconds` as 16-bit mono PCM at 48 kHz, base64.
  sfu.record = async (seconds) => {
    const ctx = new AudioContext({sampleRate: 48000});
    await ctx.resume();
    const source = ctx.createMediaStreamSource(sfu.stream);
    const processor = ctx.createScriptProcessor(4096, 1, 1);
    const chunks = [];
    processor.onaudioprocess = (e) => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
    source.connect(processor);
    processor.connect(ctx.destination);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    processor.disconnect();
    source.disconnect();
    const contextState = ctx.state;
    await ctx.close();
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const pcm = new Int16Array(total);
    let at = 0;
    for (const c of chunks) {
      for (let i = 0; i < c.length; i++) {
        pcm[at++] = Math.max(-32768, Math.min(32767, Math.round(c[i] * 32767)));
      }
    }
    const bytes = new Uint8Array(pcm.buffer);
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return JSON.stringify({contextState, pcm: btoa(text)});
  };

  // Every RTCStats object of the connection, as a JSON array.
  sfu.stats = async () => {
    const all = [];
    (await sfu.pc.getStats()).forEach((s) => all.push(s));
    return JSON.stringify(all);
  };

  sfu.close = () => sfu.pc && sfu.pc.close();

  // The SSRC Chromium sends on, or 0.
  sfu.sendingSsrc = async () => {
    let ssrc = 0;
    (await sfu.pc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp') ssrc = s.ssrc;
    });
    return String(ssrc);
  };
})();
