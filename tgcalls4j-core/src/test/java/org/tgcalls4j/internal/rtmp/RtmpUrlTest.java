package org.tgcalls4j.internal.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tgcalls4j.InvalidParamsException;

class RtmpUrlTest {
  @Test
  void splitsTelegramIngestUrlAndKey() throws Exception {
    RtmpUrl url = RtmpUrl.parse("rtmps://dc4-1.rtmp.t.me/s/", "1234567890:AbCdEfGhIjKlMnOpQrStUv");

    assertThat(url).isEqualTo(new RtmpUrl(
        "rtmps", "dc4-1.rtmp.t.me", 443, "s", "rtmps://dc4-1.rtmp.t.me/s", "1234567890:AbCdEfGhIjKlMnOpQrStUv"));
    assertThat(url.tls()).isTrue();
  }

  @Test
  void keepsAppInstanceAndExplicitPort() throws Exception {
    RtmpUrl url = RtmpUrl.parse("rtmp://127.0.0.1:19350/live/inst", "key");

    assertThat(url.app()).isEqualTo("live/inst");
    assertThat(url.port()).isEqualTo(19350);
    assertThat(url.tcUrl()).isEqualTo("rtmp://127.0.0.1:19350/live/inst");
    assertThat(url.streamName()).isEqualTo("key");
    assertThat(url.tls()).isFalse();
  }

  @Test
  void keepsQueryAfterTheKeyInTcUrlAndStreamName() throws Exception {
    RtmpUrl url = RtmpUrl.parse("rtmp://push.example.com/live/abc?wsSecret=x1&wsTime=65", null);

    assertThat(url.port()).isEqualTo(1935);
    assertThat(url.app()).isEqualTo("live");
    assertThat(url.tcUrl()).isEqualTo("rtmp://push.example.com/live?wsSecret=x1&wsTime=65");
    assertThat(url.streamName()).isEqualTo("abc?wsSecret=x1&wsTime=65");
  }

  @Test
  void keepsQueryOfTheKeyAndOfTheAppUrl() throws Exception {
    assertThat(RtmpUrl.parse("rtmp://h/live/", "abc?token=1").streamName()).isEqualTo("abc?token=1");
    RtmpUrl appQuery = RtmpUrl.parse("rtmp://h/live?auth=9", "abc");
    assertThat(appQuery.tcUrl()).isEqualTo("rtmp://h/live?auth=9");
    assertThat(appQuery.streamName()).isEqualTo("abc");
  }

  @Test
  void acceptsIpv6LiteralAndUpperCaseScheme() throws Exception {
    RtmpUrl url = RtmpUrl.parse("RTMP://[::1]:1936/live/", "k");

    assertThat(url.host()).isEqualTo("::1");
    assertThat(url.port()).isEqualTo(1936);
    assertThat(url.tcUrl()).isEqualTo("rtmp://[::1]:1936/live");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "rtmps://dc4-1.rtmp.t.me/s/|123:AbC-_x|rtmps://dc4-1.rtmp.t.me/s/123:AbC-_x",
        "rtmp://h/live?wsSecret=a&wsTime=1|key|rtmp://h/live/key?wsSecret=a&wsTime=1",
        "rtmp://h/live|key?wsSecret=a|rtmp://h/live/key?wsSecret=a",
        "rtmp://h/live/key?wsSecret=a|-|rtmp://h/live/key?wsSecret=a",
        "rtmp://h:1936/live/inst|key|rtmp://h:1936/live/inst/key",
      })
  void publishUrlPutsTheQueryAfterTheStreamName(String url, String key, String publishUrl) throws Exception {
    assertThat(RtmpUrl.parse(url, key).publishUrl()).isEqualTo(publishUrl);
  }

  @Test
  void toStringAndErrorsShowOnlyTheFirstFourCharactersOfTheKey() {
    String key = "1234567890:AbCdEfGhIjKlMnOpQrStUv";

    assertThat(assertDoesNotThrow(() -> RtmpUrl.parse("rtmps://dc4-1.rtmp.t.me/s/?token=zz", key)).toString())
        .contains("streamName=1234…", "tcUrl=rtmps://dc4-1.rtmp.t.me/s?…")
        .doesNotContain("567890", "AbCd", "zz");
    assertThatThrownBy(() -> RtmpUrl.parse("rtmp://h/live/", key + " "))
        .hasMessageContaining("stream key")
        .hasMessageNotContaining("AbCd");
    assertThatThrownBy(() -> RtmpUrl.parse("h/live/" + key, null))
        .hasMessageNotContaining("AbCd");
    assertThatThrownBy(() -> RtmpUrl.parse("rtmp://h/" + key, null))
        .hasMessageContaining("/1234…")
        .hasMessageNotContaining("AbCd");
    assertThat(RtmpUrl.redact("short")).isEqualTo("…");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://h/live/|k|unsupported scheme",
        "h/live/|k|no scheme",
        "rtmp:///live/|k|host",
        "rtmp://h:0/live/|k|out of range",
        "rtmp://h:99999/live/|k|out of range",
        "rtmp://h:x/live/|k|bad port",
        "rtmp://h/|k|application",
        "rtmp://h/live/||application",
        "rtmp://h/live/|a b|whitespace",
        "rtmp://h/live/|a/b|contains '/'",
        "rtmp://user@h/live/|k|host",
      })
  void rejectsBadUrls(String url, String key, String problem) {
    assertThatThrownBy(() -> RtmpUrl.parse(url, key))
        .isInstanceOfSatisfying(InvalidParamsException.class, e -> assertThat(e.field()).isEqualTo("url"))
        .hasMessageContaining(problem);
  }

  @Test
  void rejectsNullUrl() {
    assertThatThrownBy(() -> RtmpUrl.parse(null, "k")).isInstanceOf(InvalidParamsException.class);
  }

  @Test
  void scrubHidesTheKeyAndQueryValuesInAnyText() throws Exception {
    RtmpUrl url = RtmpUrl.parse("rtmp://host.example/live?vhost=cdn-tenant-9",
        "secretStreamKey-abc?wsSecret=topsecret123&wsTime=1700000000&a=1");
    String ffmpegError = url.publishUrl() + ": Connection refused";
    String scrubbed = url.scrub(ffmpegError);
    assertThat(scrubbed).doesNotContain("secretStreamKey-abc").doesNotContain("topsecret123")
        .doesNotContain("1700000000").doesNotContain("cdn-tenant-9")
        .startsWith("rtmp://host.example/live/").endsWith(": Connection refused");
    // a stderr tail window that starts inside the key
    assertThat(url.scrub("StreamKey-abc: Connection refused")).isEqualTo("…: Connection refused");
    assertThat(url.scrub(null)).isNull();
    assertThat(url.scrub("nothing secret here")).isEqualTo("nothing secret here");
  }
}
