package org.tgcalls4j.testsfu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.ice.harvest.HarvestStatistics;
import org.ice4j.socket.IceSocketWrapper;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.socket.MultiplexingDatagramSocket;

/**
 * One UDP host candidate on 127.0.0.1 for the reference client: ice4j's HostCandidateHarvester
 * refuses loopback addresses outright, so this repeats its per-address steps (bind, candidate,
 * STUN socket, component socket).
 */
final class LoopbackHostHarvester implements CandidateHarvester {
  private final HarvestStatistics statistics = new HarvestStatistics();

  @Override
  public Collection<LocalCandidate> harvest(Component component) {
    try {
      IceSocketWrapper socket = new IceUdpSocketWrapper(
          new MultiplexingDatagramSocket(0, InetAddress.getByName("127.0.0.1")));
      HostCandidate candidate = new HostCandidate(socket, component, Transport.UDP);
      component.addLocalCandidate(candidate);
      candidate.getStunStack().addSocket(candidate.getStunSocket(null));
      component.getComponentSocket().add(socket);
      return List.of(candidate);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean isHostHarvester() {
    return true;
  }

  @Override
  public HarvestStatistics getHarvestStatistics() {
    return statistics;
  }
}
