package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves behind a tgcalls4j thread or a child process (ffmpeg, python, nginx),
 * after giving them a few seconds to wind down.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheck.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put("threads", libraryThreads());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    @SuppressWarnings("unchecked")
    Set<Thread> before = (Set<Thread>) context.getStore(NS).get("threads");
    Awaitility.await("threads and child processes of " + context.getDisplayName() + " to end")
        .atMost(Duration.ofSeconds(8))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> {
          List<String> leaked = libraryThreads().stream().filter(t -> !before.contains(t))
              .map(Thread::getName).collect(Collectors.toList());
          assertThat(leaked).as("leaked threads").isEmpty();
          List<String> children = ProcessHandle.current().descendants()
              .filter(ProcessHandle::isAlive)
              .map(p -> p.pid() + " " + p.info().command().orElse("?"))
              .collect(Collectors.toList());
          assertThat(children).as("leaked child processes").isEmpty();
        });
  }

  private static Set<Thread> libraryThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("tgcalls4j") || t.getName().startsWith("testsfu"))
        .collect(Collectors.toSet());
  }
}
