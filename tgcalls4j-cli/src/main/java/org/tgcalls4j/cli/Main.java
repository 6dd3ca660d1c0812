package org.tgcalls4j.cli;

import java.nio.file.Path;
import org.tgcalls4j.EncodeOptions;
import org.tgcalls4j.MediaSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code tgcalls4j} command. */
@Command(name = "tgcalls4j", mixinStandardHelpOptions = true, version = "tgcalls4j 0.1.0",
    description = "Put Java programs into Telegram calls.",
    subcommands = {DemoCommand.class, PlayCommand.class, RtmpCommand.class, CallCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** @param args command-line arguments */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the command without exiting the JVM (tests call this).
   *
   * @param args command-line arguments
   * @return the exit code
   */
  public static int run(String... args) {
    return withErrorHandler(new CommandLine(new Main())).execute(args);
  }

  /**
   * Runs one subcommand object (for example a {@link PlayCommand} with its own stdin and stdout)
   * without exiting the JVM; tests call this.
   *
   * @param command the subcommand
   * @param args its arguments, without the subcommand's name
   * @return the exit code
   */
  public static int runCommand(Object command, String... args) {
    return withErrorHandler(new CommandLine(command)).execute(args);
  }

  private static CommandLine withErrorHandler(CommandLine line) {
    return line.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("error: " + oneLine(e));
      return 1;
    });
  }

  /**
   * @param spec a file path or an absolute URL
   * @return the source it names
   */
  static MediaSource parseSource(String spec) {
    return parseSource(spec, EncodeOptions.DEFAULT);
  }

  /**
   * @param spec a file path or an absolute URL
   * @param options how to encode it (with video: a source that sends its video too)
   * @return the source it names
   */
  static MediaSource parseSource(String spec, EncodeOptions options) {
    return spec.contains("://") ? MediaSource.url(spec, options)
        : MediaSource.file(Path.of(spec), options);
  }

  static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return message.replace('\n', ' ').strip();
  }
}
