#!/usr/bin/python3
"""An independent DTLS-SRTP peer for DtlsEndpointAiortcTest: aiortc's RTCDtlsTransport (OpenSSL).

aiortc 1.4.0 (Debian python3-aiortc) runs RTCDtlsTransport over an RTCIceTransport, of which it
only uses `role`, `_send(data)` and `_recv()`. To keep ICE out of a DTLS interoperability test, this
script hands it a stand-in with those three members over a plain UDP socket on 127.0.0.1.

Protocol with the Java test, one JSON object per line:
  stdout {"port": P, "fingerprint": "AB:..."}          our UDP port, SHA-256 of aiortc's certificate
  stdin  {"port": J, "role": "client"|"server", "fingerprint": "AB:..."}
                                                       Java's port, aiortc's DTLS role, expected cert
  stdout {"state": "connected"|"failed", "material": "hex"}   after the handshake; material is the
                                                       RFC 5764 §4.2 export (CM_80: 2 * (16 + 14) bytes)
  (if connected) sends one SRTP packet (RTP seq 4660, SSRC 0x11223344, payload "aiortc-rtp") and the
  application data "hello from aiortc", then waits up to 10 s for application data from Java:
  stdout {"received": "..."}
  stdin  "close"                                       send close_notify and exit
  stdout {"closed": true}
"""
import asyncio
import json
import sys

from aiortc import RTCCertificate, RTCDtlsFingerprint, RTCDtlsParameters, RTCDtlsTransport


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def read_line(loop):
    line = await loop.run_in_executor(None, sys.stdin.readline)
    if not line:
        raise SystemExit("stdin closed")
    return line.strip()


class UdpShim(asyncio.DatagramProtocol):
    """What RTCDtlsTransport needs of an RTCIceTransport, over one UDP socket."""

    def __init__(self):
        self.role = "controlled"  # unused: the DTLS role is set explicitly
        self.queue = asyncio.Queue()
        self.udp = None
        self.remote = None

    def connection_made(self, transport):
        self.udp = transport

    def datagram_received(self, data, addr):
        if addr == self.remote:
            self.queue.put_nowait(data)

    async def _recv(self):
        data = await self.queue.get()
        if data is None:
            raise ConnectionError("closed")
        return data

    async def _send(self, data):
        self.udp.sendto(data, self.remote)


class DataReceiver:
    def __init__(self):
        self.received = asyncio.get_event_loop().create_future()

    async def _handle_data(self, data):
        if not self.received.done():
            self.received.set_result(data)


def rtp_packet():
    header = bytes([0x80, 111, 0x12, 0x34, 0, 0, 0x03, 0xE8, 0x11, 0x22, 0x33, 0x44])
    return header + b"aiortc-rtp"


async def main():
    loop = asyncio.get_event_loop()
    shim = UdpShim()
    await loop.create_datagram_endpoint(lambda: shim, local_addr=("127.0.0.1", 0))
    certificate = RTCCertificate.generateCertificate()
    dtls = RTCDtlsTransport(shim, [certificate])
    fingerprint = [f for f in certificate.getFingerprints() if f.algorithm == "sha-256"][0]
    emit({"port": shim.udp.get_extra_info("sockname")[1], "fingerprint": fingerprint.value})

    params = json.loads(await read_line(loop))
    shim.remote = ("127.0.0.1", params["port"])
    dtls._set_role(params["role"])
    receiver = DataReceiver()
    dtls._register_data_receiver(receiver)
    try:
        await asyncio.wait_for(
            dtls.start(RTCDtlsParameters(fingerprints=[RTCDtlsFingerprint("sha-256", params["fingerprint"])])),
            timeout=20,
        )
    except asyncio.TimeoutError:
        emit({"state": "timeout", "material": ""})
        return
    if dtls.state != "connected":
        emit({"state": dtls.state, "material": ""})
        return
    material = dtls.ssl.export_keying_material(b"EXTRACTOR-dtls_srtp", 2 * (16 + 14))
    emit({"state": dtls.state, "material": bytes(material).hex()})

    await dtls._send_rtp(rtp_packet())
    await dtls._send_data(b"hello from aiortc")
    try:
        data = await asyncio.wait_for(receiver.received, timeout=10)
        emit({"received": data.decode("ascii")})
    except asyncio.TimeoutError:
        emit({"received": None})

    if await read_line(loop) == "close":
        await dtls.stop()
        emit({"closed": True})


if __name__ == "__main__":
    asyncio.run(main())
