package org.tgcalls4j.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.internal.json.JsonCodec.JsonObjectView;
import org.tgcalls4j.internal.json.JsonCodec.Kind;

class JsonCodecTest {
  private static String fieldOf(ThrowingRead read) {
    try {
      read.run();
    } catch (InvalidParamsException e) {
      return e.field();
    }
    throw new AssertionError("expected InvalidParamsException");
  }

  private interface ThrowingRead {
    void run() throws InvalidParamsException;
  }

  @Test
  void namesNestedFieldsJsonPathStyle() throws Exception {
    JsonObjectView root = JsonCodec.parseObject("{\"a\":{\"b-c\":[{\"d\":\"x\"},{\"d\":true}]}}");

    assertThat(root.path()).isEqualTo("$");
    assertThat(root.object("a").array("b-c").object(1).pathOf("d")).isEqualTo("a.b-c[1].d");
    assertThat(fieldOf(() -> root.object("a").array("b-c").object(1).string("d"))).isEqualTo("a.b-c[1].d");
    assertThat(fieldOf(() -> root.object("a").object("missing"))).isEqualTo("a.missing");
  }

  @Test
  void readsWholeNumbersFromNumbersAndNumericStrings() throws Exception {
    JsonObjectView o = JsonCodec.parseObject("{\"n\":32000,\"s\":\"2130706431\",\"big\":\"4294967295\"}");

    assertThat(o.intValue("n", 0, 65535)).isEqualTo(32000);
    assertThat(o.longValue("s", 0, 0xFFFF_FFFFL)).isEqualTo(2130706431L);
    assertThat(o.longValue("big", 0, 0xFFFF_FFFFL)).isEqualTo(4294967295L);
  }

  @Test
  void rejectsFractionsWordsBooleansAndOutOfRangeNumbers() throws Exception {
    JsonObjectView o = JsonCodec.parseObject("{\"f\":1.5,\"w\":\"abc\",\"b\":true,\"r\":\"70000\",\"e\":\"\"}");

    assertThatThrownBy(() -> o.intValue("f", 0, 10)).hasMessageContaining("f: not a whole number");
    assertThatThrownBy(() -> o.intValue("w", 0, 10)).hasMessageContaining("w: not a number: \"abc\"");
    assertThatThrownBy(() -> o.intValue("b", 0, 10)).hasMessageContaining("b: not a number: a boolean");
    assertThatThrownBy(() -> o.intValue("r", 1, 65535)).hasMessageContaining("r: out of range [1, 65535]: 70000");
    assertThatThrownBy(() -> o.intValue("e", 0, 10)).hasMessageContaining("e: not a number");
  }

  @Test
  void rejectsAMillionDigitNumericStringQuicklyNamingTheField() throws Exception {
    // BigDecimal parsing is superlinear: this took 11-17 s of CPU before the length bound.
    JsonObjectView o = JsonCodec.parseObject("{\"port\":\"" + "7".repeat(1_000_000) + "\"}");

    InvalidParamsException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
        () -> catchInvalid(() -> o.intValue("port", 1, 65535)));
    assertThat(e.field()).isEqualTo("port");
    assertThat(e.getMessage()).hasSizeLessThan(200).doesNotContain("7777777777");
  }

  @Test
  void rejectsAMillionDigitJsonNumberQuickly() {
    // Gson's strict reader refuses a number token longer than its buffer
    InvalidParamsException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
        () -> catchInvalid(() -> JsonCodec.parseObject("{\"n\":" + "7".repeat(1_000_000) + "}")));
    assertThat(e.field()).isEqualTo("$");
    assertThat(e.getMessage()).hasSizeLessThan(200);
  }

  @Test
  void acceptsTwentyCharacterNumbersAndRejectsLonger() throws Exception {
    JsonObjectView o = JsonCodec.parseObject(
        "{\"ok\":\"00000000000000032000\",\"long\":\"000000000000000032000\"}");

    assertThat(o.intValue("ok", 0, 65535)).isEqualTo(32000);
    assertThat(fieldOf(() -> o.intValue("long", 0, 65535))).isEqualTo("long");
  }

  @Test
  void rejectsStringsLongerThanTheDefaultLimitNamingTheField() throws Exception {
    JsonObjectView o = JsonCodec.parseObject("{\"a\":{\"s\":\"" + "x".repeat(1025)
        + "\",\"ok\":\"" + "y".repeat(1024) + "\"}}");

    assertThat(fieldOf(() -> o.object("a").string("s"))).isEqualTo("a.s");
    assertThat(fieldOf(() -> o.object("a").optString("s"))).isEqualTo("a.s");
    assertThat(fieldOf(() -> o.object("a").scalarText("s"))).isEqualTo("a.s");
    assertThat(o.object("a").string("ok")).hasSize(1024);
  }

  @Test
  void reportsDeepNestingInOneShortLineWithItsPosition() {
    String deep = "{\"a\":" + "[".repeat(5000);

    InvalidParamsException e = catchInvalid(() -> JsonCodec.parseObject(deep));

    assertThat(e.field()).isEqualTo("$");
    assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(200).doesNotContain("\n")
        .doesNotContain("[0][0]").contains("line 1 column").contains("nested deeper");
  }

  @Test
  void reportsSyntaxErrorsShortlyWithoutEchoingTheInput() {
    for (String bad : new String[] {"{\"a\":1,,}", "{\"secret-token\":tru}",
        "{\"a\":\"" + "z".repeat(5000), "{\"a\":" + "{\"b\":".repeat(20) + "}"}) {
      InvalidParamsException e = catchInvalid(() -> JsonCodec.parseObject(bad));
      assertThat(e.getMessage()).as(bad).hasSizeLessThanOrEqualTo(200).doesNotContain("\n")
          .doesNotContain("secret").doesNotContain("zzzz").contains("line 1 column");
    }
  }

  private static InvalidParamsException catchInvalid(ThrowingRead read) {
    try {
      read.run();
    } catch (InvalidParamsException e) {
      return e;
    }
    throw new AssertionError("expected InvalidParamsException");
  }

  @Test
  void treatsNullAsMissingAndOptionalGettersFallBack() throws Exception {
    JsonObjectView o = JsonCodec.parseObject("{\"x\":null}");

    assertThat(o.kind("x")).isEqualTo(Kind.NULL);
    assertThat(o.kind("y")).isEqualTo(Kind.MISSING);
    assertThat(fieldOf(() -> o.string("x"))).isEqualTo("x");
    assertThat(o.optString("x")).isNull();
    assertThat(o.optBoolean("x", true)).isTrue();
    assertThat(o.optIntValue("y", 0, 9, 7)).isEqualTo(7);
    assertThat(o.optArray("y").size()).isZero();
    assertThat(o.optObject("y")).isNull();
  }

  @Test
  void keepsTheJsonSpellingOfScalarNumbers() throws Exception {
    JsonObjectView o = JsonCodec.parseObject("{\"minptime\":10,\"apt\":\"100\",\"b\":false}");

    assertThat(o.scalarText("minptime")).isEqualTo("10");
    assertThat(o.scalarText("apt")).isEqualTo("100");
    assertThat(fieldOf(() -> o.scalarText("b"))).isEqualTo("b");
  }

  @Test
  void rejectsTextThatIsNotOneJsonObject() {
    for (String bad : new String[] {"", "nonsense", "{'a':1}", "{\"a\":1} {\"b\":2}", "{\"a\":1,}", "[]", "42", "null"}) {
      assertThat(fieldOf(() -> JsonCodec.parseObject(bad))).as(bad).isEqualTo("$");
    }
    assertThat(fieldOf(() -> JsonCodec.parseObject(null))).isEqualTo("$");
  }

  @Test
  void writesMapsInInsertionOrderWithEscapes() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("z", 1);
    m.put("a", List.of(-1, "q\"uote", true));
    m.put("n", null);

    assertThat(JsonCodec.write(m)).isEqualTo("{\"z\":1,\"a\":[-1,\"q\\\"uote\",true],\"n\":null}");
  }

  @Test
  void refusesToWriteOtherTypes() {
    assertThatThrownBy(() -> JsonCodec.write(Map.of("x", new Object())))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonCodec.write(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void noOtherMainClassImportsGson() throws IOException {
    Path main = Path.of("src/main/java");
    Path jsonPackage = main.resolve("org/tgcalls4j/internal/json");
    try (Stream<Path> files = Files.walk(main)) {
      List<Path> offenders = files
          .filter(p -> p.toString().endsWith(".java") && !p.startsWith(jsonPackage))
          // the module descriptor must name the module it reads; it imports no class
          .filter(p -> !p.getFileName().toString().equals("module-info.java"))
          .filter(p -> {
            try {
              return Files.readString(p).contains("com.google.gson");
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          })
          .toList();
      assertThat(offenders).isEmpty();
    }
    assertThat(jsonPackage.resolve("JsonCodec.java")).exists();
  }
}
