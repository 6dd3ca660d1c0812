package org.tgcalls4j.testsfu;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.ice4j.ice.Agent;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback stand-in for Telegram's group-call SFU for one participant (group-call.md §11 items
 * 1-5), built only from independent implementations: ice4j (full, controlling ICE that learns the
 * participant peer-reflexively and nominates), Bouncy Castle DTLS 1.2 with use_srtp, jitsi-srtp and
 * Concentus. It records what the participant sends (see {@link Recording}); it never sends media.
 *
 * <p>Binds one UDP port on 127.0.0.1. Methods are thread-safe. Two daemon threads named
 * {@code testsfu-*} run from {@link #answer} until {@link #close}.
 */
public final class TestSfu implements AutoCloseable {
  /**
   * Test knobs.
   *
   * @param rejectChecksForMillis for this long after {@link #answer}, Binding Requests from new
   *     addresses get a 401 error response (the real SFU's "not registered yet" window, §4.1)
   * @param advertiseWrongFingerprint the answer carries a fingerprint that is not the SFU's
   *     certificate's, so a verifying participant must refuse the DTLS handshake
   * @param videoIvf where to write the VP8 frames reassembled from the declared video SSRC (an
   *     IVF file, 90 kHz time base), or null to write none
   */
  public record Options(long rejectChecksForMillis, boolean advertiseWrongFingerprint,
      Path videoIvf) {
    /** Without a video file. */
    public Options(long rejectChecksForMillis, boolean advertiseWrongFingerprint) {
      this(rejectChecksForMillis, advertiseWrongFingerprint, null);
    }

    /** No reject window, correct fingerprint, no video file. */
    public static Options defaults() {
      return new Options(0, false, null);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(TestSfu.class);
  private static final String LOOPBACK = "127.0.0.1";
  private static final int DTLS_HANDSHAKE_TIMEOUT_MILLIS = 10_000;
  private static final long ICE_TIMEOUT_MILLIS = 30_000;

  private final Options options;
  private final Agent agent;
  private final Component component;
  private final RejectingHarvester harvester;
  private final BcTlsCrypto crypto;
  private final DtlsIdentity identity;
  private final CountDownLatch iceDone = new CountDownLatch(1);
  private final CountDownLatch settled = new CountDownLatch(1);
  private final Object lock = new Object();

  // Guarded by lock.
  private JoinRequest join;
  private boolean closed;
  private Thread readerThread;
  private Thread dtlsThread;
  private QueuedDatagramTransport dtlsDatagrams;

  private volatile boolean connected;
  // Written by the reader thread only; read by diagnostics().
  private volatile long datagramsRead;
  private volatile long dtlsDatagramsRead;
  private volatile long lastDatagramNanos;
  private volatile Throwable readerFailure;
  private volatile long readerFailures;
  private volatile MediaReceiver media;
  private volatile VideoReceiver video;
  private volatile RtcpSender rtcp; // written under lock
  private SfuDtls.Keys sfuKeys; // guarded by lock
  private boolean sfuIsDtlsClient; // guarded by lock

  private TestSfu(Options options, Agent agent, Component component, RejectingHarvester harvester,
      BcTlsCrypto crypto, DtlsIdentity identity) {
    this.options = options;
    this.agent = agent;
    this.component = component;
    this.harvester = harvester;
    this.crypto = crypto;
    this.identity = identity;
  }

  /**
   * Creates the ICE agent (controlling, full ICE), binds its UDP port on 127.0.0.1 and generates
   * the DTLS certificate.
   *
   * @throws IOException if the port cannot be bound or the certificate cannot be created
   */
  public static TestSfu start(Options options) throws IOException {
    RtcpSender.warmUp();
    Ice4jSetup.apply();
    BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    DtlsIdentity identity = DtlsIdentity.generate(crypto);
    Agent agent = new Agent();
    RejectingHarvester harvester = null;
    try {
      agent.setControlling(true);
      agent.setUseDynamicPorts(false);
      harvester = new RejectingHarvester(LOOPBACK, agent.getStunStack());
      agent.addCandidateHarvester(harvester);
      IceMediaStream stream = agent.createMediaStream("audio");
      Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
      TestSfu sfu = new TestSfu(options, agent, component, harvester, crypto, identity);
      agent.addStateChangeListener(sfu::onIceStateChange);
      return sfu;
    } catch (IOException | RuntimeException e) {
      agent.free();
      if (harvester != null) {
        harvester.close();
      }
      throw e;
    }
  }

  /**
   * Validates a join payload (§2.1), starts ICE with its credentials and returns the §3 answer
   * JSON. One participant per SFU: a second call is refused.
   *
   * @throws IllegalArgumentException naming the missing or malformed join field
   * @throws IllegalStateException if a join was already answered or the SFU is closed
   * @throws IOException if the ICE candidate is not available
   */
  public String answer(String joinJson) throws IOException {
    JoinRequest request = JoinRequest.parse(joinJson);
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("TestSfu is closed");
      }
      if (join != null) {
        throw new IllegalStateException("TestSfu serves one participant; a join was already answered");
      }
      LocalCandidate local = component.getDefaultCandidate();
      if (local == null) {
        throw new IOException("ice4j gathered no host candidate on " + LOOPBACK);
      }
      join = request;
      IceMediaStream stream = component.getParentStream();
      stream.setRemoteUfrag(request.ufrag());
      stream.setRemotePassword(request.pwd());
      harvester.rejectFor(options.rejectChecksForMillis());
      String fingerprint = identity.fingerprint();
      if (options.advertiseWrongFingerprint()) {
        fingerprint = corrupt(fingerprint);
      }
      SecureRandom random = new SecureRandom();
      byte[] endpoint = new byte[8];
      random.nextBytes(endpoint);
      byte[] candidateId = new byte[12];
      random.nextBytes(candidateId);
      String answer = AnswerJson.build(agent.getLocalUfrag(), agent.getLocalPassword(),
          new AnswerJson.Candidate(LOOPBACK, local.getTransportAddress().getPort(),
              local.getFoundation(), local.getPriority(), HexFormat.of().formatHex(candidateId)),
          fingerprint, request.participantIsDtlsServer() ? "active" : "passive",
          HexFormat.of().formatHex(endpoint), random.nextInt() & 0x7FFF_FFFF);
      dtlsDatagrams = new QueuedDatagramTransport(component::send);
      readerThread = new Thread(this::readLoop, "testsfu-reader");
      readerThread.setDaemon(true);
      dtlsThread = new Thread(this::connectLoop, "testsfu-dtls");
      dtlsThread.setDaemon(true);
      readerThread.start();
      dtlsThread.start();
      agent.startConnectivityEstablishment();
      return answer;
    }
  }

  /**
   * Waits until ICE nominated a pair, the DTLS handshake verified the participant and SRTP keys
   * are installed.
   *
   * @param timeoutMillis maximum wait
   * @return true when connected; false on timeout or when the connection failed (ICE failure,
   *     fingerprint mismatch, handshake error)
   * @throws InterruptedException if the calling thread is interrupted
   */
  public boolean awaitConnected(long timeoutMillis) throws InterruptedException {
    return settled.await(timeoutMillis, TimeUnit.MILLISECONDS) && connected;
  }

  /**
   * @return the client's address on the pair ICE selected (where its media comes from), or null
   *     before a pair is selected
   */
  public java.net.InetSocketAddress clientAddress() {
    org.ice4j.ice.CandidatePair pair = component.getSelectedPair();
    return pair == null ? null : pair.getRemoteCandidate().getTransportAddress();
  }

  /** A snapshot of what was received so far (an empty recording before the connection). */
  public Recording recording() {
    MediaReceiver receiver = media;
    if (receiver != null) {
      return receiver.snapshot();
    }
    JoinRequest request;
    synchronized (lock) {
      request = join;
    }
    return new Recording(request == null ? 0 : request.ssrc(), java.util.Map.of(), 0, 0,
        new short[0], 0, 0, 0, 0, null, -1, false,
        VideoRecording.empty(request == null ? 0 : request.videoSsrc(),
            request == null ? 0 : request.rtxSsrc(), options.videoIvf()));
  }

  /**
   * Sends the participant a generic NACK (RFC 4585 §6.2.1) for packets of its video SSRC, as a
   * reduced-size SRTCP packet (RFC 5506).
   *
   * @param sequenceNumbers the lost sequence numbers, 0..65535 (one FCI entry each)
   * @throws IllegalArgumentException if no sequence number is given (an empty NACK is not allowed)
   * @throws IllegalStateException if not connected or the join declared no video
   * @throws IOException if sending fails
   */
  public void sendNack(int... sequenceNumbers) throws IOException {
    sendNackWith(rtcpSender(), sequenceNumbers);
  }

  private static void sendNackWith(RtcpSender sender, int... sequenceNumbers) throws IOException {
    if (sequenceNumbers.length == 0) {
      throw new IllegalArgumentException("a generic NACK needs at least one sequence number"
          + " (RFC 4585 §6.2.1)");
    }
    byte[] fci = new byte[4 * sequenceNumbers.length];
    for (int i = 0; i < sequenceNumbers.length; i++) {
      fci[4 * i] = (byte) (sequenceNumbers[i] >>> 8);
      fci[4 * i + 1] = (byte) sequenceNumbers[i];
    }
    sender.send(205, 1, fci);
  }

  /**
   * Sends the participant a picture loss indication for its video SSRC (RFC 4585 §6.3.1).
   *
   * @return the RTP timestamp (unsigned) of the last video packet received before it, -1 if none,
   *     so a test can measure in media time how soon a keyframe followed
   * @throws IllegalStateException if not connected or the join declared no video
   * @throws IOException if sending fails
   */
  public long sendPli() throws IOException {
    RtcpSender sender = rtcpSender(); // throws unless connected with video
    long last = video.snapshot().lastRtpTimestamp();
    sender.send(206, 1, new byte[0]);
    return last;
  }

  /**
   * @return the VP8 frames completed from the video SSRC so far with their arrival times, in the
   *     order they were written to the IVF file; empty before the connection or without video
   */
  public java.util.List<VideoFrameArrival> videoFrameArrivals() {
    VideoReceiver v = video;
    return v == null ? java.util.List.of() : v.arrivals();
  }

  /**
   * @param max how many to return at most
   * @return sequence numbers of the latest media packets received on the video SSRC, oldest first
   */
  public java.util.List<Integer> recentVideoSequenceNumbers(int max) {
    VideoReceiver v = video;
    return v == null ? java.util.List.of() : v.recentSequenceNumbers(max);
  }

  /**
   * Made on first use, outside the lock (the reader thread takes it): deriving the SRTCP context
   * can take a second on a loaded machine (jitsi-srtp picks its fastest AES on first use).
   */
  private RtcpSender rtcpSender() {
    SfuDtls.Keys keys;
    boolean client;
    int mediaSsrc;
    synchronized (lock) {
      if (rtcp != null) {
        return rtcp;
      }
      if (sfuKeys == null || closed || join.videoSsrc() == 0) {
        throw new IllegalStateException("not connected, or the join declared no video");
      }
      keys = sfuKeys;
      client = sfuIsDtlsClient;
      mediaSsrc = join.videoSsrc();
    }
    RtcpSender made = new RtcpSender(keys, client, mediaSsrc, component::send);
    synchronized (lock) {
      if (rtcp == null && !closed) {
        rtcp = made;
        return made;
      }
      made.close();
      if (rtcp == null) {
        throw new IllegalStateException("closed");
      }
      return rtcp;
    }
  }


  /**
   * Ends the participant's DTLS session with close_notify (as a server leaving the call would),
   * then stops the ICE agent, both threads and the socket; idempotent, never throws.
   */
  @Override
  public void close() {
    Thread reader;
    Thread dtls;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      reader = readerThread;
      dtls = dtlsThread;
    }
    // A connected DTLS loop notices `closed` within its 200 ms receive timeout and sends
    // close_notify on its way out; a handshake still in progress is cut short below.
    join(dtls, 500);
    synchronized (lock) {
      if (dtlsDatagrams != null) {
        dtlsDatagrams.close();
      }
    }
    if (dtls != null) {
      dtls.interrupt();
    }
    join(dtls, 5_000);
    agent.free();
    harvester.close();
    if (reader != null) {
      reader.interrupt();
    }
    join(reader, 5_000);
    MediaReceiver receiver = media;
    if (receiver != null) {
      receiver.close();
    }
    VideoReceiver v = video;
    if (v != null) {
      v.close();
    }
    RtcpSender r = rtcp;
    if (r != null) {
      r.close();
    }
    settled.countDown();
  }

  private static void join(Thread thread, long millis) {
    if (thread == null) {
      return;
    }
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void onIceStateChange(PropertyChangeEvent event) {
    if (!Agent.PROPERTY_ICE_PROCESSING_STATE.equals(event.getPropertyName())) {
      return;
    }
    IceProcessingState state = (IceProcessingState) event.getNewValue();
    if (state == IceProcessingState.COMPLETED || state == IceProcessingState.TERMINATED
        || state == IceProcessingState.FAILED) {
      iceDone.countDown();
    }
  }

  /**
   * SRTP/SRTCP packets held while the DTLS thread finishes the handshake and builds the media
   * receiver, at most this many. A participant that is the DTLS server sends media right after its
   * Finished; a real SFU processes the two in order, so those first packets (the first keyframe)
   * must not be lost to this SFU's handshake running on another thread.
   */
  private static final int MAX_EARLY_PACKETS = 4096;

  /** A packet held by the reader, with its arrival time for the jitter estimate. */
  private record HeldPacket(byte[] data, long arrivalNanos) {}

  /**
   * Reads the ICE component socket and demultiplexes by first byte (RFC 7983 §7). A packet whose
   * handling throws (an {@link Error} from a decoder included) is counted and the loop goes on: a
   * reader that died would look, to a test, like a participant that stopped sending.
   */
  private void readLoop() {
    byte[] buffer = new byte[2048];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    java.util.ArrayDeque<HeldPacket> early = new java.util.ArrayDeque<>(); // reader thread only
    long earlyDropped = 0;
    try {
      component.getSocket().setSoTimeout(200);
    } catch (IOException e) {
      LOG.warn("cannot set the component socket timeout", e);
    }
    while (!isClosed()) {
      MediaReceiver ready = media;
      if (ready != null && !early.isEmpty()) {
        LOG.debug("delivering {} packets that arrived before the media receiver ({} dropped)",
            early.size(), earlyDropped);
        for (HeldPacket held = early.poll(); held != null; held = early.poll()) {
          handle(ready, held.data(), held.data().length, held.arrivalNanos());
        }
      }
      try {
        packet.setData(buffer, 0, buffer.length);
        component.getSocket().receive(packet);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException e) {
        if (!isClosed()) {
          readerFailure = e; // ice4j closed the component socket under us
          LOG.warn("test SFU reader: the ICE socket failed", e);
        }
        return;
      }
      datagramsRead++;
      lastDatagramNanos = System.nanoTime();
      int first = buffer[0] & 0xFF;
      if (first >= 20 && first <= 63) {
        dtlsDatagramsRead++;
        byte[] record = new byte[packet.getLength()];
        System.arraycopy(buffer, 0, record, 0, record.length);
        dtlsDatagrams.offer(record);
      } else if (first >= 128 && first <= 191) {
        MediaReceiver receiver = media;
        if (receiver != null && early.isEmpty()) {
          handle(receiver, buffer, packet.getLength(), System.nanoTime());
        } else if (receiver == null && early.size() >= MAX_EARLY_PACKETS) {
          earlyDropped++;
        } else {
          // before the receiver exists, or behind packets held earlier: keep the order
          early.add(new HeldPacket(java.util.Arrays.copyOf(buffer, packet.getLength()),
              System.nanoTime()));
        }
      }
    }
  }

  private void handle(MediaReceiver receiver, byte[] data, int length, long arrivalNanos) {
    try {
      receiver.onPacket(data, 0, length, arrivalNanos);
    } catch (RuntimeException | Error e) {
      readerFailures++;
      if (readerFailure == null) {
        readerFailure = e;
        LOG.warn("test SFU: handling a {}-byte packet threw", length, e);
      }
    }
  }

  /**
   * One line on the state below the {@link Recording}, for a test's failure message: whether the
   * reader thread still runs, the datagrams it read from the ICE socket (DTLS among them) and how
   * many ms ago the last one came, packets whose handling threw (and the first such throwable, or
   * the socket's failure), and ICE's state and selected pair. Any thread; never throws.
   */
  public String diagnostics() {
    Thread reader;
    synchronized (lock) {
      reader = readerThread;
    }
    long last = lastDatagramNanos;
    org.ice4j.ice.CandidatePair pair = component.getSelectedPair();
    return String.format("reader %s, %d datagrams read (%d DTLS), last %s, %d packets threw%s,"
        + " ICE %s, selected %s",
        reader == null ? "not started" : reader.isAlive() ? "alive" : "ended",
        datagramsRead, dtlsDatagramsRead,
        last == 0 ? "never" : (System.nanoTime() - last) / 1_000_000 + " ms ago",
        readerFailures, readerFailure == null ? "" : " (first: " + readerFailure + ")",
        agent.getState(), pair == null ? "none" : pair.toShortString());
  }

  /** Waits for ICE, runs the DTLS handshake, installs SRTP, then serves DTLS until closed. */
  private void connectLoop() {
    JoinRequest request;
    synchronized (lock) {
      request = join;
    }
    DTLSTransport transport = null;
    try {
      if (!iceDone.await(ICE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
          || component.getSelectedPair() == null) {
        LOG.warn("ICE did not nominate a pair (state {})", agent.getState());
        return;
      }
      SfuDtls.Keys keys;
      boolean participantIsDtlsClient = !request.participantIsDtlsServer();
      if (participantIsDtlsClient) {
        SfuDtls.Server server = new SfuDtls.Server(
            crypto, identity, request.fingerprint(), DTLS_HANDSHAKE_TIMEOUT_MILLIS);
        transport = new DTLSServerProtocol().accept(server, dtlsDatagrams);
        keys = server.keys();
      } else {
        SfuDtls.Client client = new SfuDtls.Client(
            crypto, identity, request.fingerprint(), DTLS_HANDSHAKE_TIMEOUT_MILLIS);
        transport = new DTLSClientProtocol().connect(client, dtlsDatagrams);
        keys = client.keys();
      }
      video = new VideoReceiver(request.videoSsrc(), request.rtxSsrc(), options.videoIvf());
      synchronized (lock) {
        sfuKeys = keys;
        sfuIsDtlsClient = !participantIsDtlsClient;
      }
      media = new MediaReceiver(request, keys, participantIsDtlsClient, video);
      connected = true;
      settled.countDown();
      if (request.videoSsrc() != 0) {
        try {
          RtcpSender sender = rtcpSender(); // slow to make: not on the reader thread
          video.setLossListener(lost -> {
            try {
              sendNackWith(sender, lost);
            } catch (IOException e) {
              LOG.debug("cannot send a NACK: {}", e.toString());
            }
          });
        } catch (IllegalStateException e) {
          LOG.debug("no RTCP sender: {}", e.toString()); // closed meanwhile
        }
      }
      byte[] ignored = new byte[transport.getReceiveLimit()];
      while (!isClosed()) {
        transport.receive(ignored, 0, ignored.length, 200);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      if (connected) {
        LOG.debug("participant left: {}", e.toString()); // e.g. its close_notify
      } else if (!isClosed()) {
        LOG.warn("participant connection failed: {}", e.toString());
      }
    } finally {
      settled.countDown();
      if (transport != null) {
        try {
          transport.close();
        } catch (IOException ignored) {
          // Closing after the peer went away.
        }
      }
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** Flips the last hex digit so the fingerprint is well-formed but wrong. */
  private static String corrupt(String fingerprint) {
    char last = fingerprint.charAt(fingerprint.length() - 1);
    return fingerprint.substring(0, fingerprint.length() - 1) + (last == '0' ? '1' : '0');
  }
}
