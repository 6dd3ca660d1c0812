package org.tgcalls4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AnswerFileTest {
  @TempDir Path dir;

  @Test
  void anAnswerLeftFromAnEarlierCallIsNotTakenForTheNewOne() throws Exception {
    Path answer = dir.resolve("answer.json");
    Files.writeString(answer, "{\"old\":true}");
    String stale = AnswerFile.read(answer);

    assertThatThrownBy(() -> AnswerFile.await(answer, stale, 300))
        .isInstanceOf(IOException.class).hasMessageContaining("no new answer");
  }

  @Test
  void returnsTheAnswerWrittenWhileWaiting() throws Exception {
    Path answer = dir.resolve("answer.json");
    Files.writeString(answer, "{\"old\":true}");
    String stale = AnswerFile.read(answer);
    CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
      try {
        return AnswerFile.await(answer, stale, 5000);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(200);
    Files.writeString(answer, "{\"new\":true}");

    assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo("{\"new\":true}");
  }
}
