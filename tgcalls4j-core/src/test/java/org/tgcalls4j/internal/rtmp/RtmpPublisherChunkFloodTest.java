package org.tgcalls4j.internal.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.RtmpException;
import org.tgcalls4j.internal.rtmp.testing.ChunkFloodServer;

/**
 * A server that opens more than 64 chunk streams: the protocol error the reader finds first is
 * what every caller sees, not the "Socket closed" of a write racing the reader's close.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RtmpPublisherChunkFloodTest {
  private static final String CAUSE = "protocol: more than 64 open chunk streams";

  private ChunkFloodServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void connectReportsTheProtocolErrorEveryTime() throws Exception {
    server = ChunkFloodServer.start(false);
    RtmpUrl url = RtmpUrl.parse(server.liveUrl(), "key");
    // the publish thread's writes race the reader's close: repeat to meet both orders
    for (int i = 0; i < 40; i++) {
      assertThatThrownBy(() -> RtmpPublisher.connect(url, RtmpOptions.defaults(), e -> { }, false))
          .as("attempt %d", i).isInstanceOf(RtmpException.class).hasMessage(CAUSE);
    }
  }

  @Test
  void aPublishingClientHearsTheProtocolErrorFromTheListenerAndFromEverySend() throws Exception {
    server = ChunkFloodServer.start(true);
    RtmpUrl url = RtmpUrl.parse(server.liveUrl(), "key");
    BlockingQueue<RtmpException> lost = new LinkedBlockingQueue<>();
    RtmpPublisher publisher = RtmpPublisher.connect(url, RtmpOptions.defaults(), lost::add, false);
    try {
      RtmpException sendError = null;
      byte[] frame = new byte[2000];
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (sendError == null && System.nanoTime() < deadline) {
        try {
          publisher.sendVideo(0, frame, 0, frame.length);
          Thread.sleep(5);
        } catch (RtmpException e) {
          sendError = e;
        }
      }
      assertThat(lost.poll(5, TimeUnit.SECONDS)).as("listener").isNotNull().hasMessage(CAUSE);
      assertThat(sendError).as("send").isNotNull().hasMessage(CAUSE);
      assertThatThrownBy(() -> publisher.sendAudio(0, frame, 0, 10)).hasMessage(CAUSE);
    } finally {
      publisher.close();
    }
  }
}
