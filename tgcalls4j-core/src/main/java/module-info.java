/**
 * tgcalls4j: Telegram group calls, RTMP ingest and private calls on the JVM.
 *
 * <p>Only {@code org.tgcalls4j} is API. Everything under {@code org.tgcalls4j.internal} is
 * implementation and is not exported, so a consumer on the module path cannot compile against it.
 *
 * <p>No {@code requires transitive}: no type of these modules appears in the exported API.
 * Gson is used only through its tree model ({@code JsonParser}, {@code JsonObject}) in
 * {@code org.tgcalls4j.internal.json.JsonCodec}; it never reflects on our classes, so nothing is
 * opened to it.
 */
module org.tgcalls4j {
  exports org.tgcalls4j;

  requires org.slf4j;
  requires com.google.gson;
  // org.bouncycastle.tls, .tls.crypto, .tls.crypto.impl.bc (bctls-jdk18on)
  requires org.bouncycastle.tls;
  // org.bouncycastle.cert.jcajce, .operator, .operator.jcajce (bcpkix-jdk18on)
  requires org.bouncycastle.pkix;
  // org.bouncycastle.asn1.x500, .crypto.params, .crypto.util (bcprov-jdk18on)
  requires org.bouncycastle.provider;
  // Opus in-process (Concentus 1.0.2 has no Automatic-Module-Name: the name comes from its file)
  requires concentus;
  // pacing lateness histograms (HdrHistogram 2.2.2 has no module descriptor: the name is its file's)
  requires HdrHistogram;
  // shared event loops and datagram channels (netty 4.2, NIO transport: pure JVM)
  requires io.netty.transport;
  requires io.netty.common;
  requires io.netty.buffer;
  // netty's epoll transport, used only when the application puts netty-transport-native-epoll on
  // the path (EventLoops checks before touching it)
  requires static io.netty.transport.classes.epoll;
  requires static io.netty.transport.unix.common;
  // bcutil-jdk18on (org.bouncycastle.util) is not used directly; bctls and bcpkix require it.
}
