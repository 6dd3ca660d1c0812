package org.tgcalls4j.internal.rtmp.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An RTMP ingest on 127.0.0.1 as strict as the FMS-compatible servers described in the reference
 * (digest handshake required, FMLE flashVer required, Acknowledgement for every 2 500 000 bytes
 * it sends within 5 s). It resets the TCP connection ({@code SO_LINGER 0} + close) on the first
 * violation and records why. After {@code NetStream.Publish.Start} it sends a ping request and
 * AMF0 padding every 100 ms so the client has a window of bytes to acknowledge, and requires
 * each ping to be answered within 5 s. Application names other than {@code live} get a {@code
 * _error NetConnection.Connect.Rejected} reply. It also insists that the client only uses chunk types 0
 * and 3, sends Set Chunk Size first and answers Set Peer Bandwidth with Window Ack Size.
 * Independent of the production code (own chunking, AMF0 and digest code).
 */
public final class StrictRtmpServer implements AutoCloseable {
  public static final long WINDOW = 2_500_000;
  public static final long DEADLINE_MILLIS = 5000;
  public static final int STREAM_ID = 1;
  private static final int OUT_CHUNK_SIZE = 128;
  private static final long TICK_MILLIS = 100;

  private final ServerSocket serverSocket;
  private final int paddingBytesPerTick;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "strict-rtmp-ticker");
    t.setDaemon(true);
    return t;
  });
  private final List<Session> sessions = new CopyOnWriteArrayList<>();
  private final Thread acceptThread;
  private final SecureRandom random = new SecureRandom();

  private StrictRtmpServer(ServerSocket serverSocket, int paddingBytesPerSecond) {
    this.serverSocket = serverSocket;
    this.paddingBytesPerTick = (int) (paddingBytesPerSecond * TICK_MILLIS / 1000);
    this.acceptThread = new Thread(this::acceptLoop, "strict-rtmp-accept");
    acceptThread.setDaemon(true);
  }

  /**
   * @param paddingBytesPerSecond AMF0 padding sent to a publishing client per second (the data
   *     the client must acknowledge)
   */
  public static StrictRtmpServer start(int paddingBytesPerSecond) throws IOException {
    StrictRtmpServer server =
        new StrictRtmpServer(new ServerSocket(0, 8, InetAddress.getLoopbackAddress()), paddingBytesPerSecond);
    server.acceptThread.start();
    return server;
  }

  /** @return {@code rtmp://127.0.0.1:<port>/live/} */
  public String liveUrl() {
    return "rtmp://127.0.0.1:" + serverSocket.getLocalPort() + "/live/";
  }

  /** @return every connection accepted so far, oldest first */
  public List<Session> sessions() {
    return sessions;
  }

  private void acceptLoop() {
    while (!serverSocket.isClosed()) {
      try {
        Socket socket = serverSocket.accept();
        Session session = new Session(socket);
        sessions.add(session);
        session.thread.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Closes the listening socket and every session, and waits for their threads. */
  @Override
  public void close() {
    try {
      serverSocket.close();
    } catch (IOException e) {
      // ignore
    }
    for (Session session : sessions) {
      session.closeSocket();
    }
    ticker.shutdownNow();
    try {
      acceptThread.join(2000);
      for (Session session : sessions) {
        session.thread.join(2000);
      }
      ticker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One client connection and what the server saw on it. */
  public final class Session {
    private final Socket socket;
    private final Thread thread;
    private final Object writeLock = new Object();
    private OutputStream out;
    private volatile String resetReason;
    private volatile String flashVer;
    private volatile String streamName;
    private volatile boolean publishing;
    private volatile boolean metaData;
    private volatile boolean unpublished;
    private volatile boolean ended;
    private final AtomicLong audioMessages = new AtomicLong();
    private final AtomicLong videoMessages = new AtomicLong();
    private final AtomicLong mediaBytes = new AtomicLong();
    private final AtomicLong acknowledgements = new AtomicLong();
    private final AtomicLong pongs = new AtomicLong();
    private volatile long lastAckValue;
    private volatile long bytesSent;
    private volatile long lastPingMillis;
    private volatile long lastPongMillis;
    private long owingSinceMillis;
    private long startMillis;
    private boolean gotSetChunkSize;
    private boolean gotWindowAckSize;
    private int inChunkSize = 128;

    Session(Socket socket) {
      this.socket = socket;
      this.thread = new Thread(this::run, "strict-rtmp-session");
      thread.setDaemon(true);
    }

    /** @return why the server reset this client, or null */
    public String resetReason() {
      return resetReason;
    }

    public String flashVer() {
      return flashVer;
    }

    public String streamName() {
      return streamName;
    }

    public boolean publishing() {
      return publishing;
    }

    public boolean metaData() {
      return metaData;
    }

    /** @return whether FCUnpublish or deleteStream arrived */
    public boolean unpublished() {
      return unpublished;
    }

    /** @return whether the connection is over (closed by either side or reset) */
    public boolean ended() {
      return ended;
    }

    public long audioMessages() {
      return audioMessages.get();
    }

    public long videoMessages() {
      return videoMessages.get();
    }

    public long mediaBytes() {
      return mediaBytes.get();
    }

    public long acknowledgements() {
      return acknowledgements.get();
    }

    public long lastAcknowledgedBytes() {
      return lastAckValue;
    }

    public long pongs() {
      return pongs.get();
    }

    /** @return bytes sent to the client after the handshake */
    public long bytesSent() {
      return bytesSent;
    }

    private void run() {
      try (socket) {
        out = socket.getOutputStream();
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        if (handshake(in)) {
          readMessages(in);
        }
      } catch (IOException e) {
        // client went away or we reset it
      } finally {
        ended = true;
      }
    }

    private boolean handshake(DataInputStream in) throws IOException {
      int c0 = in.readUnsignedByte();
      byte[] c1 = new byte[1536];
      in.readFully(c1);
      if (c0 != 3) {
        return reset("C0 version " + c0);
      }
      int c1Digest = FlashDigest.find(c1, FlashDigest.shortKey(FlashDigest.PLAYER_TEXT));
      if (c1Digest < 0) {
        return reset("C1 has no valid digest");
      }
      byte[] s1 = new byte[1536];
      random.nextBytes(s1);
      Arrays.fill(s1, 0, 4, (byte) 0);
      s1[4] = 5; s1[5] = 0; s1[6] = 3; s1[7] = 1;
      int s1Digest = FlashDigest.sign(s1, FlashDigest.shortKey(FlashDigest.SERVER_TEXT));
      byte[] s2 = new byte[1536];
      random.nextBytes(s2);
      FlashDigest.signResponse(s2, FlashDigest.fullKey(FlashDigest.SERVER_TEXT), Arrays.copyOfRange(c1, c1Digest, c1Digest + 32));
      synchronized (writeLock) {
        out.write(3);
        out.write(s1);
        out.write(s2);
        out.flush();
      }
      byte[] c2 = new byte[1536];
      in.readFully(c2);
      if (!FlashDigest.signedResponse(c2, FlashDigest.fullKey(FlashDigest.PLAYER_TEXT), Arrays.copyOfRange(s1, s1Digest, s1Digest + 32))) {
        return reset("C2 is not signed for our S1 digest");
      }
      return true;
    }

    /** Chunk stream state: the last type-0 header and a partial message. */
    private final class InStream {
      long timestamp;
      int length;
      int typeId;
      int streamId;
      boolean extended;
      ByteArrayOutputStream partial;
    }

    private void readMessages(DataInputStream in) throws IOException {
      Map<Integer, InStream> streams = new HashMap<>();
      while (resetReason == null) {
        int first = in.readUnsignedByte();
        int fmt = first >>> 6;
        int csid = first & 0x3F;
        if (csid < 2) {
          reset("chunk stream id needs " + (csid + 2) + "-byte basic header; a publisher never does that");
          return;
        }
        InStream s = streams.computeIfAbsent(csid, k -> new InStream());
        if (fmt == 0) {
          if (s.partial != null) {
            reset("type-0 chunk in the middle of a message on chunk stream " + csid);
            return;
          }
          long ts = readUnsigned(in, 3);
          s.length = (int) readUnsigned(in, 3);
          s.typeId = in.readUnsignedByte();
          s.streamId = Integer.reverseBytes(in.readInt());
          s.extended = ts == 0xFFFFFF;
          s.timestamp = s.extended ? readUnsigned(in, 4) : ts;
        } else if (fmt == 3) {
          if (s.typeId == 0) {
            reset("type-3 chunk with no previous header on chunk stream " + csid);
            return;
          }
          if (s.extended) {
            readUnsigned(in, 4);
          }
        } else {
          reset("chunk type " + fmt + " (strict: only types 0 and 3)");
          return;
        }
        if (s.partial == null) {
          s.partial = new ByteArrayOutputStream(s.length);
        }
        byte[] piece = new byte[Math.min(inChunkSize, s.length - s.partial.size())];
        in.readFully(piece);
        s.partial.write(piece);
        if (s.partial.size() == s.length) {
          byte[] payload = s.partial.toByteArray();
          s.partial = null;
          onMessage(s.typeId, s.streamId, payload);
        }
      }
    }

    private void onMessage(int typeId, int streamId, byte[] payload) throws IOException {
      if (!gotSetChunkSize && typeId != 1) {
        reset("first message is type " + typeId + ", expected Set Chunk Size before connect");
        return;
      }
      switch (typeId) {
        case 1 -> {
          gotSetChunkSize = true;
          inChunkSize = (int) readUnsigned(payload, 0, 4);
        }
        case 3 -> {
          lastAckValue = readUnsigned(payload, 0, 4);
          acknowledgements.incrementAndGet();
        }
        case 4 -> {
          if (readUnsigned(payload, 0, 2) == 7) {
            pongs.incrementAndGet();
            lastPongMillis = System.currentTimeMillis();
          }
        }
        case 5 -> gotWindowAckSize = readUnsigned(payload, 0, 4) == WINDOW;
        case 8, 9 -> {
          if (!publishing || streamId != STREAM_ID) {
            reset("media before publish or on stream " + streamId);
            return;
          }
          (typeId == 8 ? audioMessages : videoMessages).incrementAndGet();
          mediaBytes.addAndGet(payload.length);
        }
        case 18 -> {
          List<Object> values = MiniAmf0.decode(payload);
          if (streamId == STREAM_ID && values.size() >= 3 && "@setDataFrame".equals(values.get(0))
              && "onMetaData".equals(values.get(1)) && values.get(2) instanceof Map) {
            metaData = true;
          }
        }
        case 20 -> onCommand(streamId, MiniAmf0.decode(payload));
        default -> reset("unexpected message type " + typeId);
      }
    }

    private void onCommand(int streamId, List<Object> command) throws IOException {
      String name = String.valueOf(command.get(0));
      double transaction = command.get(1) instanceof Double d ? d : 0;
      switch (name) {
        case "connect" -> {
          Map<?, ?> object = (Map<?, ?>) command.get(2);
          flashVer = String.valueOf(object.get("flashVer"));
          if (!flashVer.startsWith("FMLE/")) {
            reset("flashVer \"" + flashVer + "\" is not FMLE");
            return;
          }
          if (!"live".equals(object.get("app"))) {
            sendMessage(3, 20, 0, MiniAmf0.encode("_error", transaction, null,
                status("error", "NetConnection.Connect.Rejected", "unknown application " + object.get("app"))));
            return;
          }
          sendMessage(2, 5, 0, uint32(WINDOW));
          byte[] bandwidth = Arrays.copyOf(uint32(WINDOW), 5);
          bandwidth[4] = 2; // dynamic
          sendMessage(2, 6, 0, bandwidth);
          sendMessage(2, 4, 0, new byte[] {0, 0, 0, 0, 0, 0}); // StreamBegin 0
          Map<String, Object> properties = new LinkedHashMap<>();
          properties.put("fmsVer", "FMS/3,5,7,7009");
          properties.put("capabilities", 31.0);
          sendMessage(3, 20, 0, MiniAmf0.encode("_result", transaction, properties,
              status("status", "NetConnection.Connect.Success", "Connection succeeded.")));
          sendMessage(3, 20, 0, MiniAmf0.encode("onBWDone", 0.0, null));
        }
        case "releaseStream" -> sendMessage(3, 20, 0, MiniAmf0.encode("_result", transaction, null));
        case "FCPublish" -> sendMessage(3, 20, 0, MiniAmf0.encode("onFCPublish", 0.0, null,
            status("status", "NetStream.Publish.Start", "FCPublish")));
        case "createStream" -> {
          if (!gotWindowAckSize) {
            reset("Set Peer Bandwidth was not answered with Window Acknowledgement Size " + WINDOW);
            return;
          }
          sendMessage(3, 20, 0, MiniAmf0.encode("_result", transaction, null, (double) STREAM_ID));
        }
        case "publish" -> {
          if (streamId != STREAM_ID || command.size() < 5 || !"live".equals(command.get(4))) {
            reset("publish on stream " + streamId + " with " + command);
            return;
          }
          streamName = String.valueOf(command.get(3));
          sendMessage(2, 4, 0, new byte[] {0, 0, 0, 0, 0, STREAM_ID});
          sendMessage(5, 20, STREAM_ID, MiniAmf0.encode("onStatus", 0.0, null,
              status("status", "NetStream.Publish.Start", streamName + " is now published.")));
          publishing = true;
          startMillis = System.currentTimeMillis();
          lastPongMillis = startMillis;
          ticker.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
        case "FCUnpublish", "deleteStream" -> unpublished = true;
        default -> reset("unexpected command " + name);
      }
    }

    /**
     * Sends {@code onStatus} on the published stream, e.g. level {@code error} to drop the
     * publisher the way an ingest does when it rejects the stream mid-way.
     */
    public void sendStatus(String level, String code, String description) throws IOException {
      sendMessage(5, 20, STREAM_ID, MiniAmf0.encode("onStatus", 0.0, null, status(level, code, description)));
    }

    private Map<String, Object> status(String level, String code, String description) {
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("level", level);
      info.put("code", code);
      info.put("description", description);
      return info;
    }

    /** Every 100 ms: ping, padding, and the acknowledgement and ping deadlines. */
    private void tick() {
      if (ended || resetReason != null || unpublished) {
        throw new IllegalStateException("stop ticking"); // cancels the periodic task
      }
      long now = System.currentTimeMillis();
      try {
        long owed = bytesSent - lastAckValue;
        if (owed > WINDOW + 64 * 1024) {
          if (owingSinceMillis == 0) {
            owingSinceMillis = now;
          } else if (now - owingSinceMillis > DEADLINE_MILLIS) {
            reset("no Acknowledgement within 5 s: " + owed + " bytes unacknowledged");
            return;
          }
        } else {
          owingSinceMillis = 0;
        }
        if (lastPingMillis - lastPongMillis > DEADLINE_MILLIS) {
          reset("ping not answered within 5 s");
          return;
        }
        byte[] ping = Arrays.copyOf(new byte[] {0, 6}, 6);
        System.arraycopy(uint32(now - startMillis), 0, ping, 2, 4);
        sendMessage(2, 4, 0, ping);
        lastPingMillis = now;
        for (int left = paddingBytesPerTick; left > 0; left -= 32_000) {
          sendMessage(3, 18, 0, MiniAmf0.encode("onPadding", "x".repeat(Math.min(left, 32_000))));
        }
      } catch (IOException e) {
        closeSocket();
      }
    }

    private void sendMessage(int csid, int typeId, int streamId, byte[] payload) throws IOException {
      ByteArrayOutputStream chunks = new ByteArrayOutputStream(payload.length + 64);
      chunks.write(csid);
      chunks.writeBytes(Arrays.copyOfRange(uint32(0), 1, 4)); // timestamp 0
      chunks.writeBytes(Arrays.copyOfRange(uint32(payload.length), 1, 4));
      chunks.write(typeId);
      chunks.writeBytes(uint32(Integer.reverseBytes(streamId) & 0xFFFFFFFFL));
      for (int offset = 0; offset < payload.length; offset += OUT_CHUNK_SIZE) {
        if (offset > 0) {
          chunks.write(0xC0 | csid);
        }
        chunks.write(payload, offset, Math.min(OUT_CHUNK_SIZE, payload.length - offset));
      }
      synchronized (writeLock) {
        out.write(chunks.toByteArray());
        out.flush();
        bytesSent += chunks.size();
      }
    }

    private boolean reset(String reason) {
      if (resetReason == null) {
        resetReason = reason;
      }
      try {
        socket.setSoLinger(true, 0);
      } catch (IOException e) {
        // already closed
      }
      closeSocket();
      return false;
    }

    void closeSocket() {
      try {
        socket.close();
      } catch (IOException e) {
        // ignore
      }
    }
  }

  private static long readUnsigned(InputStream in, int bytes) throws IOException {
    long value = 0;
    for (int i = 0; i < bytes; i++) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException();
      }
      value = (value << 8) | b;
    }
    return value;
  }

  private static long readUnsigned(byte[] b, int offset, int bytes) throws IOException {
    if (b.length < offset + bytes) {
      throw new IOException("message too short");
    }
    long value = 0;
    for (int i = 0; i < bytes; i++) {
      value = (value << 8) | (b[offset + i] & 0xFF);
    }
    return value;
  }

  private static byte[] uint32(long value) {
    return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
  }

  /** Just enough AMF0 for the commands above. */
  static final class MiniAmf0 {
    static byte[] encode(Object... values) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (Object value : values) {
        write(out, value);
      }
      return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, Object value) {
      if (value == null) {
        out.write(5);
      } else if (value instanceof Double d) {
        out.write(0);
        long bits = Double.doubleToLongBits(d);
        for (int shift = 56; shift >= 0; shift -= 8) {
          out.write((int) (bits >>> shift));
        }
      } else if (value instanceof String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.write(2);
        out.write(utf8.length >>> 8);
        out.write(utf8.length);
        out.writeBytes(utf8);
      } else if (value instanceof Map<?, ?> map) {
        out.write(3);
        for (Map.Entry<?, ?> e : map.entrySet()) {
          byte[] key = ((String) e.getKey()).getBytes(StandardCharsets.UTF_8);
          out.write(key.length >>> 8);
          out.write(key.length);
          out.writeBytes(key);
          write(out, e.getValue());
        }
        out.writeBytes(new byte[] {0, 0, 9});
      } else {
        throw new IllegalArgumentException(String.valueOf(value));
      }
    }

    static List<Object> decode(byte[] payload) throws IOException {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
      List<Object> values = new ArrayList<>();
      while (in.available() > 0) {
        values.add(read(in));
      }
      return values;
    }

    private static Object read(DataInputStream in) throws IOException {
      int marker = in.readUnsignedByte();
      switch (marker) {
        case 0: return in.readDouble();
        case 1: return in.readUnsignedByte() != 0;
        case 2: return in.readUTF();
        case 5: case 6: return null;
        case 8:
          in.readInt(); // an ECMA array is an object with a count in front
          return readObject(in);
        case 3:
          return readObject(in);
        default: throw new IOException("AMF0 marker " + marker);
      }
    }

    private static Map<String, Object> readObject(DataInputStream in) throws IOException {
      Map<String, Object> map = new LinkedHashMap<>();
      while (true) {
        String key = in.readUTF();
        if (key.isEmpty()) {
          if (in.readUnsignedByte() != 9) {
            throw new IOException("bad object end");
          }
          return map;
        }
        map.put(key, read(in));
      }
    }
  }
}
