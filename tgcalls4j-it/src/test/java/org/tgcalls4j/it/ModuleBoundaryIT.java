package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.TgCalls;

/**
 * The core is the named module {@code org.tgcalls4j} and exports only its API package: a consumer
 * compiled on the module path can use {@code org.tgcalls4j} but cannot see
 * {@code org.tgcalls4j.internal.*}. (On the class path, as in the other modules of this build,
 * everything stays reachable.)
 *
 * <p>The core artifact is the one the rest of these tests use: where {@link TgCalls} was loaded
 * from. In {@code mvn verify} of the reactor that is {@code tgcalls4j-core/target/*.jar}, packaged
 * before this module's tests run; in a reactor {@code mvn test} it is the exploded module
 * {@code tgcalls4j-core/target/classes}. Its dependencies (slf4j-api, Gson, Bouncy Castle, Concentus, HdrHistogram, netty) are
 * taken from this test's class path and put on the module path, nothing else.
 */
class ModuleBoundaryIT {
  private static final String MODULE = "org.tgcalls4j";
  private static final Pattern DEPENDENCY =
      Pattern.compile("(slf4j-api|gson|concentus|HdrHistogram|bc(tls|pkix|prov|util)-jdk18on"
          + "|netty-(transport|common|buffer|resolver))-[^/\\\\]*\\.jar");

  private static Path core;
  private static List<Path> modulePath;

  @TempDir Path dir;

  @BeforeAll
  static void findArtifacts() throws URISyntaxException {
    core = Path.of(TgCalls.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Path> dependencies = Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(Path::of)
        .filter(p -> DEPENDENCY.matcher(p.getFileName().toString()).matches())
        .collect(Collectors.toList());
    assertThat(dependencies.stream().map(p -> p.getFileName().toString()))
        .as("dependency jars on the test class path")
        .anyMatch(n -> n.startsWith("slf4j-api-"))
        .anyMatch(n -> n.startsWith("gson-"))
        .anyMatch(n -> n.startsWith("bctls-jdk18on-"))
        .anyMatch(n -> n.startsWith("bcpkix-jdk18on-"))
        .anyMatch(n -> n.startsWith("bcprov-jdk18on-"))
        .anyMatch(n -> n.startsWith("bcutil-jdk18on-"))
        .anyMatch(n -> n.startsWith("concentus-"))
        .anyMatch(n -> n.startsWith("HdrHistogram-"));
    modulePath = new ArrayList<>();
    modulePath.add(core);
    modulePath.addAll(dependencies);
  }

  @Test
  void descriptorExportsOnlyTheApiPackage() {
    ModuleReference ref = ModuleFinder.of(core).findAll().stream().findFirst().orElseThrow(
        () -> new AssertionError(core + " is not a module (stale tgcalls4j-core? build the reactor: "
            + "mvn -pl tgcalls4j-it -am verify)"));
    ModuleDescriptor descriptor = ref.descriptor();

    assertThat(descriptor.name()).isEqualTo(MODULE);
    assertThat(descriptor.isAutomatic()).as("automatic module").isFalse();
    assertThat(descriptor.isOpen()).as("open module").isFalse();
    assertThat(descriptor.exports()).hasSize(1);
    ModuleDescriptor.Exports export = descriptor.exports().iterator().next();
    assertThat(export.source()).isEqualTo(MODULE);
    assertThat(export.isQualified()).as("qualified export").isFalse();
    assertThat(descriptor.opens()).as("opens").isEmpty();
    assertThat(descriptor.packages()).as("the internals are in the module, just not exported")
        .contains("org.tgcalls4j.internal.ice", "org.tgcalls4j.internal.json");
    assertThat(descriptor.requires())
        .as("no foreign type is in the API, so nothing is required transitively")
        .noneMatch(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE));
  }

  @Test
  void moduleResolvesWithItsDependencies() {
    Configuration cf = ModuleLayer.boot().configuration()
        .resolve(ModuleFinder.of(modulePath.toArray(Path[]::new)), ModuleFinder.of(), Set.of(MODULE));

    assertThat(cf.findModule(MODULE)).isPresent();
    assertThat(cf.modules().stream().map(m -> m.name()))
        .contains("org.slf4j", "com.google.gson", "org.bouncycastle.tls", "org.bouncycastle.pkix",
            "org.bouncycastle.provider", "org.bouncycastle.util", "concentus", "HdrHistogram",
            "io.netty.transport", "io.netty.common", "io.netty.buffer")
        .as("netty's epoll transport is optional (requires static): never resolved on its own")
        .doesNotContain("io.netty.transport.classes.epoll");
  }

  @Test
  void consumerOnTheModulePathCompilesAgainstTheApi() throws IOException {
    Path src = consumer("api", """
        package consumer;

        import org.tgcalls4j.TgCalls;

        public final class UsesApi {
          public static TgCalls.Builder builder() {
            return TgCalls.builder().requireFfmpeg(false);
          }
        }
        """);

    List<Diagnostic<? extends JavaFileObject>> errors = compileModule(src);

    assertThat(errors).as("errors compiling a consumer of org.tgcalls4j").isEmpty();
    assertThat(dir.resolve("api-out/consumer/UsesApi.class")).exists();
  }

  @Test
  void consumerOnTheModulePathCannotSeeInternals() throws IOException {
    Path src = consumer("internal", """
        package consumer;

        import org.tgcalls4j.internal.ice.IceAgent;

        public final class UsesInternal {
          public static Class<?> agent() {
            return IceAgent.class;
          }
        }
        """);

    List<Diagnostic<? extends JavaFileObject>> errors = compileModule(src);

    assertThat(errors).as("errors compiling a consumer of org.tgcalls4j.internal.ice").isNotEmpty();
    assertThat(errors.stream().map(d -> d.getMessage(Locale.ROOT)))
        .anySatisfy(m -> assertThat(m)
            .contains("package org.tgcalls4j.internal.ice is not visible")
            .contains("declared in module org.tgcalls4j, which does not export it"));
  }

  @Test
  void sameConsumerOnTheClassPathStillSeesInternals() throws IOException {
    // The control for the test above: the class is there and public; only the module boundary hides
    // it. This is how tgcalls4j-testsfu, -cli, -it and -bench, all on the class path, still reach it.
    Path src = consumer("classpath", """
        package consumer;

        import org.tgcalls4j.internal.ice.IceAgent;

        public final class UsesInternal {
          public static Class<?> agent() {
            return IceAgent.class;
          }
        }
        """);
    Files.delete(src.resolve("module-info.java"));

    List<Diagnostic<? extends JavaFileObject>> errors =
        compile(src, StandardLocation.CLASS_PATH, dir.resolve("classpath-out"));

    assertThat(errors).isEmpty();
  }

  /** Writes {@code module consumer { requires org.tgcalls4j; }} and one class under dir/name. */
  private Path consumer(String name, String source) throws IOException {
    Path src = dir.resolve(name);
    Files.createDirectories(src.resolve("consumer"));
    Files.writeString(src.resolve("module-info.java"), "module consumer { requires " + MODULE + "; }\n");
    String className = source.replaceAll("(?s).*public final class (\\w+).*", "$1");
    Files.writeString(src.resolve("consumer/" + className + ".java"), source);
    return src;
  }

  private List<Diagnostic<? extends JavaFileObject>> compileModule(Path src) throws IOException {
    return compile(src, StandardLocation.MODULE_PATH, dir.resolve(src.getFileName() + "-out"));
  }

  /**
   * Compiles every .java file under src with the core and its dependencies on the given path
   * (module path or class path) and nothing else: an in-process javac otherwise takes this test's
   * own class path, where the core is too, and the consumer would see it as the unnamed module.
   */
  private static List<Diagnostic<? extends JavaFileObject>> compile(Path src, StandardLocation where, Path out)
      throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's compiler").isNotNull();
    Files.createDirectories(out);
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(src)) {
      sources = walk.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      files.setLocationFromPaths(StandardLocation.CLASS_PATH, List.of());
      files.setLocationFromPaths(where, modulePath);
      List<String> options = List.of("-d", out.toString(), "-proc:none");
      javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources)).call();
    }
    return diagnostics.getDiagnostics().stream()
        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
        .collect(Collectors.toList());
  }
}
