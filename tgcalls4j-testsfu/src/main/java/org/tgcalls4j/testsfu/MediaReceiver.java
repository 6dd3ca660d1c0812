package org.tgcalls4j.testsfu;

import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * Decrypts the participant's SRTP/SRTCP (jitsi-srtp), drops undeclared SSRCs, parses RTP headers
 * (RFC 3550 §5.1, RFC 8285 one-byte extensions), decodes Opus and keeps RFC 3550 statistics.
 * Per-packet failures are counted, never thrown. {@link #onPacket} runs on one thread;
 * {@link #snapshot} may be called from any thread.
 */
final class MediaReceiver {
  private static final int OPUS_CLOCK_RATE_HZ = 48000;
  private static final int MAX_PCM_SHORTS = 5 * 60 * OPUS_CLOCK_RATE_HZ * 2;
  private static final int MAX_OPUS_FRAME_SAMPLES = 5760;
  private static final int AUDIO_LEVEL_EXTENSION_ID = 1;

  private final int audioSsrc;
  private final VideoReceiver video;
  private final Set<Integer> declaredSsrcs;
  private final SrtpContextFactory srtpFactory;
  private final Map<Integer, SrtpCryptoContext> rtpContexts = new HashMap<>();
  private final Map<Integer, SrtcpCryptoContext> rtcpContexts = new HashMap<>();
  private final OpusDecoder opus;
  private final short[] frame = new short[MAX_OPUS_FRAME_SAMPLES * 2];

  // Guarded by this.
  private final Map<Integer, Long> packetsBySsrc = new HashMap<>();
  private long droppedUndeclared;
  private long srtpFailures;
  private short[] pcm = new short[OPUS_CLOCK_RATE_HZ * 2];
  private int pcmLength;
  private long firstPacketNanos;
  private int received;
  private long baseSeq = -1;
  private long maxExtendedSeq;
  private double jitterUnits;
  private long lastTransit;
  private boolean haveTransit;
  private int rtcpPackets;
  private String lastCname;
  private int payloadType = -1;
  private boolean audioLevelSeen;

  /**
   * @param keys negotiated SRTP keys; the participant's write key is used
   * @param participantIsDtlsClient whether the participant wrote with the client key
   */
  MediaReceiver(JoinRequest join, SfuDtls.Keys keys, boolean participantIsDtlsClient,
      VideoReceiver video) {
    this.audioSsrc = join.ssrc();
    this.video = video;
    this.declaredSsrcs = join.declaredSsrcs();
    byte[][] keySalt = keys.profile().split(keys.material(), participantIsDtlsClient);
    this.srtpFactory = new SrtpContextFactory(false, keySalt[0], keySalt[1],
        keys.profile().policy(), keys.profile().policy(), new LoggerImpl(getClass().getName()));
    try {
      this.opus = new OpusDecoder(OPUS_CLOCK_RATE_HZ, 2);
    } catch (OpusException e) {
      throw new IllegalStateException("Concentus rejected 48 kHz stereo", e);
    }
  }

  /** Handles one datagram whose first byte is in 128..191 (RFC 7983 §7). */
  void onPacket(byte[] data, int offset, int length, long nowNanos) {
    if (length < 12) {
      countFailure();
      return;
    }
    int secondByte = data[offset + 1] & 0xFF;
    if (secondByte >= 192 && secondByte <= 223) {
      onRtcp(data, offset, length);
    } else {
      onRtp(data, offset, length, nowNanos);
    }
  }

  private void onRtp(byte[] data, int offset, int length, long nowNanos) {
    int ssrc = readInt(data, offset + 8);
    if (!declaredSsrcs.contains(ssrc)) {
      synchronized (this) {
        droppedUndeclared++;
      }
      return;
    }
    SimpleByteArrayBuffer packet = new SimpleByteArrayBuffer(data, offset, length, 0);
    try {
      SrtpCryptoContext context = rtpContexts.get(ssrc);
      if (context == null) {
        context = srtpFactory.deriveContext(ssrc, 0);
        rtpContexts.put(ssrc, context);
      }
      if (context.reverseTransformPacket(packet, false) != SrtpErrorStatus.OK) {
        countFailure();
        return;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      countFailure();
      return;
    }
    byte[] rtp = packet.toArray();
    RtpHeader header = RtpHeader.parse(rtp);
    if (header == null) {
      countFailure();
      return;
    }
    synchronized (this) {
      packetsBySsrc.merge(ssrc, 1L, Long::sum);
      if (firstPacketNanos == 0) {
        firstPacketNanos = nowNanos;
      }
      if (ssrc == audioSsrc) {
        if (received == 0) {
          video.onAudioFirstTimestamp(header.timestamp & 0xFFFF_FFFFL);
        }
        updateAudioStats(header, nowNanos);
      }
    }
    if (video.owns(ssrc)) {
      video.onRtp(ssrc, rtp, header.payloadOffset, header.payloadLength, header.extensionIdMask);
    }
    if (ssrc == audioSsrc && header.payloadLength > 0) {
      decode(rtp, header.payloadOffset, header.payloadLength);
    }
  }

  /** RFC 3550 A.1 sequence extension, A.3 loss and A.8 jitter; caller holds the lock. */
  private void updateAudioStats(RtpHeader header, long nowNanos) {
    received++;
    payloadType = header.payloadType;
    audioLevelSeen |= header.audioLevelPresent;
    if (baseSeq < 0) {
      baseSeq = header.sequenceNumber;
      maxExtendedSeq = header.sequenceNumber;
    } else {
      long cycles = maxExtendedSeq & ~0xFFFFL;
      long candidate = cycles | header.sequenceNumber;
      if (candidate < maxExtendedSeq - 0x8000) {
        candidate += 0x10000;
      } else if (candidate > maxExtendedSeq + 0x8000) {
        candidate -= 0x10000;
      }
      maxExtendedSeq = Math.max(maxExtendedSeq, candidate);
    }
    long arrivalUnits = nowNanos * OPUS_CLOCK_RATE_HZ / 1_000_000_000L;
    long transit = arrivalUnits - (header.timestamp & 0xFFFF_FFFFL);
    if (haveTransit) {
      long d = Math.abs(transit - lastTransit);
      jitterUnits += (d - jitterUnits) / 16.0;
    }
    lastTransit = transit;
    haveTransit = true;
  }

  private void decode(byte[] rtp, int offset, int length) {
    int samples;
    try {
      samples = opus.decode(rtp, offset, length, frame, 0, MAX_OPUS_FRAME_SAMPLES, false);
    } catch (OpusException | RuntimeException | AssertionError e) {
      countFailure(); // Concentus throws AssertionError on some malformed packets
      return;
    }
    synchronized (this) {
      int shorts = Math.min(samples * 2, MAX_PCM_SHORTS - pcmLength);
      if (shorts <= 0) {
        return;
      }
      if (pcmLength + shorts > pcm.length) {
        pcm = Arrays.copyOf(pcm, Math.min(MAX_PCM_SHORTS, Math.max(pcm.length * 2, pcmLength + shorts)));
      }
      System.arraycopy(frame, 0, pcm, pcmLength, shorts);
      pcmLength += shorts;
    }
  }

  private void onRtcp(byte[] data, int offset, int length) {
    int ssrc = readInt(data, offset + 4);
    SimpleByteArrayBuffer packet = new SimpleByteArrayBuffer(data, offset, length, 0);
    try {
      SrtcpCryptoContext context = rtcpContexts.get(ssrc);
      if (context == null) {
        context = srtpFactory.deriveControlContext(ssrc);
        rtcpContexts.put(ssrc, context);
      }
      if (context.reverseTransformPacket(packet) != SrtpErrorStatus.OK) {
        countFailure();
        return;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      countFailure();
      return;
    }
    byte[] plain = packet.toArray();
    reportSenderReports(plain);
    String cname = findCname(plain);
    synchronized (this) {
      rtcpPackets++;
      if (cname != null) {
        lastCname = cname;
      }
    }
  }

  /** Hands every sender report (RFC 3550 §6.4.1) of the audio or video SSRC to the video receiver. */
  private void reportSenderReports(byte[] rtcp) {
    int position = 0;
    while (position + 4 <= rtcp.length) {
      int type = rtcp[position + 1] & 0xFF;
      int end = position + 4 * (((rtcp[position + 2] & 0xFF) << 8 | (rtcp[position + 3] & 0xFF)) + 1);
      if (end > rtcp.length) {
        return;
      }
      if (type == 200 && position + 20 <= end) {
        int ssrc = readInt(rtcp, position + 4);
        long ntp = (readInt(rtcp, position + 8) & 0xFFFF_FFFFL) << 32
            | (readInt(rtcp, position + 12) & 0xFFFF_FFFFL);
        long rtp = readInt(rtcp, position + 16) & 0xFFFF_FFFFL;
        if (ssrc == audioSsrc) {
          video.onSenderReport(true, ntp, rtp);
        } else if (video.owns(ssrc)) {
          video.onSenderReport(false, ntp, rtp);
        }
      }
      position = end;
    }
  }

  /** Walks a (compound or reduced-size) RTCP packet for an SDES CNAME (RFC 3550 §6.5). */
  private static String findCname(byte[] rtcp) {
    int position = 0;
    while (position + 4 <= rtcp.length) {
      int count = rtcp[position] & 0x1F;
      int type = rtcp[position + 1] & 0xFF;
      int end = position + 4 * (((rtcp[position + 2] & 0xFF) << 8 | (rtcp[position + 3] & 0xFF)) + 1);
      if (end > rtcp.length) {
        return null;
      }
      if (type == 202) {
        int chunk = position + 4;
        for (int c = 0; c < count && chunk + 4 <= end; c++) {
          int item = chunk + 4;
          while (item < end && rtcp[item] != 0) {
            if (item + 2 > end) {
              return null;
            }
            int itemLength = rtcp[item + 1] & 0xFF;
            if (item + 2 + itemLength > end) {
              return null;
            }
            if (rtcp[item] == 1) {
              return new String(rtcp, item + 2, itemLength, StandardCharsets.UTF_8);
            }
            item += 2 + itemLength;
          }
          chunk = (item + 4) & ~3;
        }
      }
      position = end;
    }
    return null;
  }

  private synchronized void countFailure() {
    srtpFailures++;
  }

  synchronized Recording snapshot() {
    long expected = baseSeq < 0 ? 0 : maxExtendedSeq - baseSeq + 1;
    return new Recording(audioSsrc, Collections.unmodifiableMap(new HashMap<>(packetsBySsrc)),
        droppedUndeclared, srtpFailures, Arrays.copyOf(pcm, pcmLength), firstPacketNanos,
        Math.max(0, expected - received), jitterUnits * 1000.0 / OPUS_CLOCK_RATE_HZ, rtcpPackets,
        lastCname, payloadType, audioLevelSeen, video.snapshot());
  }

  /** Releases the SRTP contexts. */
  void close() {
    srtpFactory.close();
  }

  private static int readInt(byte[] data, int offset) {
    return (data[offset] & 0xFF) << 24 | (data[offset + 1] & 0xFF) << 16
        | (data[offset + 2] & 0xFF) << 8 | (data[offset + 3] & 0xFF);
  }

  /** The RTP fixed header fields we check (RFC 3550 §5.1) and the payload bounds. */
  private record RtpHeader(int payloadType, int sequenceNumber, int timestamp, int payloadOffset,
      int payloadLength, boolean audioLevelPresent, int extensionIdMask) {
    /** Returns null when a length field points outside the packet. */
    static RtpHeader parse(byte[] rtp) {
      if (rtp.length < 12 || (rtp[0] & 0xC0) != 0x80) {
        return null;
      }
      boolean padding = (rtp[0] & 0x20) != 0;
      boolean extension = (rtp[0] & 0x10) != 0;
      int position = 12 + 4 * (rtp[0] & 0x0F);
      boolean audioLevel = false;
      int idMask = 0;
      if (extension) {
        if (position + 4 > rtp.length) {
          return null;
        }
        int profile = (rtp[position] & 0xFF) << 8 | (rtp[position + 1] & 0xFF);
        int end = position + 4 + 4 * ((rtp[position + 2] & 0xFF) << 8 | (rtp[position + 3] & 0xFF));
        if (end > rtp.length) {
          return null;
        }
        if (profile == 0xBEDE) {
          int element = position + 4;
          while (element < end) {
            int id = (rtp[element] & 0xF0) >> 4;
            if (id == 0) {
              element++;
              continue;
            }
            if (id == 15) {
              break;
            }
            audioLevel |= id == AUDIO_LEVEL_EXTENSION_ID;
            idMask |= 1 << id;
            element += 2 + (rtp[element] & 0x0F);
          }
        }
        position = end;
      }
      int end = rtp.length;
      if (padding) {
        if (end == 0 || (rtp[end - 1] & 0xFF) > end - position) {
          return null;
        }
        end -= rtp[end - 1] & 0xFF;
      }
      if (position > end) {
        return null;
      }
      return new RtpHeader(rtp[1] & 0x7F, (rtp[2] & 0xFF) << 8 | (rtp[3] & 0xFF),
          readInt(rtp, 4), position, end - position, audioLevel, idMask);
    }
  }
}
