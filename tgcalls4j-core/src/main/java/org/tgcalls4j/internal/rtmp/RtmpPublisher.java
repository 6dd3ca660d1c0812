package org.tgcalls4j.internal.rtmp;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.tgcalls4j.RtmpException;

/** STAND-IN (branch rtmpwire owns this): minimal publisher so tests can run; deleted before the final commit. */
public final class RtmpPublisher implements AutoCloseable {
  public interface Listener { void onDisconnected(RtmpException cause); }

  private static final int OUT_CHUNK = 4096;
  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final Listener listener;
  private int inChunk = 128;
  private int streamId;
  private volatile boolean closed;
  private final Map<Integer, int[]> hdr = new HashMap<>(); // csid -> {ts, len, type, msid}
  private final Map<Integer, ByteArrayOutputStream> partial = new HashMap<>();

  private RtmpPublisher(Socket s, Listener l) throws IOException {
    socket = s; out = s.getOutputStream(); in = new DataInputStream(s.getInputStream()); listener = l;
  }

  public static RtmpPublisher connect(RtmpUrl url, RtmpOptions options, Listener listener) throws RtmpException {
    Socket s = null;
    try {
      s = url.tls() ? options.sslSocketFactory().createSocket() : new Socket();
      s.connect(new InetSocketAddress(url.host(), url.port()), (int) options.connectTimeoutMillis());
      s.setSoTimeout((int) options.connectTimeoutMillis());
      s.setTcpNoDelay(true);
      RtmpPublisher p = new RtmpPublisher(s, listener);
      p.handshake();
      p.writeMessage(2, 1, 0, 0, new byte[] {0, 0, 0x10, 0});
      Map<String, Object> cmd = new LinkedHashMap<>();
      cmd.put("app", url.app()); cmd.put("type", "nonprivate"); cmd.put("flashVer", "FMLE/3.0 (compatible; FMSc/1.0)"); cmd.put("tcUrl", url.tcUrl());
      p.command(0, "connect", 1, cmd);
      p.await("_result", 1);
      p.command(0, "releaseStream", 2, null, url.streamName());
      p.command(0, "FCPublish", 3, null, url.streamName());
      p.command(0, "createStream", 4, (Object) null);
      List<Object> r = p.await("_result", 4);
      p.streamId = ((Double) r.get(3)).intValue();
      p.command(p.streamId, "publish", 5, null, url.streamName(), "live");
      List<Object> st = p.await("onStatus", -1);
      String code = String.valueOf(((Map<?, ?>) st.get(3)).get("code"));
      if (!"NetStream.Publish.Start".equals(code)) throw new RtmpException(code, "publish refused", null);
      s.setSoTimeout(0);
      options.threadFactory().newThread(p::readLoop).start();
      return p;
    } catch (IOException e) {
      try { if (s != null) s.close(); } catch (IOException ignored) { }
      throw new RtmpException("connect", e.toString(), e);
    } catch (RtmpException e) {
      try { s.close(); } catch (IOException ignored) { }
      throw e;
    }
  }

  private void handshake() throws IOException {
    byte[] c1 = new byte[1536];
    ThreadLocalRandom.current().nextBytes(c1);
    for (int i = 0; i < 8; i++) c1[i] = 0;
    out.write(3); out.write(c1); out.flush();
    in.readUnsignedByte();
    byte[] s1 = new byte[1536]; in.readFully(s1);
    out.write(s1); out.flush();
    in.readFully(new byte[1536]);
  }

  private void readLoop() {
    try { while (!closed) readMessage(); }
    catch (IOException e) { if (!closed) { closed = true; close0(); listener.onDisconnected(new RtmpException("disconnected", e.toString(), e)); } }
  }

  private List<Object> await(String name, int txn) throws IOException {
    while (true) {
      Object[] m = readMessage();
      if (m == null || (int) m[0] != 20) continue;
      List<Object> v = Amf.decode((byte[]) m[1]);
      if ("_error".equals(v.get(0))) throw new IOException("server error: " + v);
      if (name.equals(v.get(0)) && (txn < 0 || ((Double) v.get(1)).intValue() == txn)) return v;
    }
  }

  /** @return {type, body} of a completed message or null */
  private Object[] readMessage() throws IOException {
    int b0 = in.readUnsignedByte();
    int fmt = b0 >> 6, csid = b0 & 0x3F;
    if (csid == 0) csid = 64 + in.readUnsignedByte();
    else if (csid == 1) csid = 64 + in.readUnsignedByte() + 256 * in.readUnsignedByte();
    int[] h = hdr.computeIfAbsent(csid, k -> new int[4]);
    if (fmt <= 2) {
      int ts = u24();
      if (fmt <= 1) { h[1] = u24(); h[2] = in.readUnsignedByte(); }
      if (fmt == 0) { h[3] = Integer.reverseBytes(in.readInt()); }
      if (ts == 0xFFFFFF) in.readInt();
    }
    ByteArrayOutputStream buf = partial.computeIfAbsent(csid, k -> new ByteArrayOutputStream());
    int n = Math.min(inChunk, h[1] - buf.size());
    byte[] d = new byte[n]; in.readFully(d); buf.write(d);
    if (buf.size() < h[1]) return null;
    byte[] body = buf.toByteArray(); buf.reset();
    if (h[2] == 1) inChunk = ((body[0] & 0x7F) << 24) | ((body[1] & 0xFF) << 16) | ((body[2] & 0xFF) << 8) | (body[3] & 0xFF);
    return new Object[] {h[2], body};
  }

  private int u24() throws IOException { return (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte(); }

  private void command(int msid, String name, int txn, Object... args) throws IOException {
    List<Object> v = new ArrayList<>(); v.add(name); v.add((double) txn);
    for (Object a : args) v.add(a);
    writeMessage(3, 20, msid, 0, Amf.encode(v));
  }

  private synchronized void writeMessage(int csid, int type, int msid, int ts, byte[] body) throws IOException {
    writeMessage(csid, type, msid, ts, body, 0, body.length);
  }

  private synchronized void writeMessage(int csid, int type, int msid, int ts, byte[] body, int off, int len) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream(len + 64);
    boolean ext = ts >= 0xFFFFFF;
    o.write(csid); int t = ext ? 0xFFFFFF : ts;
    o.write(t >> 16); o.write(t >> 8); o.write(t); o.write(len >> 16); o.write(len >> 8); o.write(len); o.write(type);
    o.write(msid); o.write(msid >> 8); o.write(msid >> 16); o.write(msid >> 24);
    if (ext) { o.write(ts >>> 24); o.write(ts >> 16); o.write(ts >> 8); o.write(ts); }
    for (int p = 0; p < len; p += OUT_CHUNK) {
      if (p > 0) { o.write(0xC0 | csid); if (ext) { o.write(ts >>> 24); o.write(ts >> 16); o.write(ts >> 8); o.write(ts); } }
      o.write(body, off + p, Math.min(OUT_CHUNK, len - p));
    }
    out.write(o.toByteArray()); out.flush();
  }

  public void sendMetaData(Map<String, Object> metaData) throws RtmpException {
    List<Object> v = new ArrayList<>(); v.add("@setDataFrame"); v.add("onMetaData"); v.add(new Amf.EcmaArray(metaData));
    send(4, 18, 0, Amf.encode(v), 0, -1);
  }
  public void sendAudio(int timestampMillis, byte[] b, int offset, int length) throws RtmpException { send(4, 8, timestampMillis, b, offset, length); }
  public void sendVideo(int timestampMillis, byte[] b, int offset, int length) throws RtmpException { send(6, 9, timestampMillis, b, offset, length); }

  private void send(int csid, int type, int ts, byte[] b, int off, int len) throws RtmpException {
    if (closed) throw new RtmpException("closed", "connection closed", null);
    try { writeMessage(csid, type, streamId, ts, b, off, len < 0 ? b.length : len); }
    catch (IOException e) { throw new RtmpException("disconnected", e.toString(), e); }
  }

  @Override public void close() {
    if (closed) return;
    closed = true;
    try { command(0, "FCUnpublish", 6, null, ""); command(0, "deleteStream", 7, null, (double) streamId); } catch (IOException ignored) { }
    close0();
  }

  private void close0() { try { socket.close(); } catch (IOException ignored) { } }

  static final class Amf {
    record EcmaArray(Map<String, Object> map) {}
    static byte[] encode(List<Object> values) {
      ByteArrayOutputStream o = new ByteArrayOutputStream();
      for (Object v : values) put(o, v);
      return o.toByteArray();
    }
    private static void put(ByteArrayOutputStream o, Object v) {
      if (v == null) { o.write(5); }
      else if (v instanceof Number n) { o.write(0); long l = Double.doubleToLongBits(n.doubleValue()); for (int i = 7; i >= 0; i--) o.write((int) (l >> (8 * i))); }
      else if (v instanceof Boolean b) { o.write(1); o.write(b ? 1 : 0); }
      else if (v instanceof String s) { o.write(2); str(o, s); }
      else if (v instanceof EcmaArray e) { o.write(8); int n = e.map().size(); o.write(n >>> 24); o.write(n >> 16); o.write(n >> 8); o.write(n); props(o, e.map()); }
      else if (v instanceof Map<?, ?> m) { o.write(3); props(o, m); }
      else throw new IllegalArgumentException(v.toString());
    }
    private static void props(ByteArrayOutputStream o, Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) { str(o, (String) e.getKey()); put(o, e.getValue()); }
      o.write(0); o.write(0); o.write(9);
    }
    private static void str(ByteArrayOutputStream o, String s) { byte[] b = s.getBytes(StandardCharsets.UTF_8); o.write(b.length >> 8); o.write(b.length); o.write(b, 0, b.length); }
    static List<Object> decode(byte[] b) {
      List<Object> r = new ArrayList<>(); int[] p = {0};
      while (p[0] < b.length) r.add(get(b, p));
      return r;
    }
    private static Object get(byte[] b, int[] p) {
      int t = b[p[0]++];
      switch (t) {
        case 0: { long l = 0; for (int i = 0; i < 8; i++) l = (l << 8) | (b[p[0]++] & 0xFF); return Double.longBitsToDouble(l); }
        case 1: return b[p[0]++] != 0;
        case 2: return gstr(b, p);
        case 3: case 8: {
          if (t == 8) p[0] += 4;
          Map<String, Object> m = new LinkedHashMap<>();
          while (true) { String k = gstr(b, p); if (k.isEmpty() && b[p[0]] == 9) { p[0]++; return m; } m.put(k, get(b, p)); }
        }
        case 5: case 6: return null;
        default: throw new IllegalArgumentException("amf type " + t);
      }
    }
    private static String gstr(byte[] b, int[] p) { int n = ((b[p[0]] & 0xFF) << 8) | (b[p[0] + 1] & 0xFF); p[0] += 2; String s = new String(b, p[0], n, StandardCharsets.UTF_8); p[0] += n; return s; }
  }
}
