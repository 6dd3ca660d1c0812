package org.tgcalls4j.internal.rtmp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.tgcalls4j.InvalidParamsException;

/**
 * Where and under which name to publish, split the way FMLE-style clients split an ingest URL:
 * the application is every path segment before the last, the stream name is the last segment
 * (normally the stream key). A query string is kept verbatim: it always ends {@code tcUrl}, and
 * when it follows the key it also stays in the stream name (auth schemes such as
 * {@code ?wsSecret=..&wsTime=..} read it from either place).
 *
 * <p>The stream key is a secret: {@link #toString()} and the exception messages of
 * {@link #parse} never show more than its first four characters ({@link #redact}).
 *
 * @param scheme {@code rtmp} or {@code rtmps}, lower case
 * @param host host name or IP literal (IPv6 without brackets)
 * @param port TCP port; 1935 for rtmp and 443 for rtmps unless given
 * @param app the connect command's {@code app}, e.g. {@code s} or {@code live/inst}
 * @param tcUrl the connect command's {@code tcUrl}: scheme, authority as written, app and query
 * @param streamName the name given to {@code releaseStream}, {@code FCPublish} and {@code publish}
 */
public record RtmpUrl(
    String scheme, String host, int port, String app, String tcUrl, String streamName) {

  /**
   * Combines an ingest URL and a stream key as Telegram hands them out
   * ({@code rtmps://dc4-1.rtmp.t.me/s/} and {@code 123456:AbCd...}).
   *
   * @param url {@code rtmp://host[:port]/app[/inst][/name][?query]} or the same with {@code rtmps}
   * @param key the stream key appended as the last path segment; null or empty when the URL
   *     already ends with the stream name
   * @throws InvalidParamsException (field {@code url}) for an unsupported scheme, missing host,
   *     bad port, missing application or stream name, or whitespace/control characters
   */
  public static RtmpUrl parse(String url, String key) throws InvalidParamsException {
    if (url == null || url.isEmpty()) {
      throw invalid("missing");
    }
    String k = key == null ? "" : key;
    requirePrintable(url, "URL");
    requirePrintable(k, "stream key");
    int schemeEnd = url.indexOf("://");
    if (schemeEnd < 0) {
      throw invalid("no scheme, expected rtmp:// or rtmps://");
    }
    String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    int defaultPort;
    if (scheme.equals("rtmp")) {
      defaultPort = 1935;
    } else if (scheme.equals("rtmps")) {
      defaultPort = 443;
    } else {
      throw invalid("unsupported scheme \"" + scheme + "\", expected rtmp or rtmps");
    }
    String rest = url.substring(schemeEnd + 3);
    String urlQuery = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      urlQuery = rest.substring(q);
      rest = rest.substring(0, q);
    }
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);

    String host;
    String portText = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw invalid("unterminated IPv6 literal in \"" + authority + "\"");
      }
      host = authority.substring(1, close);
      String after = authority.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw invalid("unexpected \"" + after + "\" after IPv6 literal");
        }
        portText = after.substring(1);
      }
    } else {
      int colon = authority.lastIndexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      portText = colon < 0 ? null : authority.substring(colon + 1);
    }
    if (host.isEmpty() || authority.contains("@")) {
      throw invalid("missing or unsupported host in \"" + authority + "\"");
    }
    int port = defaultPort;
    if (portText != null) {
      if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) {
        throw invalid("bad port \"" + portText + "\"");
      }
      port = Integer.parseInt(portText);
      if (port < 1 || port > 65535) {
        throw invalid("port " + port + " out of range");
      }
    }

    String keyQuery = "";
    int kq = k.indexOf('?');
    if (kq >= 0) {
      keyQuery = k.substring(kq);
      k = k.substring(0, kq);
    }
    if (k.contains("/")) {
      throw invalid("stream key contains '/'");
    }
    String fullPath;
    String query;
    String nameQuery;
    if (k.isEmpty()) {
      // the URL names the stream itself; its query follows the name
      fullPath = path;
      query = urlQuery + keyQuery;
      nameQuery = query;
    } else {
      fullPath = (path.isEmpty() || path.endsWith("/")) ? path + k : path + "/" + k;
      query = urlQuery.isEmpty() ? keyQuery : urlQuery + (keyQuery.isEmpty() ? "" : "&" + keyQuery.substring(1));
      nameQuery = keyQuery;
    }
    int last = fullPath.lastIndexOf('/');
    if (last <= 0) {
      throw invalid("needs an application and a stream name, got path \"/" + redactLast(fullPath) + "\"");
    }
    String app = fullPath.substring(0, last);
    String name = fullPath.substring(last + 1);
    if (name.isEmpty() || app.startsWith("/") || app.contains("//")) {
      throw invalid("empty application or stream name in path \"/" + redactLast(fullPath) + "\"");
    }
    String tcUrl = scheme + "://" + authority + "/" + app + query;
    return new RtmpUrl(scheme, host, port, app, tcUrl, name + nameQuery);
  }

  /**
   * The same ingest as one URL, {@code scheme://authority/app/name?query}, the form ffmpeg's RTMP
   * output and OBS take: the stream name without its query, then the query of {@link #tcUrl}
   * (which holds the URL's and the key's query), so no parameter is lost whichever side had it.
   *
   * @return the publish URL; contains the stream key
   */
  public String publishUrl() {
    int q = tcUrl.indexOf('?');
    int nq = streamName.indexOf('?');
    String base = q < 0 ? tcUrl : tcUrl.substring(0, q);
    String query = q < 0 ? "" : tcUrl.substring(q);
    return base + "/" + (nq < 0 ? streamName : streamName.substring(0, nq)) + query;
  }

  /**
   * Hides a secret in messages and logs.
   *
   * @param secret e.g. a stream key; may be null
   * @return its first four characters followed by {@code …}, or only {@code …} when it has at
   *     most eight characters
   */
  public static String redact(String secret) {
    if (secret == null) {
      return "null";
    }
    return (secret.length() <= 8 ? "" : secret.substring(0, 4)) + "…";
  }

  /** Query values shorter than this are not secrets worth hiding (and would mangle text). */
  private static final int MIN_SECRET_VALUE = 4;

  /**
   * Hides this ingest's secrets in a text that leaves the library (an exception message, an
   * event, a log line, ffmpeg's stderr quoting the publish URL): the stream name with and without
   * its query, and every query value of at least four characters of the stream name and of
   * {@link #tcUrl} (auth schemes such as {@code ?wsSecret=..&wsTime=..}), each replaced by its
   * {@link #redact} form. A text that starts inside a secret (a tail window cut in it) has that
   * remainder hidden too. The one helper for every such text.
   *
   * @param text any text, may be null
   * @return the text without the secrets; null for null
   */
  public String scrub(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    List<String> secrets = new ArrayList<>();
    int nq = streamName.indexOf('?');
    String name = nq < 0 ? streamName : streamName.substring(0, nq);
    secrets.add(streamName);
    secrets.add(name);
    if (nq >= 0) {
      addQueryValues(streamName.substring(nq + 1), secrets);
    }
    int q = tcUrl.indexOf('?');
    if (q >= 0) {
      addQueryValues(tcUrl.substring(q + 1), secrets);
    }
    secrets.sort(Comparator.comparingInt(String::length).reversed());
    String out = text;
    for (String secret : secrets) {
      if (secret.isEmpty()) {
        continue;
      }
      out = out.replace(secret, redact(secret));
      for (int cut = 1; cut + MIN_SECRET_VALUE <= secret.length(); cut++) {
        if (out.startsWith(secret.substring(cut))) {
          out = "…" + out.substring(secret.length() - cut);
          break;
        }
      }
    }
    return out;
  }

  private static void addQueryValues(String query, List<String> secrets) {
    for (String parameter : query.split("&")) {
      int eq = parameter.indexOf('=');
      String value = eq < 0 ? parameter : parameter.substring(eq + 1);
      if (value.length() >= MIN_SECRET_VALUE) {
        secrets.add(value);
      }
    }
  }

  /** @return the components with the stream name and any query redacted */
  @Override
  public String toString() {
    int q = tcUrl.indexOf('?');
    return "RtmpUrl[scheme=" + scheme + ", host=" + host + ", port=" + port + ", app=" + app
        + ", tcUrl=" + (q < 0 ? tcUrl : tcUrl.substring(0, q + 1) + "…")
        + ", streamName=" + redact(streamName) + "]";
  }

  private static void requirePrintable(String text, String what) throws InvalidParamsException {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= ' ' || c == 0x7F) {
        throw invalid("whitespace or control character at index " + i + " of the " + what);
      }
    }
  }

  private static String redactLast(String path) {
    int last = path.lastIndexOf('/');
    return path.substring(0, last + 1) + redact(path.substring(last + 1));
  }

  /** @return true for {@code rtmps}: the connection runs over TLS */
  public boolean tls() {
    return scheme.equals("rtmps");
  }

  private static InvalidParamsException invalid(String problem) {
    return new InvalidParamsException("url", problem);
  }
}
