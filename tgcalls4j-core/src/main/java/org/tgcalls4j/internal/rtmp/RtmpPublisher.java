package org.tgcalls4j.internal.rtmp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.RtmpException;

/**
 * Publishes one live stream to an RTMP(S) ingest the way FMLE/OBS/FFmpeg do (Adobe RTMP
 * specification 1.0 §5-§7 plus the FMS conventions strict ingests enforce: digest handshake,
 * Set Chunk Size 4096 before {@code connect}, FMLE {@code flashVer}, acknowledgements for every
 * half-window of received bytes, a reader that consumes every server message).
 *
 * <p>Threads: {@link #connect} blocks the caller; afterwards one reader thread from
 * {@link RtmpOptions#threadFactory()} consumes server messages and answers pings, peer bandwidth
 * and acknowledgement windows. The {@code send*} methods are meant for one writer thread; all
 * writes share one lock. {@link #close()} may be called from any thread, any number of times.
 *
 * <p>Exception messages and logs show the stream key only as {@link RtmpUrl#redact}.
 */
public final class RtmpPublisher implements AutoCloseable {
  /** Told when a published stream ends without {@link #close()} being called. */
  public interface Listener {
    /**
     * Called at most once, on the reader thread, when the connection breaks or the server
     * reports an error ({@code onStatus} with level {@code error}) after publishing started; the
     * publisher is already closed. Must not block for long.
     *
     * @param cause the server's status code and description, or {@code disconnected}/{@code
     *     protocol} with the underlying error as cause
     */
    void onDisconnected(RtmpException cause);
  }

  private static final Logger LOG = LoggerFactory.getLogger(RtmpPublisher.class);

  /** Chunk size we announce before connect (what OBS and FFmpeg use). */
  static final int CHUNK_SIZE = 4096;

  static final String FLASH_VER = "FMLE/3.0 (compatible; FMSc/1.0)";

  static final int CSID_CONTROL = 2;
  static final int CSID_COMMAND = 3;
  static final int CSID_AUDIO = 4;
  static final int CSID_DATA = 5;
  static final int CSID_VIDEO = 6;

  private static final long CLOSE_LOCK_WAIT_MILLIS = 1000;
  private static final long READER_JOIN_MILLIS = 2000;

  private final RtmpUrl url;
  private final Listener listener;
  private final Socket rawSocket;
  private final Socket socket;
  private final ChunkReader reader;
  private final OutputStream out;
  private final ChunkWriter writer = new ChunkWriter();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicLong bytesSent;
  private final AtomicLong acknowledgementsSent = new AtomicLong();
  private final Map<Integer, CompletableFuture<List<Object>>> pendingResults = new ConcurrentHashMap<>();
  private final CompletableFuture<Map<?, ?>> publishStatus = new CompletableFuture<>();
  private final Object stateLock = new Object();
  private Thread readerThread;
  private int nextTransactionId = 1;
  private volatile int messageStreamId;

  // guarded by stateLock
  private boolean published;
  private boolean broken;
  /**
   * The first failure seen on either side (the reader's error, or a write's that came first):
   * every later report of the broken connection repeats it, so that a race between the writer
   * and the reader closing the socket cannot replace the real cause with "Socket closed".
   */
  private RtmpException failure;
  private boolean closed;

  // reader thread only
  private long acknowledgementWindow;
  private long lastAcknowledged;
  private long lastWindowAckSizeSent = -1;

  private RtmpPublisher(
      RtmpUrl url, Listener listener, Socket rawSocket, Socket socket, InputStream in, CountingOutputStream counted) {
    this.url = url;
    this.listener = listener;
    this.rawSocket = rawSocket;
    this.socket = socket;
    this.reader = new ChunkReader(in);
    this.bytesSent = counted.count;
    this.out = new BufferedOutputStream(counted, CHUNK_SIZE + 64);
  }

  /**
   * Connects, handshakes and publishes {@link RtmpUrl#streamName()} as a live stream, returning
   * once the server answered {@code onStatus NetStream.Publish.Start}.
   *
   * @param url where to publish
   * @param options timeout, reader thread factory, TLS socket factory
   * @param listener told on the reader thread if the stream later breaks
   * @throws RtmpException with the server's code ({@code NetConnection.Connect.Rejected}, {@code
   *     NetStream.Publish.BadName}, ...) when it refuses, or {@code timeout} when {@link
   *     RtmpOptions#connectTimeoutMillis()} passes, {@code io} when the TCP or TLS connection
   *     fails, {@code handshake} when the RTMP handshake fails, {@code protocol} for a malformed
   *     reply; nothing is left open
   */
  public static RtmpPublisher connect(RtmpUrl url, RtmpOptions options, Listener listener)
      throws RtmpException {
    return connect(url, options, listener, true);
  }

  /** As {@link #connect(RtmpUrl, RtmpOptions, Listener)}; {@code digestHandshake=false} is for tests. */
  static RtmpPublisher connect(RtmpUrl url, RtmpOptions options, Listener listener, boolean digestHandshake)
      throws RtmpException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.connectTimeoutMillis());
    Socket raw = new Socket();
    Socket socket = raw;
    RtmpPublisher publisher = null;
    try {
      try {
        raw.setTcpNoDelay(true);
        raw.connect(new InetSocketAddress(url.host(), url.port()), remainingMillis(deadline));
        if (url.tls()) {
          SSLSocket ssl = (SSLSocket) options.sslSocketFactory().createSocket(raw, url.host(), url.port(), true);
          SSLParameters parameters = ssl.getSSLParameters();
          parameters.setEndpointIdentificationAlgorithm("HTTPS");
          ssl.setSSLParameters(parameters);
          raw.setSoTimeout(remainingMillis(deadline));
          ssl.startHandshake();
          socket = ssl;
        }
      } catch (SocketTimeoutException e) {
        throw new RtmpException("timeout", "connecting to " + url.host() + ":" + url.port(), e);
      } catch (IOException e) {
        throw new RtmpException("io", "connecting to " + url.host() + ":" + url.port() + ": " + e, e);
      }
      CountingOutputStream counted;
      InputStream in;
      try {
        counted = new CountingOutputStream(socket.getOutputStream());
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        handshake(raw, in, counted, digestHandshake, deadline);
        raw.setSoTimeout(0);
      } catch (SocketTimeoutException e) {
        throw new RtmpException("timeout", "RTMP handshake", e);
      } catch (IOException e) {
        throw new RtmpException("handshake", "RTMP handshake: " + e, e);
      }
      publisher = new RtmpPublisher(url, listener, raw, socket, in, counted);
      publisher.startReader(options);
      publisher.publish(deadline);
      return publisher;
    } catch (RtmpException | RuntimeException e) {
      if (publisher != null) {
        publisher.close();
      } else {
        closeQuietly(socket);
        closeQuietly(raw);
      }
      throw e;
    }
  }

  private static void handshake(
      Socket raw, InputStream in, OutputStream out, boolean digest, long deadline)
      throws IOException, RtmpException {
    Handshake handshake = new Handshake(new SecureRandom(), digest);
    out.write(handshake.c0c1());
    out.flush();
    byte[] s0s1s2 = new byte[1 + 2 * Handshake.PACKET_SIZE];
    for (int n = 0; n < s0s1s2.length; ) {
      raw.setSoTimeout(remainingMillis(deadline));
      int read = in.read(s0s1s2, n, s0s1s2.length - n);
      if (read < 0) {
        throw new EOFException("server closed the connection after " + n + " handshake bytes");
      }
      n += read;
    }
    try {
      out.write(handshake.c2(s0s1s2));
    } catch (Handshake.HandshakeException e) {
      throw new RtmpException("handshake", e.getMessage(), e);
    }
    out.flush();
  }

  private void startReader(RtmpOptions options) {
    readerThread = options.threadFactory().newThread(this::readLoop);
    readerThread.start();
  }

  /** connect, releaseStream, FCPublish, createStream, publish; waits for Publish.Start. */
  private void publish(long deadline) throws RtmpException {
    String name = url.streamName();
    try {
      byte[] size = {0, 0, (byte) (CHUNK_SIZE >>> 8), (byte) CHUNK_SIZE};
      writeLock.lock();
      try {
        writer.write(out, CSID_CONTROL, RtmpMessage.SET_CHUNK_SIZE, 0, 0, size, 0, size.length);
        writer.setChunkSize(CHUNK_SIZE);
      } finally {
        writeLock.unlock();
      }
      Map<String, Object> command = new LinkedHashMap<>();
      command.put("app", url.app());
      command.put("type", "nonprivate");
      command.put("flashVer", FLASH_VER);
      command.put("swfUrl", url.tcUrl());
      command.put("tcUrl", url.tcUrl());
      List<Object> connectReply = await(call("connect", command), deadline, "connect");
      if ("_error".equals(connectReply.get(0))) {
        throw serverError(connectReply, "NetConnection.Connect.Rejected");
      }
      if (connectReply.size() > 3
          && connectReply.get(3) instanceof Map<?, ?> info
          && info.get("code") instanceof String code
          && !code.equals("NetConnection.Connect.Success")) {
        throw serverError(connectReply, code);
      }
      sendCommand(0, "releaseStream", nextTransactionId(), null, name);
      sendCommand(0, "FCPublish", nextTransactionId(), null, name);
      List<Object> created = await(call("createStream", (Object) null), deadline, "createStream");
      if (!"_result".equals(created.get(0)) || created.size() < 4 || !(created.get(3) instanceof Number id)) {
        throw serverError(created, "NetStream.CreateStream.Failed");
      }
      messageStreamId = id.intValue();
      sendCommand(messageStreamId, "publish", nextTransactionId(), null, name, "live");
      Map<?, ?> status = awaitStatus(deadline);
      String code = String.valueOf(status.get("code"));
      if (!code.equals("NetStream.Publish.Start")) {
        throw new RtmpException(code, describe(status), null);
      }
    } catch (IOException e) {
      throw firstFailure(new RtmpException("io", "sending commands: " + e, e));
    }
    synchronized (stateLock) {
      if (broken || closed) {
        throw firstFailure(new RtmpException("disconnected",
            "connection lost right after NetStream.Publish.Start", null));
      }
      published = true;
    }
  }

  /** Sends a NetConnection command (message stream 0) whose reply we wait for. */
  private CompletableFuture<List<Object>> call(String name, Object... arguments) throws IOException {
    int transactionId = nextTransactionId();
    CompletableFuture<List<Object>> reply = new CompletableFuture<>();
    pendingResults.put(transactionId, reply);
    synchronized (stateLock) {
      if (broken || closed) {
        reply.completeExceptionally(firstFailure(
            new RtmpException("disconnected", "connection lost before " + name, null)));
      }
    }
    sendCommand(0, name, transactionId, arguments);
    return reply;
  }

  private synchronized int nextTransactionId() {
    return nextTransactionId++;
  }

  private void sendCommand(int streamId, String name, int transactionId, Object... arguments) throws IOException {
    Object[] all = new Object[2 + arguments.length];
    all[0] = name;
    all[1] = transactionId;
    System.arraycopy(arguments, 0, all, 2, arguments.length);
    send(CSID_COMMAND, RtmpMessage.AMF0_COMMAND, streamId, Amf0.encode(all));
  }

  private static List<Object> await(CompletableFuture<List<Object>> reply, long deadline, String what)
      throws RtmpException {
    try {
      return reply.get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new RtmpException("timeout", "no reply to " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RtmpException("interrupted", "waiting for the reply to " + what, e);
    } catch (ExecutionException e) {
      throw asRtmpException(e.getCause());
    }
  }

  private Map<?, ?> awaitStatus(long deadline) throws RtmpException {
    try {
      return publishStatus.get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new RtmpException("timeout", "no NetStream.Publish.Start for " + RtmpUrl.redact(url.streamName()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RtmpException("interrupted", "waiting for NetStream.Publish.Start", e);
    } catch (ExecutionException e) {
      throw asRtmpException(e.getCause());
    }
  }

  private static RtmpException asRtmpException(Throwable cause) {
    return cause instanceof RtmpException rtmp ? rtmp : new RtmpException("protocol", String.valueOf(cause), cause);
  }

  private String describe(Map<?, ?> info) {
    return scrub(info.get("description") instanceof String d ? d : "onStatus " + info);
  }

  /** Hides the stream key and query secrets in server text (descriptions often quote them). */
  private String scrub(String text) {
    return url.scrub(text);
  }

  private RtmpException serverError(List<Object> reply, String defaultCode) {
    String code = defaultCode;
    String description = String.valueOf(reply);
    if (reply.size() > 3 && reply.get(3) instanceof Map<?, ?> info) {
      if (info.get("code") instanceof String c) {
        code = c;
      }
      if (info.get("description") instanceof String d) {
        description = d;
      }
    }
    return new RtmpException(code, scrub(description), null);
  }

  /**
   * Sends {@code @setDataFrame onMetaData} with the given properties as an ECMA array on the
   * published stream, timestamp 0 (FLV specification §E.5 onMetaData). See {@link #metaData}.
   *
   * @param metaData property name to Number, Boolean or String; not retained
   * @throws RtmpException {@code closed} after {@link #close()}; once the connection broke, its
   *     first failure (the one the listener got, e.g. the server's status code or
   *     {@code protocol}); {@code io} when this write fails first (the connection is then closed)
   */
  public void sendMetaData(Map<String, Object> metaData) throws RtmpException {
    byte[] payload = Amf0.encode("@setDataFrame", "onMetaData", new Amf0.EcmaArray(metaData));
    sendMedia(CSID_DATA, RtmpMessage.AMF0_DATA, 0, payload, 0, payload.length);
  }

  /**
   * The onMetaData properties FFmpeg's FLV muxer writes for H.264 + AAC (live: duration and
   * filesize 0).
   *
   * @param frameRate frames per second
   * @param videoKbps video bit rate, kbit/s
   * @param audioKbps audio bit rate, kbit/s
   * @param audioSampleRateHz e.g. 44100 or 48000
   * @return a new mutable map for {@link #sendMetaData}
   */
  public static Map<String, Object> metaData(
      int width, int height, double frameRate, double videoKbps, double audioKbps, int audioSampleRateHz, boolean stereo) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("duration", 0.0);
    m.put("width", (double) width);
    m.put("height", (double) height);
    m.put("framerate", frameRate);
    m.put("videocodecid", 7.0); // AVC
    m.put("videodatarate", videoKbps);
    m.put("audiocodecid", 10.0); // AAC
    m.put("audiodatarate", audioKbps);
    m.put("audiosamplerate", (double) audioSampleRateHz);
    m.put("audiosamplesize", 16.0);
    m.put("stereo", stereo);
    m.put("encoder", "tgcalls4j");
    m.put("filesize", 0.0);
    return m;
  }

  /**
   * Sends one FLV audio tag body (FLV specification §E.4.2: sound format byte, then e.g. the AAC
   * packet type and data) as an RTMP audio message.
   *
   * @param timestampMillis presentation time in milliseconds, taken as unsigned 32 bits
   * @param flvAudioBody read during the call only
   * @throws RtmpException as {@link #sendMetaData}
   */
  public void sendAudio(int timestampMillis, byte[] flvAudioBody, int offset, int length) throws RtmpException {
    sendMedia(CSID_AUDIO, RtmpMessage.AUDIO, timestampMillis, flvAudioBody, offset, length);
  }

  /**
   * Sends one FLV video tag body (FLV specification §E.4.3: frame type/codec byte, AVC packet
   * type, composition time, data) as an RTMP video message.
   *
   * @param timestampMillis decode time in milliseconds, taken as unsigned 32 bits
   * @param flvVideoBody read during the call only
   * @throws RtmpException as {@link #sendMetaData}
   */
  public void sendVideo(int timestampMillis, byte[] flvVideoBody, int offset, int length) throws RtmpException {
    sendMedia(CSID_VIDEO, RtmpMessage.VIDEO, timestampMillis, flvVideoBody, offset, length);
  }

  private void sendMedia(int csid, int typeId, int timestampMillis, byte[] body, int offset, int length)
      throws RtmpException {
    synchronized (stateLock) {
      if (closed) {
        throw new RtmpException("closed", "publisher was closed", null);
      }
      if (broken) {
        throw firstFailure(
            new RtmpException("disconnected", "connection to " + url.host() + " is broken", null));
      }
    }
    writeLock.lock();
    try {
      writer.write(out, csid, typeId, messageStreamId, timestampMillis & 0xFFFFFFFFL, body, offset, length);
      out.flush();
    } catch (IOException e) {
      // the reader sees the closed socket and reports through the listener on its thread; if
      // this write failed first, its error is the one reported there too
      RtmpException cause = firstFailure(new RtmpException("io", "sending to " + url.host() + ": " + e, e));
      closeQuietly(rawSocket);
      throw cause;
    } finally {
      writeLock.unlock();
    }
  }

  private void send(int csid, int typeId, int streamId, byte[] payload) throws IOException {
    writeLock.lock();
    try {
      writer.write(out, csid, typeId, streamId, 0, payload, 0, payload.length);
      out.flush();
    } finally {
      writeLock.unlock();
    }
  }

  /** @return bytes written to the connection so far, handshake included (before TLS) */
  public long bytesSent() {
    return bytesSent.get();
  }

  /** @return Acknowledgement messages sent for the server's window so far */
  public long acknowledgementsSent() {
    return acknowledgementsSent.get();
  }

  private void readLoop() {
    try {
      while (true) {
        RtmpMessage message = reader.readChunk();
        if (message != null) {
          handle(message);
        }
        acknowledgeIfDue();
      }
    } catch (RtmpException e) {
      fail(e);
    } catch (ProtocolException e) {
      fail(new RtmpException("protocol", e.getMessage(), e));
    } catch (IOException | RuntimeException e) {
      fail(new RtmpException("disconnected", "connection to " + url.host() + " lost: " + e, e));
    } catch (Error e) {
      // e.g. OutOfMemoryError: the connection is unusable, and the owner must still hear of it
      fail(new RtmpException("disconnected", "RTMP reader failed: " + e, e));
      throw e;
    }
  }

  /**
   * Sends an Acknowledgement once half the server's window has been received, checked after
   * every chunk, as FFmpeg does (libavformat/rtmpproto.c halves the Window Acknowledgement Size):
   * a server that stops sending at the full window until it is acknowledged never waits on us,
   * even in the middle of a long message.
   */
  private void acknowledgeIfDue() throws IOException {
    long read = reader.bytesRead();
    if (acknowledgementWindow > 0 && read - lastAcknowledged >= Math.max(1, acknowledgementWindow / 2)) {
      // sequence number = bytes received so far (spec §5.4.3), after the handshake
      send(CSID_CONTROL, RtmpMessage.ACKNOWLEDGEMENT, 0, int32(read));
      lastAcknowledged = read;
      acknowledgementsSent.incrementAndGet();
    }
  }

  private void handle(RtmpMessage message) throws IOException, RtmpException {
    byte[] p = message.payload();
    switch (message.typeId()) {
      case RtmpMessage.SET_CHUNK_SIZE -> reader.setChunkSize((int) uint32(p, 0));
      case RtmpMessage.ABORT -> reader.abort((int) uint32(p, 0));
      case RtmpMessage.ACKNOWLEDGEMENT -> LOG.trace("server acknowledged {} bytes", uint32(p, 0));
      case RtmpMessage.USER_CONTROL -> {
        need(p, 2);
        int event = ((p[0] & 0xFF) << 8) | (p[1] & 0xFF);
        if (event == RtmpMessage.USER_PING_REQUEST) {
          long timestamp = uint32(p, 2);
          byte[] pong = {0, RtmpMessage.USER_PING_RESPONSE, 0, 0, 0, 0};
          System.arraycopy(int32(timestamp), 0, pong, 2, 4);
          send(CSID_CONTROL, RtmpMessage.USER_CONTROL, 0, pong);
        } else {
          LOG.debug("user control event {}", event);
        }
      }
      case RtmpMessage.WINDOW_ACK_SIZE -> acknowledgementWindow = uint32(p, 0);
      case RtmpMessage.SET_PEER_BANDWIDTH -> {
        long window = uint32(p, 0);
        if (window != lastWindowAckSizeSent) {
          // spec §5.4.5: answer with Window Acknowledgement Size when it differs from the last sent
          send(CSID_CONTROL, RtmpMessage.WINDOW_ACK_SIZE, 0, int32(window));
          lastWindowAckSizeSent = window;
        }
      }
      case RtmpMessage.AMF0_COMMAND -> handleCommand(Amf0.decodeAll(p, 0, p.length));
      case RtmpMessage.AMF3_COMMAND -> {
        need(p, 1); // a format byte, then AMF0 values (spec §7.1.1)
        handleCommand(Amf0.decodeAll(p, 1, p.length - 1));
      }
      default -> LOG.debug("ignored message type {} ({} bytes)", message.typeId(), p.length);
    }
  }

  private void handleCommand(List<Object> values) throws RtmpException {
    if (values.size() < 2 || !(values.get(0) instanceof String name)) {
      LOG.debug("ignored command {}", scrub(String.valueOf(values)));
      return;
    }
    switch (name) {
      case "_result", "_error" -> {
        if (values.get(1) instanceof Number id) {
          CompletableFuture<List<Object>> pending = pendingResults.remove(id.intValue());
          if (pending != null) {
            pending.complete(values);
          } else {
            LOG.debug("unsolicited {}", scrub(String.valueOf(values)));
          }
        }
      }
      case "onStatus" -> {
        Map<?, ?> info = values.size() > 3 && values.get(3) instanceof Map<?, ?> m ? m : Map.of();
        LOG.debug("onStatus {}", scrub(String.valueOf(info)));
        boolean error = "error".equals(info.get("level"));
        if (!publishStatus.isDone() && (error || "NetStream.Publish.Start".equals(info.get("code")))) {
          publishStatus.complete(info);
        } else if (error) {
          throw new RtmpException(String.valueOf(info.get("code")), describe(info), null);
        }
      }
      default -> LOG.debug("ignored command {}", scrub(String.valueOf(values)));
    }
  }

  /**
   * Records {@code cause} as the connection's failure unless one was recorded before.
   *
   * @return the first failure: the recorded one (as a new exception with the same message, whose
   *     cause is the original) or {@code cause}
   */
  private RtmpException firstFailure(RtmpException cause) {
    RtmpException first;
    synchronized (stateLock) {
      if (failure == null) {
        failure = cause;
        return cause;
      }
      first = failure;
    }
    if (first == cause) {
      return cause;
    }
    String message = first.getMessage();
    String prefix = first.code() + ": ";
    return new RtmpException(first.code(),
        message.startsWith(prefix) ? message.substring(prefix.length()) : message, first);
  }

  private void fail(RtmpException reported) {
    boolean notify;
    RtmpException cause;
    synchronized (stateLock) {
      if (closed || broken) {
        return;
      }
      broken = true;
      notify = published;
      if (failure == null) {
        failure = reported;
      }
      cause = failure;
    }
    closeQuietly(rawSocket);
    closeQuietly(socket);
    if (notify) {
      try {
        listener.onDisconnected(cause);
      } catch (RuntimeException e) {
        LOG.warn("RTMP listener threw", e);
      }
    } else {
      publishStatus.completeExceptionally(cause);
      pendingResults.values().forEach(f -> f.completeExceptionally(cause));
    }
  }

  /**
   * Sends {@code FCUnpublish} and {@code deleteStream} if the stream is up, closes the connection
   * and waits briefly for the reader thread to end. Never calls the listener. Idempotent.
   */
  @Override
  public void close() {
    boolean goodbye;
    synchronized (stateLock) {
      if (closed) {
        return;
      }
      closed = true;
      goodbye = published && !broken;
    }
    RtmpException closedCause = new RtmpException("closed", "publisher was closed", null);
    publishStatus.completeExceptionally(closedCause);
    pendingResults.values().forEach(f -> f.completeExceptionally(closedCause));
    boolean graceful = false;
    if (goodbye) {
      try {
        if (writeLock.tryLock(CLOSE_LOCK_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          try {
            sendCommand(0, "FCUnpublish", nextTransactionId(), null, url.streamName());
            sendCommand(0, "deleteStream", nextTransactionId(), null, messageStreamId);
            graceful = true;
          } finally {
            writeLock.unlock();
          }
        }
      } catch (IOException e) {
        LOG.debug("goodbye to {} failed", url.host(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (graceful) {
      closeQuietly(socket); // TLS close_notify, then FIN
    }
    closeQuietly(rawSocket);
    closeQuietly(socket);
    Thread thread = readerThread;
    if (thread != null && thread != Thread.currentThread()) {
      try {
        thread.join(READER_JOIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int remainingMillis(long deadline) throws RtmpException {
    long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (remaining <= 0) {
      throw new RtmpException("timeout", "connect timeout elapsed", null);
    }
    return (int) Math.min(Integer.MAX_VALUE, remaining);
  }

  private static void need(byte[] p, int bytes) throws ProtocolException {
    if (p.length < bytes) {
      throw new ProtocolException("control message of " + p.length + " bytes, needs " + bytes);
    }
  }

  private static long uint32(byte[] p, int offset) throws ProtocolException {
    need(p, offset + 4);
    return ((long) (p[offset] & 0xFF) << 24)
        | ((p[offset + 1] & 0xFF) << 16)
        | ((p[offset + 2] & 0xFF) << 8)
        | (p[offset + 3] & 0xFF);
  }

  private static byte[] int32(long value) {
    return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      LOG.trace("close", e);
    }
  }

  /** Counts bytes written to the socket. */
  private static final class CountingOutputStream extends FilterOutputStream {
    final AtomicLong count = new AtomicLong();

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count.incrementAndGet();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count.addAndGet(len);
    }
  }
}
