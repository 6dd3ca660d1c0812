package org.tgcalls4j.internal.rtmp;

import java.util.concurrent.ThreadFactory;
import javax.net.ssl.SSLSocketFactory;

/** STAND-IN (branch rtmpwire owns this); deleted before the final commit. */
public record RtmpOptions(long connectTimeoutMillis, ThreadFactory threadFactory, SSLSocketFactory sslSocketFactory) {
  public static RtmpOptions defaults() {
    return new RtmpOptions(10_000, r -> { Thread t = new Thread(r, "rtmp"); t.setDaemon(true); return t; }, (SSLSocketFactory) SSLSocketFactory.getDefault());
  }
}
