#!/usr/bin/env python3
"""aiortc standing in for Telegram's SFU, for tgcalls4j's interop tests.

Reads tgcalls4j's join JSON (phone.joinGroupCall params, group-call.md §2), answers it in the shape
of updateGroupCallConnection.params (§3), receives the audio over aiortc's ICE/DTLS/SRTP stack,
records it to a WAV file and writes what it saw to a stats JSON file. With --video it also
receives the client's camera (VP8 on the FID pair of the join's ssrc-groups, group-call.md §5.3),
decodes every frame with aiortc's own libvpx decoder and writes, for both tracks, what each
decoded frame held and every RTCP sender report to a timeline JSON file, from which the test maps
content (beep onsets, white frames) to NTP time itself: aiortc keeps sender reports only for its
receiver reports (LSR/DLSR) and hands out frames with RTP timestamps counted from the track's
first frame, so it does no lip sync of its own.

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
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtp import RtcpSrPacket

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

# Every RTCP sender report any receiver is given: (kind, ssrc, NTP, RTP, arrival wall time)
SENDER_REPORTS = []
_original_handle_rtcp = RTCRtpReceiver._handle_rtcp_packet


async def _handle_rtcp_recording_reports(self, packet):
    if isinstance(packet, RtcpSrPacket):
        info = packet.sender_info
        SENDER_REPORTS.append({
            "kind": self._RTCRtpReceiver__kind, "ssrc": packet.ssrc,
            "ntpSeconds": info.ntp_timestamp >> 32, "ntpFraction": info.ntp_timestamp & 0xFFFFFFFF,
            "rtp": info.rtp_timestamp, "arrival": time.time()})
    await _original_handle_rtcp(self, packet)


RTCRtpReceiver._handle_rtcp_packet = _handle_rtcp_recording_reports

# a sample at least this loud (of 32767) starts a beep
ONSET_LEVEL = 3000


def rtp_timestamp(receiver, frame):
    """The frame's RTP timestamp as sent: aiortc counts pts from the track's first frame."""
    origin = receiver._RTCRtpReceiver__timestamp_mapper._origin
    return (frame.pts + origin) & 0xFFFFFFFF


class AudioTap(MediaStreamTrack):
    """Hands the received audio on to the recorder, noting each frame's RTP time and level."""
    kind = "audio"

    def __init__(self, track, receiver, frames):
        super().__init__()
        self.track = track
        self.receiver = receiver
        self.frames = frames

    async def recv(self):
        frame = await self.track.recv()
        left = numpy.abs(frame.to_ndarray().reshape(-1)[0::2].astype(numpy.int32))
        loud = numpy.flatnonzero(left >= ONSET_LEVEL)
        self.frames.append({
            "rtp": rtp_timestamp(self.receiver, frame), "samples": frame.samples,
            "peak": int(left.max()) if left.size else 0,
            "onset": int(loud[0]) if loud.size else -1, "arrival": time.time()})
        return frame


async def consume_video(track, receiver, frames, seen):
    """Reads every decoded frame: its RTP time, size and mean luma (0..255)."""
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        luma = frame.to_ndarray(format="gray")  # the Y plane of aiortc's I420 frames
        seen["frames"] += 1
        seen["width"], seen["height"] = frame.width, frame.height
        frames.append({
            "rtp": rtp_timestamp(receiver, frame), "width": frame.width, "height": frame.height,
            "luma": float(luma.mean()), "arrival": time.time()})


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
    audio_index = 0
    for sec in sections(offer_sdp):
        mid = next(l.split(":", 1)[1] for l in sec if l.startswith("a=mid:"))
        if sec[0].startswith("m=video"):
            mids.append(mid)
            media += video_answer(join, sec, mid)
            continue
        i = audio_index
        audio_index += 1
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


def video_answer(join, sec, mid):
    """The client's camera as aiortc must see it: VP8 and its RTX (aiortc's payload types, which
    the client takes from the answer JSON) and the join's FID pair, sendonly. The RTP header
    extensions are left out on purpose: aiortc's offer gives audio-level and abs-send-time the
    same id in one BUNDLE, and its single extension map would then parse the client's one-byte
    audio level as a three-byte abs-send-time and fail on every audio packet."""
    fp = join["fingerprints"][0]
    vp8 = next(l[len("a=rtpmap:"):].split()[0] for l in sec
               if l.startswith("a=rtpmap:") and " VP8/90000" in l)
    rtx = next(l[len("a=fmtp:"):].split()[0] for l in sec
               if l.startswith("a=fmtp:") and l.endswith(" apt=%s" % vp8))
    fid = next(g["sources"] for g in join.get("ssrc-groups", []) if g["semantics"] == "FID")
    video, retransmission = fid[0] & 0xFFFFFFFF, fid[1] & 0xFFFFFFFF
    return [
        "m=video 9 UDP/TLS/RTP/SAVPF %s %s" % (vp8, rtx), "c=IN IP4 0.0.0.0", "a=mid:%s" % mid,
        "a=ice-ufrag:%s" % join["ufrag"], "a=ice-pwd:%s" % join["pwd"],
        "a=fingerprint:%s %s" % (fp["hash"], fp["fingerprint"]), "a=setup:%s" % fp["setup"],
        "a=sendonly", "a=rtcp-mux", "a=rtpmap:%s VP8/90000" % vp8,
        "a=rtcp-fb:%s nack" % vp8, "a=rtcp-fb:%s nack pli" % vp8,
        "a=rtpmap:%s rtx/90000" % rtx, "a=fmtp:%s apt=%s" % (rtx, vp8),
        "a=ssrc-group:FID %d %d" % (video, retransmission),
        "a=ssrc:%d cname:tgcalls4j" % video, "a=ssrc:%d cname:tgcalls4j" % retransmission,
    ]


def media_json(attrs):
    """One m-section's codecs (fmtp parameters as strings) and header extensions, in the answer's
    payload-types / rtp-hdrexts shape."""
    payload_types = []
    for a in attrs:
        if a.startswith("rtpmap:"):
            pt, codec = a[len("rtpmap:"):].split(" ", 1)
            parts = codec.split("/")
            entry = {"id": int(pt), "name": parts[0], "clockrate": int(parts[1])}
            if len(parts) > 2:
                entry["channels"] = int(parts[2])
            parameters = {}
            for f in attrs:
                if f.startswith("fmtp:%s " % pt):
                    for kv in f.split(" ", 1)[1].split(";"):
                        if "=" in kv:
                            k, v = kv.strip().split("=", 1)
                            parameters[k] = v
            entry["parameters"] = parameters
            payload_types.append(entry)
    extensions = []
    for a in attrs:
        if a.startswith("extmap:"):
            ext_id, uri = a[len("extmap:"):].split(" ", 1)
            extensions.append({"id": int(ext_id.split("/")[0]), "uri": uri.strip()})
    return {"payload-types": payload_types, "rtp-hdrexts": extensions}


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
    answer = {
        "transport": {
            "ufrag": value("ice-ufrag"), "pwd": value("ice-pwd"),
            "fingerprints": [{"hash": fp_hash, "fingerprint": fp_value, "setup": "active"}],
            "candidates": candidates, "xmlns": "urn:xmpp:jingle:transports:ice-udp:1",
            "rtcp-mux": True},
        "audio": {"payload-types": payload_types, "rtp-hdrexts": extensions},
    }
    for sec in sections(offer_sdp):
        if sec[0].startswith("m=video"):
            answer["video"] = media_json([l[2:] for l in sec if l.startswith("a=")])
    return answer


async def run(args):
    join = json.loads(wait_for_file(args.join, args.timeout))
    pc = RTCPeerConnection()
    recorder = MediaRecorder(args.wav)
    received = {}
    audio_frames, video_frames = [], []
    video_seen = {"frames": 0, "width": 0, "height": 0}
    consumers = []

    @pc.on("track")
    def on_track(track):
        receiver = next(t.receiver for t in pc.getTransceivers() if t.receiver.track is track)
        if track.kind == "video":
            received["video"] = receiver
            consumers.append(asyncio.ensure_future(
                consume_video(track, receiver, video_frames, video_seen)))
            return
        recorder.addTrack(AudioTap(track, receiver, audio_frames) if args.timeline else track)
        received["receiver"] = receiver

    tones = [float(f) for f in args.send_tones.split(",")] if args.send_tones else []
    senders = []
    for i, frequency in enumerate(tones):
        # the first carries the client's audio back as well
        t = pc.addTransceiver(ToneTrack(frequency), direction="sendrecv" if i == 0 else "sendonly")
        senders.append((t.sender, frequency))
    if not tones:
        pc.addTransceiver("audio", direction="recvonly")
    if args.video:
        pc.addTransceiver("video", direction="recvonly")
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
    video = received.get("video")
    if args.video:
        stats["video"] = dict(video_seen, ssrcs=[], rtp={})
    if video is not None:
        stats["video"]["ssrcs"] = [s.source for s in video.getSynchronizationSources()]
        for s in (await video.getStats()).values():
            if s.type == "inbound-rtp":  # one per SSRC seen: the media one, RTX apart
                stats["video"]["rtp"][str(s.ssrc)] = {
                    "packetsReceived": s.packetsReceived, "packetsLost": s.packetsLost}
    await recorder.stop()
    await pc.close()
    for c in consumers:
        c.cancel()
    if args.timeline:
        with open(args.timeline, "w", encoding="utf-8") as f:
            json.dump({"audio": audio_frames, "video": video_frames,
                       "senderReports": SENDER_REPORTS}, f)
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
    p.add_argument("--video", action="store_true", help="also receive and decode the client's VP8")
    p.add_argument("--timeline", default="",
                   help="where to write each decoded frame's RTP time and content, and every "
                        "sender report, as JSON")
    sys.exit(asyncio.run(run(p.parse_args())))


if __name__ == "__main__":
    main()
