package org.tgcalls4j;

import java.util.List;
import java.util.Objects;

/**
 * The TL {@code phoneCallProtocol} a private call is set up with (p2p-call.md §1.6, §6): what the
 * app sends in {@code phone.requestCall}, {@code phone.acceptCall} and {@code phone.confirmCall}, and
 * what the final {@code phoneCall.protocol} carries back.
 *
 * @param udpP2p flag {@code udp_p2p}: direct connections allowed
 * @param udpReflector flag {@code udp_reflector}: Telegram reflectors allowed
 * @param minLayer {@code min_layer}
 * @param maxLayer {@code max_layer}
 * @param libraryVersions {@code library_versions}, most preferred first; copied, unmodifiable
 */
public record PhoneCallProtocol(
    boolean udpP2p, boolean udpReflector, int minLayer, int maxLayer, List<String> libraryVersions) {

  /** The tgcalls library versions tgcalls4j implements, most preferred first (§6: V2 framing). */
  private static final List<String> IMPLEMENTED = List.of("9.0.0", "8.0.0");

  /**
   * Copies the version list.
   *
   * @param udpP2p flag {@code udp_p2p}
   * @param udpReflector flag {@code udp_reflector}
   * @param minLayer {@code min_layer}
   * @param maxLayer {@code max_layer}
   * @param libraryVersions {@code library_versions}, most preferred first
   * @throws NullPointerException if {@code libraryVersions} or an entry is null
   */
  public PhoneCallProtocol {
    libraryVersions = List.copyOf(libraryVersions);
  }

  /**
   * What tgcalls4j supports: both transports, layers 65..92 and library versions
   * {@code ["9.0.0", "8.0.0"]} — the same flags and layers as TD {@code calls/calls_call.cpp} and
   * GOTD {@code protocol.go}, and the V2 versions of TG {@code v2/InstanceV2Impl.cpp}. Pass it to
   * {@code phone.requestCall}, {@code phone.acceptCall} and {@code phone.confirmCall}.
   *
   * @return {@code (true, true, 65, 92, ["9.0.0", "8.0.0"])}
   */
  public static PhoneCallProtocol supported() {
    return new PhoneCallProtocol(true, true, 65, 92, IMPLEMENTED);
  }

  /**
   * Picks the library version to start the call with: the first entry of the final
   * {@code phoneCall.protocol.library_versions} that tgcalls4j implements (TD
   * createAndStartController and IOS use element [0]; this skips entries we cannot speak).
   *
   * @param phoneCallLibraryVersions {@code phoneCall.protocol.library_versions}, in the server's
   *     order
   * @return "9.0.0" or "8.0.0"
   * @throws InvalidParamsException naming {@code protocol.library_versions} if no entry is
   *     implemented (the message lists what was offered and what is supported)
   * @throws NullPointerException if the list is null
   */
  public static String chooseVersion(List<String> phoneCallLibraryVersions)
      throws InvalidParamsException {
    Objects.requireNonNull(phoneCallLibraryVersions, "phoneCallLibraryVersions");
    for (String version : phoneCallLibraryVersions) {
      if (version != null && IMPLEMENTED.contains(version)) {
        return version;
      }
    }
    throw new InvalidParamsException("protocol.library_versions",
        "none of " + phoneCallLibraryVersions + " is implemented; supported: " + IMPLEMENTED);
  }
}
