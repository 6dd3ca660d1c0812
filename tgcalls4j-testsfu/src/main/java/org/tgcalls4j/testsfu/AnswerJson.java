package org.tgcalls4j.testsfu;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * Builds the SFU answer in the exact shape of group-call.md §3 (captured from the real server):
 * transport with string-valued candidate fields, audio and video sections.
 */
final class AnswerJson {
  private static final String AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  private static final String ABS_SEND_TIME =
      "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  private static final String TRANSPORT_CC =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  private static final String VIDEO_ORIENTATION = "urn:3gpp:video-orientation";

  private AnswerJson() {}

  /** The one host candidate as the SFU advertises it (§3.2). */
  record Candidate(String ip, int port, String foundation, long priority, String id) {}

  static String build(String ufrag, String pwd, Candidate candidate, String fingerprint,
      String setup, String endpoint, int serverSource) {
    JsonObject root = new JsonObject();
    root.add("transport", transport(ufrag, pwd, candidate, fingerprint, setup));
    root.add("audio", audio());
    root.add("video", video(endpoint, serverSource));
    return new Gson().toJson(root);
  }

  private static JsonObject transport(String ufrag, String pwd, Candidate candidate,
      String fingerprint, String setup) {
    JsonObject c = new JsonObject();
    c.addProperty("generation", "0");
    c.addProperty("component", "1");
    c.addProperty("protocol", "udp");
    c.addProperty("port", Integer.toString(candidate.port()));
    c.addProperty("ip", candidate.ip());
    c.addProperty("foundation", candidate.foundation());
    c.addProperty("id", candidate.id());
    c.addProperty("priority", Long.toString(candidate.priority()));
    c.addProperty("type", "host");
    c.addProperty("network", "0");
    JsonArray candidates = new JsonArray();
    candidates.add(c);
    JsonObject fp = new JsonObject();
    fp.addProperty("fingerprint", fingerprint);
    fp.addProperty("setup", setup);
    fp.addProperty("hash", "sha-256");
    JsonArray fingerprints = new JsonArray();
    fingerprints.add(fp);
    JsonObject transport = new JsonObject();
    transport.add("candidates", candidates);
    transport.addProperty("xmlns", "urn:xmpp:jingle:transports:ice-udp:1");
    transport.addProperty("ufrag", ufrag);
    transport.addProperty("rtcp-mux", true);
    transport.addProperty("pwd", pwd);
    transport.add("fingerprints", fingerprints);
    return transport;
  }

  private static JsonObject audio() {
    JsonObject opusParameters = new JsonObject();
    opusParameters.addProperty("minptime", 10);
    opusParameters.addProperty("useinbandfec", 1);
    JsonObject opus = payloadType(111, "opus", 48000, 2);
    opus.add("parameters", opusParameters);
    opus.add("rtcp-fbs", feedback("transport-cc"));
    JsonArray types = new JsonArray();
    types.add(opus);
    types.add(payloadType(126, "telephone-event", 8000, 1));
    JsonObject audio = new JsonObject();
    audio.add("payload-types", types);
    audio.add("rtp-hdrexts", extensions(1, AUDIO_LEVEL, 2, ABS_SEND_TIME, 3, TRANSPORT_CC));
    return audio;
  }

  private static JsonObject video(String endpoint, int serverSource) {
    JsonArray types = new JsonArray();
    String[] codecs = {"VP8", "VP9", "H264"};
    for (int i = 0; i < codecs.length; i++) {
      int id = 100 + 2 * i;
      JsonObject media = payloadType(id, codecs[i], 90000, 1);
      if (i == 0) {
        JsonObject parameters = new JsonObject();
        parameters.addProperty("fmtp", "x-google-start-bitrate=800");
        media.add("parameters", parameters);
      } else {
        media.add("parameters", new JsonArray());
      }
      media.add("rtcp-fbs", feedback("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"));
      types.add(media);
      JsonObject rtx = new JsonObject();
      rtx.addProperty("id", id + 1);
      rtx.addProperty("name", "rtx");
      rtx.addProperty("clockrate", 90000);
      JsonObject apt = new JsonObject();
      apt.addProperty("apt", Integer.toString(id));
      rtx.add("parameters", apt);
      types.add(rtx);
    }
    JsonArray serverSources = new JsonArray();
    serverSources.add(serverSource);
    JsonObject video = new JsonObject();
    video.addProperty("endpoint", endpoint);
    video.add("payload-types", types);
    video.add("rtp-hdrexts",
        extensions(2, ABS_SEND_TIME, 3, TRANSPORT_CC, 13, VIDEO_ORIENTATION));
    video.add("server_sources", serverSources);
    return video;
  }

  private static JsonObject payloadType(int id, String name, int clockRateHz, int channels) {
    JsonObject type = new JsonObject();
    type.addProperty("id", id);
    type.addProperty("name", name);
    type.addProperty("clockrate", clockRateHz);
    type.addProperty("channels", channels);
    return type;
  }

  /** Feedback entries; "a b" becomes {type:a, subtype:b}. */
  private static JsonArray feedback(String... entries) {
    JsonArray array = new JsonArray();
    for (String entry : entries) {
      String[] parts = entry.split(" ");
      JsonObject fb = new JsonObject();
      fb.addProperty("type", parts[0]);
      if (parts.length > 1) {
        fb.addProperty("subtype", parts[1]);
      }
      array.add(fb);
    }
    return array;
  }

  private static JsonArray extensions(Object... idUriPairs) {
    JsonArray array = new JsonArray();
    for (int i = 0; i < idUriPairs.length; i += 2) {
      JsonObject ext = new JsonObject();
      ext.addProperty("id", (Integer) idUriPairs[i]);
      ext.addProperty("uri", (String) idUriPairs[i + 1]);
      array.add(ext);
    }
    return array;
  }
}
