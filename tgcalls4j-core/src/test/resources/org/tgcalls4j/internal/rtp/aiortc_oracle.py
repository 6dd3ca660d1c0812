# Independent oracle for AiortcInteropTest: parses our RTP/RTCP with aiortc and builds RTCP for us.
# argv[1]: hex of one RTP packet with audio level at ext id 1; argv[2]: hex of an SR+SDES compound.
import sys
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import (HeaderExtensionsMap, RtcpPacket, RtcpPsfbPacket, RtcpReceiverInfo, RtcpRrPacket,
                        RtcpRtpfbPacket, RtpPacket, pack_remb_fci)

extensions = HeaderExtensionsMap()
extensions.configure(RTCRtpParameters(headerExtensions=[
    RTCRtpHeaderExtensionParameters(id=1, uri="urn:ietf:params:rtp-hdrext:ssrc-audio-level")]))
rtp = RtpPacket.parse(bytes.fromhex(sys.argv[1]), extensions)
vad, level = rtp.extensions.audio_level
print("rtp", rtp.version, int(rtp.marker), rtp.payload_type, rtp.sequence_number, rtp.timestamp, rtp.ssrc,
      int(vad), level, rtp.payload.hex())

sr, sdes = RtcpPacket.parse(bytes.fromhex(sys.argv[2]))
info = sr.sender_info
print("sr", sr.ssrc, info.ntp_timestamp, info.rtp_timestamp, info.packet_count, info.octet_count, len(sr.reports))
print("sdes", sdes.chunks[0].ssrc, sdes.chunks[0].items[0][0], sdes.chunks[0].items[0][1].decode())

compound = (bytes(RtcpRrPacket(ssrc=0x0A0B0C0D, reports=[RtcpReceiverInfo(
                ssrc=0x11223344, fraction_lost=64, packets_lost=-2, highest_sequence=0x1FFFF, jitter=42,
                lsr=0x6F808000, dlsr=0x18000)]))
            + bytes(RtcpRtpfbPacket(fmt=1, ssrc=0x0A0B0C0D, media_ssrc=0x11223344, lost=[100, 101, 103]))
            + bytes(RtcpPsfbPacket(fmt=1, ssrc=0x0A0B0C0D, media_ssrc=0x11223344))
            + bytes(RtcpPsfbPacket(fmt=15, ssrc=0x0A0B0C0D, media_ssrc=0,
                                   fci=pack_remb_fci(1000000, [0x11223344]))))
print("compound", compound.hex())
