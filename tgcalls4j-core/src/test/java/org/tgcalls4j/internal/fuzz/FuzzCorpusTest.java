package org.tgcalls4j.internal.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every committed fuzz corpus file ({@code src/test/resources/fuzz/<target>/*}, not the
 * {@code known/} subfolders) through its target in the ordinary test run: only the exceptions the
 * parser declares may occur, and each input must finish within {@link #TIME_LIMIT}.
 */
class FuzzCorpusTest {
  static final Duration TIME_LIMIT = Duration.ofSeconds(10);

  static List<Arguments> corpus() throws IOException, URISyntaxException {
    List<Arguments> inputs = new ArrayList<>();
    for (String name : FuzzTargets.names()) {
      for (Path file : JazzerEntry.files(corpusDir(name))) {
        inputs.add(Arguments.of(name, file.getFileName().toString()));
      }
    }
    return inputs;
  }

  static Path corpusDir(String target) throws URISyntaxException {
    URL url = FuzzCorpusTest.class.getResource("/fuzz/" + target);
    return url == null ? Path.of("missing-fuzz-corpus", target) : Path.of(url.toURI());
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("corpus")
  void replay(String target, String file) throws Exception {
    byte[] data = Files.readAllBytes(corpusDir(target).resolve(file));
    FuzzTarget fuzzTarget = FuzzTargets.create(target);
    assertTimeoutPreemptively(TIME_LIMIT, () -> fuzzTarget.fuzz(data), target + "/" + file);
  }

  @ParameterizedTest
  @MethodSource("targetNames")
  void everyTargetHasSeeds(String target) throws Exception {
    assertThat(JazzerEntry.files(corpusDir(target))).as("seed files of " + target).isNotEmpty();
  }

  static Iterable<String> targetNames() {
    return FuzzTargets.names();
  }
}
