package org.tgcalls4j.internal.pc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.NotConnectedException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.transport.EventLoops;
import org.tgcalls4j.internal.dtls.DtlsHandshakePool;
import org.tgcalls4j.internal.dtls.DtlsRole;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.ice.IceConfig;
import org.tgcalls4j.internal.ice.IceCredentials;
import org.tgcalls4j.internal.ice.IceRole;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtp.RtpHeader;

/**
 * Two transports on 127.0.0.1, one in each ICE and DTLS role: the controlled side learns its peer
 * only from trickled candidates, media and RTCP reach the tracks that own their SSRCs, and the
 * peer's close_notify is a disconnect. (Each role is checked against independent peers in the
 * ice and dtls packages: ice4j, Bouncy Castle, aiortc.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PeerTransportTest {
  /** Two loops, so that the two ends of a test usually run on different threads. */
  private static final EventLoops LOOPS = EventLoops.start(2, Executors.defaultThreadFactory());
  private static final int AUDIO_SSRC = 0x1234_5678;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ExecutorService controlA = DtlsHandshakePool.create(Executors.defaultThreadFactory(), 2);
  private final ExecutorService controlB = DtlsHandshakePool.create(Executors.defaultThreadFactory(), 2);
  private final DtlsCertificate certA = DtlsCertificate.generate();
  private final DtlsCertificate certB = DtlsCertificate.generate();
  private final IceCredentials credsA = IceCredentials.generate(RANDOM);
  private final IceCredentials credsB = IceCredentials.generate(RANDOM);
  private final BlockingQueue<TransportException> disconnectsA = new LinkedBlockingQueue<>();
  private final BlockingQueue<IceCandidate> trickledByB = new LinkedBlockingQueue<>();
  private PeerTransport a;
  private PeerTransport b;

  @AfterEach
  void tearDown() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    controlA.shutdownNow();
    controlB.shutdownNow();
  }

  @AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  private static TransportSettings settings(String name, IceRole iceRole, DtlsRole dtlsRole,
      IceCredentials creds, DtlsCertificate cert, ExecutorService control, boolean hostCandidates,
      long connectTimeoutMillis) {
    IceConfig ice = new IceConfig(connectTimeoutMillis, IceConfig.defaults().consentIntervalMillis(),
        IceConfig.defaults().consentTimeoutMillis(), false);
    return new TransportSettings(iceRole, dtlsRole, creds, cert, InetAddress.getLoopbackAddress(),
        ice, connectTimeoutMillis, RANDOM.nextLong(), LOOPS.next(), control, name,
        "the peer", Map.of("tgcalls4j.chat", name), hostCandidates, true, List.of());
  }

  private static byte[] rtp(int ssrc, int sequence) {
    byte[] payload = {1, 2, 3, 4, 5, 6, 7, 8};
    ByteBuffer b = ByteBuffer.allocate(12 + payload.length);
    b.put((byte) 0x80).put((byte) 111).putShort((short) sequence).putInt(sequence * 960).putInt(ssrc);
    b.put(payload);
    return b.array();
  }

  /** RFC 4585 §6.2.1 generic NACK from {@code sender} about {@code media}, lost packet {@code pid}. */
  private static byte[] nack(int sender, int media, int pid) {
    return ByteBuffer.allocate(16).put((byte) 0x81).put((byte) 205).putShort((short) 3)
        .putInt(sender).putInt(media).putShort((short) pid).putShort((short) 0).array();
  }

  private static final class RecordingTrack implements MediaTrack {
    final BlockingQueue<RtcpPacket> rtcp = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> rtp = new LinkedBlockingQueue<>();
    final int ssrc;

    RecordingTrack(int ssrc) {
      this.ssrc = ssrc;
    }

    @Override
    public int[] ssrcs() {
      return new int[] {ssrc};
    }

    @Override
    public void onRtcp(RtcpPacket packet) {
      rtcp.add(packet);
    }

    @Override
    public void onRtp(byte[] packet, int offset, int length) {
      rtp.add(java.util.Arrays.copyOfRange(packet, offset, offset + length));
    }
  }

  @Test
  void bothRolesConnectOverTrickledCandidatesAndRouteMediaAndRtcpBySsrc() throws Exception {
    RecordingTrack sender = new RecordingTrack(AUDIO_SSRC);
    RecordingTrack receiver = new RecordingTrack(AUDIO_SSRC);
    a = new PeerTransport(settings("a", IceRole.CONTROLLING, DtlsRole.CLIENT, credsA, certA, controlA,
        false, 10_000), disconnectsA::add);
    b = new PeerTransport(settings("b", IceRole.CONTROLLED, DtlsRole.SERVER, credsB, certB, controlB,
        true, 10_000), new PeerTransport.Listener() {
          @Override
          public void onDisconnected(TransportException cause) {}

          @Override
          public void onLocalCandidate(IceCandidate candidate) {
            trickledByB.add(candidate);
          }
        });
    a.addTrack(sender);
    b.addTrack(receiver);
    assertThatThrownBy(() -> b.addTrack(new RecordingTrack(AUDIO_SSRC)))
        .isInstanceOf(IllegalArgumentException.class);

    // B knows no candidate of A: it learns A peer-reflexively from A's checks (RFC 8445 §7.3.1.3)
    CompletableFuture<Void> bReady = b.connect(new RemoteDescription(credsA, List.of(), "sha-256",
        certA.sha256Fingerprint()));
    // A starts with no candidate of B either, and gets B's loopback host candidate by trickle
    CompletableFuture<Void> aReady = a.connect(new RemoteDescription(credsB, List.of(), "sha-256",
        certB.sha256Fingerprint()));
    IceCandidate loopback = null;
    while (loopback == null) {
      IceCandidate c = trickledByB.poll(5, TimeUnit.SECONDS);
      assertThat(c).as("B trickles a loopback host candidate").isNotNull();
      if (c.address().getAddress().isLoopbackAddress()) {
        loopback = c;
      }
    }
    assertThat(loopback.type()).isEqualTo("host");
    a.addRemoteCandidate(loopback);
    CompletableFuture.allOf(aReady, bReady).get(15, TimeUnit.SECONDS);

    for (int seq = 1; seq <= 20; seq++) {
      assertThat(a.sendRtp(rtp(AUDIO_SSRC, seq))).isTrue();
    }
    for (int seq = 1; seq <= 20; seq++) {
      byte[] packet = receiver.rtp.poll(5, TimeUnit.SECONDS);
      assertThat(packet).as("RTP %d", seq).isNotNull();
      assertThat(RtpHeader.parse(packet, 0, packet.length).sequenceNumber()).isEqualTo(seq);
    }
    assertThat(b.packetsReceived()).isEqualTo(20);

    // SSRCs nobody announced (a group call's participants): the handler makes a track, once
    RecordingTrack participant = new RecordingTrack(0x0123_4567);
    java.util.List<Integer> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    b.setUnknownSsrcHandler(ssrc -> {
      asked.add(ssrc);
      return ssrc == participant.ssrc ? participant : null;
    });
    for (int seq = 1; seq <= 3; seq++) {
      assertThat(a.sendRtp(rtp(participant.ssrc, seq))).isTrue();
    }
    assertThat(a.sendRtp(rtp(0x0ddd_dddd, 1))).isTrue(); // the handler declines it
    for (int seq = 1; seq <= 3; seq++) {
      byte[] packet = participant.rtp.poll(5, TimeUnit.SECONDS);
      assertThat(packet).as("participant RTP %d", seq).isNotNull();
      assertThat(RtpHeader.parse(packet, 0, packet.length).sequenceNumber()).isEqualTo(seq);
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> b.packetsReceived() == 24);
    assertThat(asked).containsExactly(participant.ssrc, 0x0ddd_dddd);
    assertThat(receiver.rtp).isEmpty();

    assertThat(b.sendRtcp(nack(0x0bad_cafe, AUDIO_SSRC, 7))).isTrue();
    RtcpPacket feedback = sender.rtcp.poll(5, TimeUnit.SECONDS);
    assertThat(feedback).isInstanceOfSatisfying(RtcpPacket.Feedback.class, f -> {
      assertThat(f.type()).isEqualTo(RtcpPacket.FeedbackType.NACK);
      assertThat(f.nackedSequenceNumbers()).containsExactly(7);
    });
    assertThat(b.sendRtcp(nack(0x0bad_cafe, 0x0eee_eeee, 9))).isTrue(); // nobody's SSRC
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> a.rtcpReceived() == 2);
    assertThat(sender.rtcp).isEmpty();

    b.close(); // close_notify: A's connection is lost
    TransportException lost = disconnectsA.poll(5, TimeUnit.SECONDS);
    assertThat(lost).isNotNull();
    assertThat(lost.stage()).isEqualTo(TransportException.Stage.DTLS);
    assertThat(lost.getMessage()).contains("the peer closed the DTLS session");
    assertThat(a.sendRtp(rtp(AUDIO_SSRC, 21))).isFalse();
  }

  @Test
  void connectFailsWithNotConnectedWhenNobodyAnswers() throws Exception {
    a = new PeerTransport(settings("a", IceRole.CONTROLLING, DtlsRole.CLIENT, credsA, certA, controlA,
        false, 600), disconnectsA::add);
    InetSocketAddress nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9); // discard
    CompletableFuture<Void> ready = a.connect(new RemoteDescription(credsB,
        List.of(new IceCandidate("1", 1, "udp", 2_130_706_431L, nobody, "host")), "sha-256",
        certB.sha256Fingerprint()));
    assertThatThrownBy(() -> ready.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(NotConnectedException.class).hasMessageContaining("ICE did not connect");
    assertThat(disconnectsA).isEmpty();
  }

  @Test
  void anUnsupportedFingerprintHashIsRefusedBeforeAnythingIsBound() {
    a = new PeerTransport(settings("a", IceRole.CONTROLLING, DtlsRole.CLIENT, credsA, certA, controlA,
        false, 600), disconnectsA::add);
    assertThatThrownBy(() -> a.connect(new RemoteDescription(credsB, List.of(), "md5", "AA:BB")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
