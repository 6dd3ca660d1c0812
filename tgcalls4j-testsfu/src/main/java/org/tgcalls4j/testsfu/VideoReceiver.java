package org.tgcalls4j.testsfu;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test SFU's view of the participant's video: reassembles VP8 from the video SSRC with a
 * {@link Vp8Depacketizer}, writes the frames to an IVF file (if asked), and checks each RTX packet
 * against the media packet it claims to repeat (RFC 4588 §4). Thread-safe (one lock).
 */
final class VideoReceiver {
  private static final Logger LOG = LoggerFactory.getLogger(VideoReceiver.class);
  private static final int ORIGINALS_KEPT = 4096;
  private static final int ABS_SEND_TIME_ID = 2;
  /** Frame arrivals kept: an hour of 30 fps video. */
  private static final int ARRIVALS_KEPT = 108_000;

  private final int videoSsrc;
  private final int rtxSsrc;
  private final Path ivfFile;
  private final Vp8Depacketizer depacketizer = new Vp8Depacketizer(-1, true);
  private final Map<Integer, byte[]> originals = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, byte[]> eldest) {
      return size() > ORIGINALS_KEPT;
    }
  };
  private IvfWriter ivf;
  private long packets;
  private long paddingOnly;
  private int payloadType = -1;
  private boolean absSendTime;
  private long frames;
  private final List<Long> keyFrames = new ArrayList<>();
  private final List<VideoFrameArrival> arrivals = new ArrayList<>();
  private long lastTimestamp = -1;
  private int width;
  private int height;
  private long rtxPackets;
  private final List<Integer> osns = new ArrayList<>();
  private long rtxMismatches;
  private long rtxRecovered;
  private long autoNacked;
  private int highestSeq = -1;
  private java.util.function.Consumer<int[]> lossListener = lost -> { };
  private int rtxPayloadType = -1;
  private long firstVideoTimestamp = -1;
  private long firstAudioTimestamp = -1;
  private long[] audioReport; // {ntp, rtp}
  private long[] videoReport;

  VideoReceiver(int videoSsrc, int rtxSsrc, Path ivfFile) {
    this.videoSsrc = videoSsrc;
    this.rtxSsrc = rtxSsrc;
    this.ivfFile = ivfFile;
  }

  /** @param listener told the sequence numbers of each gap in the video SSRC; any thread */
  synchronized void setLossListener(java.util.function.Consumer<int[]> listener) {
    this.lossListener = listener;
  }

  boolean owns(int ssrc) {
    return videoSsrc != 0 && (ssrc == videoSsrc || ssrc == rtxSsrc);
  }

  /**
   * @param rtp a decrypted RTP packet of {@link #owns} an SSRC
   * @param payloadOffset where its payload starts (after CSRCs and extensions)
   * @param payloadLength payload length without padding
   * @param extensionIdMask bit i set when a one-byte extension element with id i was present
   */
  synchronized void onRtp(int ssrc, byte[] rtp, int payloadOffset, int payloadLength,
      int extensionIdMask) {
    if (ssrc == rtxSsrc) {
      rtxPackets++;
      rtxPayloadType = rtp[1] & 0x7F;
      if (payloadLength < 2) {
        rtxMismatches++;
        return;
      }
      int osn = (rtp[payloadOffset] & 0xFF) << 8 | (rtp[payloadOffset + 1] & 0xFF);
      osns.add(osn);
      byte[] original = originals.get(osn);
      byte[] repeated = Arrays.copyOfRange(rtp, payloadOffset + 2, payloadOffset + payloadLength);
      if (original == null) {
        // RFC 4588 §4: the original packet is the RTX header with OSN, the media SSRC and the
        // media payload type (the last one seen), followed by the payload after the OSN
        rtxRecovered++;
        byte[] header = Arrays.copyOf(rtp, 12);
        header[1] = (byte) ((rtp[1] & 0x80) | Math.max(payloadType, 0));
        header[2] = (byte) (osn >>> 8);
        header[3] = (byte) osn;
        header[8] = (byte) (videoSsrc >>> 24);
        header[9] = (byte) (videoSsrc >>> 16);
        header[10] = (byte) (videoSsrc >>> 8);
        header[11] = (byte) videoSsrc;
        onMedia(header, osn, repeated);
      } else if (!Arrays.equals(original, repeated)) {
        rtxMismatches++;
      }
      return;
    }
    packets++;
    if (payloadLength == 0) {
      paddingOnly++;
      return;
    }
    payloadType = rtp[1] & 0x7F;
    absSendTime |= (extensionIdMask & (1 << ABS_SEND_TIME_ID)) != 0;
    lastTimestamp = ((long) (rtp[4] & 0xFF) << 24 | (rtp[5] & 0xFF) << 16 | (rtp[6] & 0xFF) << 8
        | (rtp[7] & 0xFF));
    if (firstVideoTimestamp < 0) {
      firstVideoTimestamp = lastTimestamp;
    }
    int seq = (rtp[2] & 0xFF) << 8 | (rtp[3] & 0xFF);
    if (highestSeq >= 0) {
      int gap = (seq - highestSeq - 1) & 0xFFFF;
      if (gap > 0 && gap < 64) {
        int[] lost = new int[gap];
        for (int i = 0; i < gap; i++) {
          lost[i] = (highestSeq + 1 + i) & 0xFFFF;
        }
        autoNacked += gap;
        lossListener.accept(lost); // as an SFU would: ask for them again (RFC 4585 §6.2.1)
      }
      if (gap < 0x8000) {
        highestSeq = seq;
      }
    } else {
      highestSeq = seq;
    }
    originals.put(seq, Arrays.copyOfRange(rtp, payloadOffset, payloadOffset + payloadLength));
    depacketized(depacketizer.push(rtp, 0, rtp.length)); // it skips extensions and padding itself
  }

  /** Depacketizes a media packet recovered from RTX, given as its fixed header and its payload. */
  private void onMedia(byte[] fixedHeader, int seq, byte[] payload) {
    originals.put(seq, payload);
    byte[] plain = new byte[12 + payload.length];
    System.arraycopy(fixedHeader, 0, plain, 0, 12);
    plain[0] = (byte) 0x80;
    System.arraycopy(payload, 0, plain, 12, payload.length);
    depacketized(depacketizer.push(plain, 0, plain.length));
  }

  private void depacketized(List<Vp8Frame> completed) {
    for (Vp8Frame frame : completed) {
      frames++;
      if (arrivals.size() < ARRIVALS_KEPT) {
        arrivals.add(new VideoFrameArrival(System.nanoTime(), frame.rtpTimestamp() & 0xFFFF_FFFFL,
            frame.keyFrame()));
      }
      if (frame.keyFrame()) {
        keyFrames.add(frame.rtpTimestamp() & 0xFFFF_FFFFL);
        if (width == 0) {
          width = frame.width();
          height = frame.height();
        }
      }
      write(frame);
    }
  }

  private void write(Vp8Frame frame) {
    if (ivfFile == null) {
      return;
    }
    try {
      if (ivf == null) {
        ivf = new IvfWriter(ivfFile, width, height);
      }
      ivf.write(frame.pts90kHz(), frame.data());
    } catch (IOException e) {
      LOG.warn("cannot write {}: {}", ivfFile, e.toString());
    }
  }

  synchronized void onAudioFirstTimestamp(long timestamp) {
    if (firstAudioTimestamp < 0) {
      firstAudioTimestamp = timestamp;
    }
  }

  /** Keeps the latest sender report of the audio or the video SSRC: NTP and RTP timestamps. */
  synchronized void onSenderReport(boolean audio, long ntp, long rtp) {
    if (audio) {
      audioReport = new long[] {ntp, rtp};
    } else {
      videoReport = new long[] {ntp, rtp};
    }
  }

  /**
   * Video media position minus audio media position at one NTP instant, from the latest sender
   * report of each (RFC 3550 §6.4.1), each position counted from the track's first packet; what
   * a receiver's lip sync would correct. NaN until both tracks reported.
   */
  private double avSyncOffsetMillis() {
    if (audioReport == null || videoReport == null || firstAudioTimestamp < 0
        || firstVideoTimestamp < 0) {
      return Double.NaN;
    }
    double audioMedia = ((audioReport[1] - firstAudioTimestamp) & 0xFFFF_FFFFL) / 48_000.0;
    double videoMedia = ((videoReport[1] - firstVideoTimestamp) & 0xFFFF_FFFFL) / 90_000.0;
    double audioNtp = ntpSeconds(audioReport[0]);
    double videoNtp = ntpSeconds(videoReport[0]);
    return (videoMedia + (audioNtp - videoNtp) - audioMedia) * 1000.0;
  }

  private static double ntpSeconds(long ntp) {
    return (ntp >>> 32) + (ntp & 0xFFFF_FFFFL) / 4294967296.0;
  }

  synchronized VideoRecording snapshot() {
    return new VideoRecording(videoSsrc, rtxSsrc, packets, paddingOnly, payloadType, absSendTime,
        frames, List.copyOf(keyFrames), lastTimestamp, width, height, ivfFile, rtxPackets,
        List.copyOf(osns), rtxMismatches, rtxPayloadType, avSyncOffsetMillis(), autoNacked,
        rtxRecovered);
  }

  /** @return every frame completed so far (up to an hour's), in completion order */
  synchronized List<VideoFrameArrival> arrivals() {
    return List.copyOf(arrivals);
  }

  /** @return the sequence numbers of the media packets seen most recently, oldest first */
  synchronized List<Integer> recentSequenceNumbers(int max) {
    List<Integer> all = new ArrayList<>(originals.keySet());
    return List.copyOf(all.subList(Math.max(0, all.size() - max), all.size()));
  }

  synchronized void close() {
    if (ivf != null) {
      try {
        ivf.close();
      } catch (IOException e) {
        LOG.warn("cannot close {}: {}", ivfFile, e.toString());
      }
    }
  }
}
