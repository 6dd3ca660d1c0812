package org.tgcalls4j.internal.pc;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtcp.RtcpPackets;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.util.IntMap;

/**
 * The receive half of a {@link PeerTransport} after demultiplexing: unprotects SRTP and SRTCP
 * datagrams in place and hands RTP to the {@link MediaTrack} owning its SSRC and each RTCP packet
 * to the tracks it concerns. Public (in an internal package) so that benchmarks measure the code a
 * call runs.
 *
 * <p>Threads: {@link #receive} on one thread at a time (the transport's I/O thread); the other
 * methods from any thread. Tracks are kept copy on write, so {@link #receive} reads them without a
 * lock and, for RTP, without boxing the SSRC: an authenticated RTP packet for a known track is
 * unprotected and routed without allocating (RTCP is parsed into new objects).
 */
public final class MediaRouter {
  /**
   * Tracks by SSRC: read without a lock by {@link #receive}; replaced (never modified once
   * published) under {@code tracksLock}.
   */
  private volatile IntMap<MediaTrack> tracksBySsrc = new IntMap<>();
  private final Object tracksLock = new Object();
  private final AtomicLong packetsReceived = new AtomicLong();
  private final AtomicLong rtcpReceived = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile IntFunction<MediaTrack> unknownSsrcHandler;

  /**
   * Plugs a track in: RTCP and RTP concerning its SSRCs reach it from now on.
   *
   * @param track the track
   * @throws IllegalArgumentException if one of its SSRCs already belongs to another track (the
   *     SSRCs listed before that one stay added)
   */
  public void addTrack(MediaTrack track) {
    synchronized (tracksLock) {
      IntMap<MediaTrack> updated = tracksBySsrc.copy();
      try {
        for (int ssrc : track.ssrcs()) {
          MediaTrack previous = updated.get(ssrc);
          if (previous == null) {
            updated.put(ssrc, track);
          } else if (previous != track) {
            throw new IllegalArgumentException("SSRC " + Integer.toUnsignedString(ssrc)
                + " already belongs to another track");
          }
        }
      } finally {
        tracksBySsrc = updated;
      }
    }
  }

  /**
   * Sets what makes a track for RTP from an SSRC no track owns; see
   * {@link PeerTransport#setUnknownSsrcHandler}.
   *
   * @param handler the factory, or null to drop such packets
   */
  public void setUnknownSsrcHandler(IntFunction<MediaTrack> handler) {
    this.unknownSsrcHandler = handler;
  }

  /**
   * Unprotects one SRTP or SRTCP datagram (told apart by payload type, RFC 5761 §4) in place and
   * routes it. A datagram that fails authentication or the replay check, or a malformed compound
   * RTCP packet, is counted in {@link #dropped()}.
   *
   * @param context the receiving SRTP context; confined to the calling thread
   * @param data holds the datagram at {@code offset}; owned by the caller, overwritten (decrypted in
   *     place) and not kept. Tracks see the plain packet in it during their callback only
   * @param offset where the datagram starts; its first byte is 128..191 (RFC 7983)
   * @param length datagram length in bytes, at least 2
   */
  public void receive(SrtpContext context, byte[] data, int offset, int length) {
    int payloadType = data[offset + 1] & 0xff;
    boolean rtcp = payloadType >= 192 && payloadType <= 223; // RFC 5761 §4
    int plainLength = rtcp ? context.unprotectRtcpInPlace(data, offset, length)
        : context.unprotectRtpInPlace(data, offset, length);
    if (plainLength < 0) {
      dropped.incrementAndGet();
      return;
    }
    if (rtcp) {
      rtcpReceived.incrementAndGet();
      routeRtcp(data, offset, plainLength);
      return;
    }
    packetsReceived.incrementAndGet();
    int at = offset + 8;
    int ssrc = ((data[at] & 0xff) << 24) | ((data[at + 1] & 0xff) << 16)
        | ((data[at + 2] & 0xff) << 8) | (data[at + 3] & 0xff);
    MediaTrack track = tracksBySsrc.get(ssrc);
    if (track == null) {
      track = trackForUnknown(ssrc);
    }
    if (track != null) {
      track.onRtp(data, offset, plainLength);
    }
  }

  /** @return SRTP packets that passed authentication */
  public long packetsReceived() {
    return packetsReceived.get();
  }

  /** @return SRTCP packets that passed authentication */
  public long rtcpReceived() {
    return rtcpReceived.get();
  }

  /** @return datagrams dropped: failed authentication or replay check, malformed compound RTCP */
  public long dropped() {
    return dropped.get();
  }

  /** Asks the unknown-SSRC handler for a track and plugs it in. */
  private MediaTrack trackForUnknown(int ssrc) {
    IntFunction<MediaTrack> handler = unknownSsrcHandler;
    if (handler == null) {
      return null;
    }
    MediaTrack made = handler.apply(ssrc);
    if (made == null) {
      return null;
    }
    synchronized (tracksLock) {
      MediaTrack previous = tracksBySsrc.get(ssrc);
      if (previous != null) {
        return previous;
      }
      IntMap<MediaTrack> updated = tracksBySsrc.copy();
      updated.put(ssrc, made);
      tracksBySsrc = updated;
      return made;
    }
  }

  /** Hands each packet of a compound RTCP packet to every track it concerns, once per track. */
  private void routeRtcp(byte[] plain, int offset, int length) {
    List<RtcpPacket> packets = RtcpPackets.parseCompound(plain, offset, length);
    if (packets == null) {
      dropped.incrementAndGet(); // malformed compound packet
      return;
    }
    IntMap<MediaTrack> tracks = tracksBySsrc;
    for (RtcpPacket packet : packets) {
      MediaTrack last = null;
      for (int ssrc : RtcpRouting.ssrcsConcerned(packet)) {
        MediaTrack track = tracks.get(ssrc);
        if (track != null && track != last) {
          track.onRtcp(packet);
          last = track;
        }
      }
    }
  }
}
