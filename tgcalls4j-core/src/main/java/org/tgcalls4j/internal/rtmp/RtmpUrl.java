package org.tgcalls4j.internal.rtmp;

import java.net.URI;
import org.tgcalls4j.InvalidParamsException;

/** STAND-IN (branch rtmpwire owns this); deleted before the final commit. */
public record RtmpUrl(String scheme, String host, int port, String app, String tcUrl, String streamName) {
  public static RtmpUrl parse(String url, String key) throws InvalidParamsException {
    URI u = URI.create(url);
    String scheme = u.getScheme();
    if (!"rtmp".equals(scheme) && !"rtmps".equals(scheme)) throw new InvalidParamsException("url", "scheme");
    int port = u.getPort() > 0 ? u.getPort() : ("rtmps".equals(scheme) ? 443 : 1935);
    String path = u.getPath().replaceAll("^/+|/+$", "");
    return new RtmpUrl(scheme, u.getHost(), port, path, scheme + "://" + u.getHost() + ":" + port + "/" + path, key);
  }
  public boolean tls() { return "rtmps".equals(scheme); }
}
