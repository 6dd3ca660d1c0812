package org.tgcalls4j.testsfu;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A validated join payload (group-call.md §2.1): ICE credentials, the participant's DTLS
 * fingerprint and role, and every SSRC it declared. Unknown keys are ignored (§11 item 1).
 *
 * @param ssrc the audio SSRC (accepted signed or unsigned in the JSON)
 * @param declaredSsrcs {@code ssrc} plus every {@code ssrc-groups} source
 * @param videoSsrc the media SSRC of the first {@code FID} group (group-call.md §5.3: with a SIM
 *     group, SIM[0] is its first source too), 0 if none
 * @param rtxSsrc the second source of that FID group, 0 if none
 */
record JoinRequest(String ufrag, String pwd, String fingerprint, String setup, int ssrc,
    Set<Integer> declaredSsrcs, int videoSsrc, int rtxSsrc) {

  /**
   * Parses and validates a join JSON.
   *
   * @throws IllegalArgumentException naming the missing or malformed field
   */
  static JoinRequest parse(String json) {
    JsonObject root;
    try {
      JsonElement element = JsonParser.parseString(json);
      if (!element.isJsonObject()) {
        throw new IllegalArgumentException("join: not a JSON object");
      }
      root = element.getAsJsonObject();
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      throw new IllegalArgumentException("join: not valid JSON: " + e.getMessage(), e);
    }
    String ufrag = requireString(root, "ufrag");
    String pwd = requireString(root, "pwd");
    JsonElement fingerprints = root.get("fingerprints");
    if (fingerprints == null || !fingerprints.isJsonArray() || fingerprints.getAsJsonArray().isEmpty()
        || !fingerprints.getAsJsonArray().get(0).isJsonObject()) {
      throw new IllegalArgumentException("join: fingerprints must be a non-empty array of objects");
    }
    JsonObject first = fingerprints.getAsJsonArray().get(0).getAsJsonObject();
    String hash = requireString(first, "hash");
    if (!hash.equalsIgnoreCase("sha-256")) {
      throw new IllegalArgumentException("join: fingerprints[0].hash must be sha-256, was " + hash);
    }
    String fingerprint = requireString(first, "fingerprint");
    if (!fingerprint.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){31}")) {
      throw new IllegalArgumentException("join: fingerprints[0].fingerprint is not 32 hex pairs");
    }
    String setup = requireString(first, "setup");
    if (!setup.equals("active") && !setup.equals("passive") && !setup.equals("actpass")) {
      throw new IllegalArgumentException("join: fingerprints[0].setup must be active, passive or actpass");
    }
    int ssrc = ssrcValue(root.get("ssrc"), "ssrc");
    Set<Integer> declared = new LinkedHashSet<>();
    int videoSsrc = 0;
    int rtxSsrc = 0;
    declared.add(ssrc);
    JsonElement groups = root.get("ssrc-groups");
    if (groups != null && !groups.isJsonNull()) {
      if (!groups.isJsonArray()) {
        throw new IllegalArgumentException("join: ssrc-groups must be an array");
      }
      for (JsonElement group : groups.getAsJsonArray()) {
        JsonElement sources = group.isJsonObject() ? group.getAsJsonObject().get("sources") : null;
        if (sources == null || !sources.isJsonArray()) {
          throw new IllegalArgumentException("join: ssrc-groups[].sources must be an array");
        }
        List<Integer> groupSsrcs = new java.util.ArrayList<>();
        for (JsonElement source : (JsonArray) sources) {
          int value = ssrcValue(source, "ssrc-groups[].sources");
          declared.add(value);
          groupSsrcs.add(value);
        }
        JsonElement semantics = group.getAsJsonObject().get("semantics");
        if (videoSsrc == 0 && semantics != null && semantics.isJsonPrimitive()
            && "FID".equals(semantics.getAsString()) && groupSsrcs.size() == 2) {
          videoSsrc = groupSsrcs.get(0);
          rtxSsrc = groupSsrcs.get(1);
        }
      }
    }
    return new JoinRequest(ufrag, pwd, fingerprint.toUpperCase(java.util.Locale.ROOT), setup, ssrc,
        Set.copyOf(declared), videoSsrc, rtxSsrc);
  }

  /** Whether the participant will be the DTLS server (so the SFU is the client, RFC 4145 §4). */
  boolean participantIsDtlsServer() {
    return !setup.equals("active");
  }

  private static String requireString(JsonObject object, String key) {
    JsonElement value = object.get(key);
    if (value == null || !value.isJsonPrimitive() || !((JsonPrimitive) value).isString()
        || value.getAsString().isEmpty()) {
      throw new IllegalArgumentException("join: " + key + " must be a non-empty string");
    }
    return value.getAsString();
  }

  private static int ssrcValue(JsonElement value, String field) {
    if (value == null || !value.isJsonPrimitive() || !((JsonPrimitive) value).isNumber()) {
      throw new IllegalArgumentException("join: " + field + " must be a number");
    }
    long number;
    try {
      number = Long.parseLong(value.getAsString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("join: " + field + " must be an integer", e);
    }
    if (number < Integer.MIN_VALUE || number > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("join: " + field + " out of 32-bit range: " + number);
    }
    return (int) number;
  }
}
