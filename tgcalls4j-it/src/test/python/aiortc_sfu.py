#!/usr/bin/env python3
"""aiortc standing in for Telegram's SFU, for tgcalls4j's interop tests.

Reads tgcalls4j's join JSON (phone.joinGroupCall params, group-call.md §2), answers it in the shape
of updateGroupCallConnection.params (§3), receives the audio over aiortc's ICE/DTLS/SRTP stack,
records it to a WAV file and writes what it saw to a stats JSON file.

aiortc is the ICE controlling side (it makes the offer), as the SFU is; like the SFU it is given no
client candidates and learns the client from its first connectivity check (peer-reflexive).
"""
import argparse
import asyncio
import json
import os
import sys
import time

import fractions
import math

import aioice.ice
import av
import numpy
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRecorder
from aiortc.mediastreams import AudioStreamTrack

# Gather on loopback only: tests must not send traffic anywhere else.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

_original_connect = aioice.ice.Connection.connect


async def _connect_after_first_check(self):
    """The SFU has no client candidates: start checking once the client's first check arrived."""
    deadline = time.monotonic() + 30
    while not self._early_checks and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await _original_connect(self)


aioice.ice.Connection.connect = _connect_after_first_check


class ToneTrack(AudioStreamTrack):
    """A participant speaking: a continuous sine, 20 ms frames of 48 kHz mono s16 in real time."""

    def __init__(self, frequency):
        super().__init__()
        self.frequency = frequency
        self.samples = 0
        self.start = None

    async def recv(self):
        rate, n = 48000, 960
        if self.start is None:
            self.start = time.time()
        else:
            wait = self.start + self.samples / rate - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
        t = (numpy.arange(n) + self.samples) / rate
        pcm = (0.25 * 32767 * numpy.sin(2 * math.pi * self.frequency * t)).astype(numpy.int16)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        frame.pts = self.samples
        frame.time_base = fractions.Fraction(1, rate)
        self.samples += n
        return frame


def wait_for_file(path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path, encoding="utf-8") as f:
                return f.read()
        time.sleep(0.05)
    raise SystemExit("no join JSON appeared in %s" % path)


def sections(sdp_text):
    """The offer's m-sections, each as its list of lines (the session part dropped)."""
    result = []
    for line in sdp_text.splitlines():
        if line.startswith("m="):
            result.append([line])
        elif result:
            result[-1].append(line)
    return result


def answer_sdp(join, offer_sdp):
    """The client's side as SDP, built from the join JSON (what the SFU learns from it).

    The first m-section carries the client's audio (sendrecv when aiortc sends there too); further
    ones (aiortc's extra tone senders) are receive-only for the client, all in one BUNDLE.
    """
    fp = join["fingerprints"][0]
    ssrc = join["ssrc"] & 0xFFFFFFFF
    mids = []
    media = []
    for i, sec in enumerate(sections(offer_sdp)):
        mid = next(l.split(":", 1)[1] for l in sec if l.startswith("a=mid:"))
        opus = next(l.split(":", 1)[1].split()[0] for l in sec
                    if l.startswith("a=rtpmap:") and "opus/48000" in l.lower())
        offered = next((l[2:] for l in sec if l[2:] in ("sendrecv", "sendonly", "recvonly")), "recvonly")
        direction = {"sendrecv": "sendrecv", "sendonly": "recvonly", "recvonly": "sendonly"}[offered]
        mids.append(mid)
        media += [
            "m=audio 9 UDP/TLS/RTP/SAVPF %s" % opus, "c=IN IP4 0.0.0.0", "a=mid:%s" % mid,
            "a=ice-ufrag:%s" % join["ufrag"], "a=ice-pwd:%s" % join["pwd"],
            "a=fingerprint:%s %s" % (fp["hash"], fp["fingerprint"]), "a=setup:%s" % fp["setup"],
            "a=%s" % direction, "a=rtcp-mux", "a=rtpmap:%s opus/48000/2" % opus,
        ]
        if i == 0:
            media.append("a=ssrc:%d cname:tgcalls4j" % ssrc)
    lines = ["v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0",
             "a=group:BUNDLE %s" % " ".join(mids)] + media
    return "\r\n".join(lines) + "\r\n"


def answer_json(offer_sdp):
    """aiortc's offer in updateGroupCallConnection.params shape: every candidate value a string.

    Only the first m-section counts: it is the BUNDLE transport."""
    attrs = [l[2:] for l in sections(offer_sdp)[0] if l.startswith("a=")]
    value = lambda name: next(a.split(":", 1)[1] for a in attrs if a.startswith(name + ":"))
    candidates = []
    for i, a in enumerate(a for a in attrs if a.startswith("candidate:")):
        f = a[len("candidate:"):].split()
        candidates.append({
            "generation": "0", "component": f[1], "protocol": f[2].lower(), "port": f[5],
            "ip": f[4], "foundation": f[0], "id": "c%d" % i, "priority": f[3], "type": f[7],
            "network": "0"})
    fp_hash, fp_value = value("fingerprint").split(" ", 1)
    payload_types = []
    for a in attrs:
        if a.startswith("rtpmap:"):
            pt, codec = a[len("rtpmap:"):].split(" ", 1)
            parts = codec.split("/")
            entry = {"id": int(pt), "name": parts[0], "clockrate": int(parts[1])}
            if len(parts) > 2:
                entry["channels"] = int(parts[2])
            entry["parameters"] = {}
            payload_types.append(entry)
    extensions = []
    for a in attrs:
        if a.startswith("extmap:"):
            ext_id, uri = a[len("extmap:"):].split(" ", 1)
            extensions.append({"id": int(ext_id.split("/")[0]), "uri": uri.strip()})
    return {
        "transport": {
            "ufrag": value("ice-ufrag"), "pwd": value("ice-pwd"),
            "fingerprints": [{"hash": fp_hash, "fingerprint": fp_value, "setup": "active"}],
            "candidates": candidates, "xmlns": "urn:xmpp:jingle:transports:ice-udp:1",
            "rtcp-mux": True},
        "audio": {"payload-types": payload_types, "rtp-hdrexts": extensions},
    }


async def run(args):
    join = json.loads(wait_for_file(args.join, args.timeout))
    pc = RTCPeerConnection()
    recorder = MediaRecorder(args.wav)
    received = {}

    @pc.on("track")
    def on_track(track):
        recorder.addTrack(track)
        received["receiver"] = next(t.receiver for t in pc.getTransceivers() if t.receiver.track is track)

    tones = [float(f) for f in args.send_tones.split(",")] if args.send_tones else []
    senders = []
    for i, frequency in enumerate(tones):
        # the first carries the client's audio back as well
        t = pc.addTransceiver(ToneTrack(frequency), direction="sendrecv" if i == 0 else "sendonly")
        senders.append((t.sender, frequency))
    if not tones:
        pc.addTransceiver("audio", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    offer = pc.localDescription.sdp
    await pc.setRemoteDescription(RTCSessionDescription(answer_sdp(join, offer), "answer"))
    await recorder.start()
    if args.senders:
        with open(args.senders + ".tmp", "w", encoding="utf-8") as f:
            json.dump({str(sender._ssrc): frequency for sender, frequency in senders}, f)
        os.replace(args.senders + ".tmp", args.senders)
    tmp = args.answer + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(answer_json(offer), f)
    os.replace(tmp, args.answer)

    deadline = time.monotonic() + args.timeout
    while pc.connectionState != "connected" and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    connected = pc.connectionState == "connected"
    if connected:
        await asyncio.sleep(args.seconds)
    stats = {"connected": connected, "ssrcs": [], "packetsReceived": 0, "packetsLost": 0, "jitter": 0}
    receiver = received.get("receiver")
    if receiver is not None:
        stats["ssrcs"] = [s.source for s in receiver.getSynchronizationSources()]
        for s in (await receiver.getStats()).values():
            if s.type == "inbound-rtp":
                stats["packetsReceived"] = s.packetsReceived
                stats["packetsLost"] = s.packetsLost
                stats["jitter"] = s.jitter
    await recorder.stop()
    await pc.close()
    with open(args.stats, "w", encoding="utf-8") as f:
        json.dump(stats, f)
    return 0 if connected else 1


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--join", required=True, help="file the join JSON appears in")
    p.add_argument("--answer", required=True, help="file to write the answer JSON to")
    p.add_argument("--wav", required=True, help="where to record the received audio")
    p.add_argument("--stats", required=True, help="where to write what was received, as JSON")
    p.add_argument("--seconds", type=float, default=4, help="how long to record once connected")
    p.add_argument("--send-tones", default="", help="comma-separated Hz: one Opus track each")
    p.add_argument("--senders", default="", help="where to write {ssrc: Hz} of the tone tracks")
    p.add_argument("--timeout", type=float, default=30, help="seconds to wait for join/connect")
    sys.exit(asyncio.run(run(p.parse_args())))


if __name__ == "__main__":
    main()
