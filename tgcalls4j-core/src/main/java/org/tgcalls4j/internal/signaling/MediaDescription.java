package org.tgcalls4j.internal.signaling;

import java.util.List;

/**
 * The SFU's codecs and header extensions for one media kind (group-call.md §3.3).
 *
 * @param payloadTypes accepted payload types in answer order; copied
 * @param headerExtensions header extensions in answer order; copied
 */
public record MediaDescription(List<PayloadType> payloadTypes, List<HeaderExtension> headerExtensions) {
  /** @throws NullPointerException if a list or element is null */
  public MediaDescription {
    payloadTypes = List.copyOf(payloadTypes);
    headerExtensions = List.copyOf(headerExtensions);
  }
}
