package org.tgcalls4j.internal.logging;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.slf4j.MDC;

/**
 * Puts a call's SLF4J MDC entries ({@value #CHAT} and {@value #KIND}) on every thread while it
 * works for that call, so a log line from an I/O thread, a sender, an ffmpeg pump or a pool task
 * names its call. Threads made by {@link #threads} carry the entries for their whole life; tasks
 * run through {@link #run} or {@link #executor} carry them while they run and restore the
 * thread's previous entries afterwards.
 */
public final class LogContext {
  /** MDC key of the chat id. */
  public static final String CHAT = "tgcalls4j.chat";
  /** MDC key of the call kind ({@code GROUP_CALL}, {@code PRESENTATION}, {@code RTMP_STREAM}). */
  public static final String KIND = "tgcalls4j.kind";

  private LogContext() {}

  /**
   * @param chatId the chat
   * @param kind the call kind's name
   * @return the MDC entries of that call
   */
  public static Map<String, String> of(long chatId, String kind) {
    return Map.of(CHAT, Long.toString(chatId), KIND, kind);
  }

  /**
   * @param base makes the threads
   * @param context MDC entries every thread carries
   * @return a factory whose threads run with {@code context} in their MDC
   */
  public static ThreadFactory threads(ThreadFactory base, Map<String, String> context) {
    return r -> base.newThread(() -> run(context, r));
  }

  /**
   * @param base runs the tasks
   * @param context MDC entries each task carries while it runs
   * @return an executor wrapping every task with {@code context}
   */
  public static Executor executor(Executor base, Map<String, String> context) {
    return task -> base.execute(() -> run(context, task));
  }

  /**
   * Runs a task with {@code context} in the MDC, then restores the previous entries.
   *
   * @param context MDC entries
   * @param task what to run on the calling thread
   */
  public static void run(Map<String, String> context, Runnable task) {
    Map<String, String> previous = MDC.getCopyOfContextMap();
    context.forEach(MDC::put);
    try {
      task.run();
    } finally {
      if (previous == null) {
        MDC.clear();
      } else {
        MDC.setContextMap(previous);
      }
    }
  }
}
