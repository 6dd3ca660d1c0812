package org.tgcalls4j.internal.signaling;

import java.nio.charset.StandardCharsets;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code answer-json}: the input, decoded as UTF-8, is the SFU's answer JSON for
 * {@link GroupCallSignaling#decodeAnswer}, which declares {@link InvalidParamsException} for text
 * that is not a valid answer.
 */
public final class GroupCallAnswerFuzz implements FuzzTarget {
  @Override
  public void fuzz(byte[] data) {
    try {
      GroupCallSignaling.decodeAnswer(new String(data, StandardCharsets.UTF_8));
    } catch (InvalidParamsException expected) {
      // declared for an invalid answer
    }
  }
}
