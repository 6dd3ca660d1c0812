package org.tgcalls4j.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** This process's sockets, from /proc (Linux), for leak checks. */
final class Sockets {
  private Sockets() {}

  /**
   * @return this process's sockets that are bound to an address, as {@code udp:port} or
   *     {@code tcp:port} (from /proc/net, matched by inode with /proc/self/fd)
   */
  static List<String> boundInet() {
    Map<String, String> byInode = new HashMap<>();
    for (String proto : List.of("udp", "udp6", "tcp", "tcp6")) {
      try {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/" + proto));
        for (String line : lines.subList(1, lines.size())) {
          String[] f = line.trim().split("\\s+");
          String local = f[1];
          byInode.put(f[9], proto + ":" + Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
        }
      } catch (IOException | RuntimeException e) {
        throw new AssertionError("cannot read /proc/net/" + proto, e);
      }
    }
    List<String> bound = new ArrayList<>();
    File[] fds = new File("/proc/self/fd").listFiles();
    for (File fd : fds == null ? new File[0] : fds) {
      try {
        String target = Files.readSymbolicLink(fd.toPath()).toString();
        if (target.startsWith("socket:[")) {
          String socket = byInode.get(target.substring(8, target.length() - 1));
          if (socket != null) {
            bound.add(socket);
          }
        }
      } catch (IOException e) {
        // closed meanwhile
      }
    }
    return bound;
  }
}
