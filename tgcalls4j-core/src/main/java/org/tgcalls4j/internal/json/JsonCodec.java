package org.tgcalls4j.internal.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tgcalls4j.InvalidParamsException;

/**
 * The only class that touches the JSON library: parses text into read-only views that report
 * every problem as an {@link InvalidParamsException} naming the field in JSON-path form
 * ({@code transport.candidates[1].port}; the document itself is {@code $}), and writes plain
 * Java values (maps, lists, strings, numbers, booleans) as compact JSON (RFC 8259).
 *
 * <p>All methods are stateless and thread-safe; views are immutable.
 */
public final class JsonCodec {
  /** Path of the whole document. */
  public static final String ROOT = "$";

  private JsonCodec() {}

  /** Longest numeric text read as a whole number, in characters (sign and spelling included). */
  public static final int MAX_NUMBER_CHARS = 20;
  /** Longest string value the default getters return, in characters (UTF-16 code units). */
  public static final int MAX_STRING_CHARS = 1024;
  /** Deepest nesting of arrays and objects a parse accepts, in levels (the top object is 1). */
  public static final int MAX_DEPTH = 32;
  private static final int MAX_REASON_CHARS = 60;
  private static final java.util.regex.Pattern GSON_POSITION =
      java.util.regex.Pattern.compile(" at line (\\d+) column (\\d+)");

  /**
   * Parses a complete JSON text (RFC 8259, strict: no comments, no unquoted names, nothing after
   * the value) whose top-level value must be an object. Arrays and objects may nest at most
   * {@link #MAX_DEPTH} levels (RFC 8259 §9 lets a parser limit nesting). Error messages are short
   * (under 200 characters), give the line and column, and never echo the text.
   *
   * @param text the JSON text
   * @param maxChars the longest text accepted, in characters (UTF-16 code units); longer text is
   *     rejected before it is parsed
   * @return a view of the top-level object, with path {@link #ROOT}
   * @throws InvalidParamsException with field {@code $} if the text is null, too long, not JSON,
   *     nested too deeply, or not an object
   */
  public static JsonObjectView parseObject(String text, int maxChars) throws InvalidParamsException {
    if (text == null) {
      throw new InvalidParamsException(ROOT, "missing");
    }
    if (text.length() > maxChars) {
      throw new InvalidParamsException(ROOT, "longer than " + maxChars + " characters: "
          + text.length());
    }
    JsonElement root;
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.STRICT);
      reader.setNestingLimit(MAX_DEPTH);
      root = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new InvalidParamsException(ROOT, "not JSON: text after the value");
      }
    } catch (JsonParseException | IOException | IllegalStateException e) {
      throw new InvalidParamsException(ROOT, "not JSON: " + shortReason(e), e);
    }
    if (!root.isJsonObject()) {
      throw new InvalidParamsException(ROOT, "not a JSON object");
    }
    return new JsonObjectView(ROOT, root.getAsJsonObject());
  }

  /**
   * Like {@link #parseObject(String, int)} with no length limit beyond what a {@code String}
   * holds; for trusted or already bounded text.
   *
   * @param text the JSON text
   * @return a view of the top-level object, with path {@link #ROOT}
   * @throws InvalidParamsException with field {@code $} if the text is null, not JSON, nested
   *     too deeply, or not an object
   */
  public static JsonObjectView parseObject(String text) throws InvalidParamsException {
    return parseObject(text, Integer.MAX_VALUE);
  }

  /**
   * The parser's complaint without its JSON path (which repeats {@code [0]} once per nesting
   * level) or advice, plus the line and column: at most about 100 characters, no input echoed.
   */
  private static String shortReason(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && t.getMessage() != null
        && t.getMessage().startsWith(t.getCause().getClass().getName())) {
      t = t.getCause(); // Gson wraps MalformedJsonException in JsonSyntaxException
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    message = message.lines().findFirst().orElse("");
    java.util.regex.Matcher at = GSON_POSITION.matcher(message);
    String position = "";
    if (at.find()) {
      position = " at line " + at.group(1) + " column " + at.group(2);
      message = message.substring(0, at.start());
    }
    if (message.startsWith("Use JsonReader.setStrictness")) {
      message = "syntax error"; // Gson's advice to be lenient, not a reason
    } else if (message.startsWith("Nesting limit")) {
      message = "nested deeper than " + MAX_DEPTH + " levels";
    }
    if (message.length() > MAX_REASON_CHARS) {
      message = message.substring(0, MAX_REASON_CHARS) + "...";
    }
    return message + position;
  }

  /**
   * Writes a value as compact JSON. Maps keep their iteration order (use a {@code LinkedHashMap}
   * for a stable key order).
   *
   * @param value a {@code Map<String, ?>}, {@code List<?>}, {@code String}, {@code Number},
   *     {@code Boolean} or null, nested arbitrarily
   * @return the JSON text
   * @throws IllegalArgumentException if the value, or anything inside it, has another type, or a
   *     map key is not a string, or a number is NaN or infinite
   */
  public static String write(Object value) {
    return toElement(value).toString();
  }

  private static JsonElement toElement(Object value) {
    if (value == null) {
      return JsonNull.INSTANCE;
    } else if (value instanceof String s) {
      return new JsonPrimitive(s);
    } else if (value instanceof Boolean b) {
      return new JsonPrimitive(b);
    } else if (value instanceof Number n) {
      if ((n instanceof Double d && !Double.isFinite(d)) || (n instanceof Float f && !Float.isFinite(f))) {
        throw new IllegalArgumentException("JSON cannot hold " + n);
      }
      return new JsonPrimitive(n);
    } else if (value instanceof Map<?, ?> map) {
      JsonObject object = new JsonObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException("JSON object key is not a string: " + e.getKey());
        }
        object.add(key, toElement(e.getValue()));
      }
      return object;
    } else if (value instanceof List<?> list) {
      JsonArray array = new JsonArray(list.size());
      for (Object item : list) {
        array.add(toElement(item));
      }
      return array;
    }
    throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
  }

  private static String describe(JsonElement e) {
    if (e.isJsonObject()) {
      return "an object";
    } else if (e.isJsonArray()) {
      return "an array";
    } else if (e.isJsonNull()) {
      return "null";
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return "a boolean";
    } else if (p.isNumber()) {
      return "a number";
    }
    return "a string";
  }

  /**
   * Quotes outside text for an error message: a JSON string of at most its first 40 characters
   * (then {@code ...}), control and quote characters escaped, so a hostile value cannot forge
   * log lines or flood a message.
   *
   * @param s the text
   * @return the quoted text
   */
  public static String shortQuote(String s) {
    String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return toElement(shown).toString();
  }

  /**
   * Reads a whole number from a JSON number or from a string holding one (Telegram sends ICE
   * candidate numbers as strings). Text longer than {@link #MAX_NUMBER_CHARS} characters is
   * rejected before it is parsed.
   */
  private static long wholeNumber(String path, JsonElement e, long min, long max)
      throws InvalidParamsException {
    if (!e.isJsonPrimitive() || e.getAsJsonPrimitive().isBoolean()) {
      throw new InvalidParamsException(path, "not a number: " + describe(e));
    }
    String raw = e.getAsString();
    if (raw.length() > MAX_NUMBER_CHARS) {
      // BigDecimal parsing is superlinear in the digit count; no value in range is this long
      throw new InvalidParamsException(path, "not a number in range: longer than "
          + MAX_NUMBER_CHARS + " characters (" + raw.length() + ")");
    }
    String text = raw.strip();
    long value;
    try {
      value = new BigDecimal(text).longValueExact();
    } catch (NumberFormatException e1) {
      throw new InvalidParamsException(path, "not a number: " + shortQuote(e.getAsString()));
    } catch (ArithmeticException e2) {
      throw new InvalidParamsException(path, "not a whole number in range: " + shortQuote(text));
    }
    if (value < min || value > max) {
      throw new InvalidParamsException(path, "out of range [" + min + ", " + max + "]: " + value);
    }
    return value;
  }

  private static String bounded(String path, String value, int maxChars)
      throws InvalidParamsException {
    if (value.length() > maxChars) {
      throw new InvalidParamsException(path, "longer than " + maxChars + " characters: "
          + value.length());
    }
    return value;
  }

  /** Kinds of JSON values, as told by {@link JsonObjectView#kind}. */
  public enum Kind {
    /** The key is absent. */
    MISSING,
    /** JSON {@code null}. */
    NULL,
    /** An object. */
    OBJECT,
    /** An array. */
    ARRAY,
    /** A string. */
    STRING,
    /** A number. */
    NUMBER,
    /** {@code true} or {@code false}. */
    BOOLEAN
  }

  private static Kind kindOf(JsonElement e) {
    if (e == null) {
      return Kind.MISSING;
    } else if (e.isJsonNull()) {
      return Kind.NULL;
    } else if (e.isJsonObject()) {
      return Kind.OBJECT;
    } else if (e.isJsonArray()) {
      return Kind.ARRAY;
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    return p.isBoolean() ? Kind.BOOLEAN : p.isNumber() ? Kind.NUMBER : Kind.STRING;
  }

  /**
   * A read-only JSON object at a known path. Required getters throw for a missing key or a JSON
   * {@code null}; optional getters return a fallback for both.
   */
  public static final class JsonObjectView {
    private final String path;
    private final JsonObject object;

    JsonObjectView(String path, JsonObject object) {
      this.path = path;
      this.object = object;
    }

    /** @return this object's JSON path, {@code $} for the document */
    public String path() {
      return path;
    }

    /**
     * @param key member name
     * @return the JSON path of that member, e.g. {@code transport.ufrag}
     */
    public String pathOf(String key) {
      return ROOT.equals(path) ? key : path + "." + key;
    }

    /** @return the member names in document order */
    public List<String> keys() {
      return List.copyOf(object.keySet());
    }

    /**
     * @param key member name
     * @return the kind of the member's value, {@link Kind#MISSING} if absent
     */
    public Kind kind(String key) {
      return kindOf(object.get(key));
    }

    private JsonElement required(String key) throws InvalidParamsException {
      JsonElement e = object.get(key);
      if (e == null || e.isJsonNull()) {
        throw new InvalidParamsException(pathOf(key), "missing");
      }
      return e;
    }

    private boolean absent(String key) {
      JsonElement e = object.get(key);
      return e == null || e.isJsonNull();
    }

    /**
     * @param key member name
     * @return the member's string value, at most {@link #MAX_STRING_CHARS} characters
     * @throws InvalidParamsException if missing, not a string, or longer
     */
    public String string(String key) throws InvalidParamsException {
      return string(key, MAX_STRING_CHARS);
    }

    /**
     * @param key member name
     * @param maxChars the longest value accepted, in characters (UTF-16 code units)
     * @return the member's string value
     * @throws InvalidParamsException if missing, not a string, or longer than maxChars
     */
    public String string(String key, int maxChars) throws InvalidParamsException {
      JsonElement e = required(key);
      if (kindOf(e) != Kind.STRING) {
        throw new InvalidParamsException(pathOf(key), "not a string: " + describe(e));
      }
      return bounded(pathOf(key), e.getAsString(), maxChars);
    }

    /**
     * @param key member name
     * @return the member's string value, at most {@link #MAX_STRING_CHARS} characters, or null if
     *     missing
     * @throws InvalidParamsException if present but not a string, or longer
     */
    public String optString(String key) throws InvalidParamsException {
      return absent(key) ? null : string(key);
    }

    /**
     * A string or a number, as text (a number keeps its JSON spelling, e.g. {@code 10}).
     *
     * @param key member name
     * @return the text, at most {@link #MAX_STRING_CHARS} characters
     * @throws InvalidParamsException if missing, neither a string nor a number, or longer
     */
    public String scalarText(String key) throws InvalidParamsException {
      JsonElement e = required(key);
      Kind kind = kindOf(e);
      if (kind != Kind.STRING && kind != Kind.NUMBER) {
        throw new InvalidParamsException(pathOf(key), "not a string or number: " + describe(e));
      }
      return bounded(pathOf(key), e.getAsString(), MAX_STRING_CHARS);
    }

    /**
     * A whole number given as a JSON number or as a string holding one ({@code 32000} or
     * {@code "32000"}).
     *
     * @param key member name
     * @param min smallest allowed value
     * @param max largest allowed value
     * @return the value
     * @throws InvalidParamsException if missing, not a whole number, or outside [min, max]
     */
    public long longValue(String key, long min, long max) throws InvalidParamsException {
      return wholeNumber(pathOf(key), required(key), min, max);
    }

    /**
     * Like {@link #longValue} for an {@code int}.
     *
     * @param key member name
     * @param min smallest allowed value
     * @param max largest allowed value
     * @return the value
     * @throws InvalidParamsException if missing, not a whole number, or outside [min, max]
     */
    public int intValue(String key, int min, int max) throws InvalidParamsException {
      return (int) wholeNumber(pathOf(key), required(key), min, max);
    }

    /**
     * Like {@link #intValue}, with a fallback for a missing member.
     *
     * @param key member name
     * @param min smallest allowed value
     * @param max largest allowed value
     * @param fallback returned when the member is missing or null
     * @return the value or the fallback
     * @throws InvalidParamsException if present but not a whole number in [min, max]
     */
    public int optIntValue(String key, int min, int max, int fallback) throws InvalidParamsException {
      return absent(key) ? fallback : intValue(key, min, max);
    }

    /**
     * @param key member name
     * @param fallback returned when the member is missing or null
     * @return the member's boolean value or the fallback
     * @throws InvalidParamsException if present but not {@code true}/{@code false}
     */
    public boolean optBoolean(String key, boolean fallback) throws InvalidParamsException {
      if (absent(key)) {
        return fallback;
      }
      JsonElement e = object.get(key);
      if (kindOf(e) != Kind.BOOLEAN) {
        throw new InvalidParamsException(pathOf(key), "not a boolean: " + describe(e));
      }
      return e.getAsBoolean();
    }

    /**
     * @param key member name
     * @return a view of the member object
     * @throws InvalidParamsException if missing or not an object
     */
    public JsonObjectView object(String key) throws InvalidParamsException {
      JsonElement e = required(key);
      if (!e.isJsonObject()) {
        throw new InvalidParamsException(pathOf(key), "not an object: " + describe(e));
      }
      return new JsonObjectView(pathOf(key), e.getAsJsonObject());
    }

    /**
     * @param key member name
     * @return a view of the member object, or null if missing
     * @throws InvalidParamsException if present but not an object
     */
    public JsonObjectView optObject(String key) throws InvalidParamsException {
      return absent(key) ? null : object(key);
    }

    /**
     * @param key member name
     * @return a view of the member array
     * @throws InvalidParamsException if missing or not an array
     */
    public JsonArrayView array(String key) throws InvalidParamsException {
      JsonElement e = required(key);
      if (!e.isJsonArray()) {
        throw new InvalidParamsException(pathOf(key), "not an array: " + describe(e));
      }
      return new JsonArrayView(pathOf(key), e.getAsJsonArray());
    }

    /**
     * @param key member name
     * @return a view of the member array; an empty one if missing or null
     * @throws InvalidParamsException if present but not an array
     */
    public JsonArrayView optArray(String key) throws InvalidParamsException {
      return absent(key) ? new JsonArrayView(pathOf(key), new JsonArray()) : array(key);
    }
  }

  /** A read-only JSON array at a known path. */
  public static final class JsonArrayView {
    private final String path;
    private final JsonArray array;

    JsonArrayView(String path, JsonArray array) {
      this.path = path;
      this.array = array;
    }

    /** @return this array's JSON path, e.g. {@code transport.candidates} */
    public String path() {
      return path;
    }

    /** @return the number of elements */
    public int size() {
      return array.size();
    }

    /**
     * @param index element index, 0-based
     * @return the JSON path of that element, e.g. {@code transport.candidates[1]}
     * @throws IndexOutOfBoundsException if index is outside [0, size)
     */
    public String pathOf(int index) {
      java.util.Objects.checkIndex(index, array.size());
      return path + "[" + index + "]";
    }

    /**
     * @param index element index, 0-based
     * @return a view of the element object
     * @throws InvalidParamsException if the element is not an object
     * @throws IndexOutOfBoundsException if index is outside [0, size)
     */
    public JsonObjectView object(int index) throws InvalidParamsException {
      JsonElement e = array.get(index);
      if (!e.isJsonObject()) {
        throw new InvalidParamsException(pathOf(index), "not an object: " + describe(e));
      }
      return new JsonObjectView(pathOf(index), e.getAsJsonObject());
    }

    /**
     * @param index element index, 0-based
     * @param min smallest allowed value
     * @param max largest allowed value
     * @return the element as a whole number (JSON number or numeric string)
     * @throws InvalidParamsException if not a whole number in [min, max]
     * @throws IndexOutOfBoundsException if index is outside [0, size)
     */
    public long longValue(int index, long min, long max) throws InvalidParamsException {
      return wholeNumber(pathOf(index), array.get(index), min, max);
    }

    /**
     * @return views of every element, in order
     * @throws InvalidParamsException if an element is not an object
     */
    public List<JsonObjectView> objects() throws InvalidParamsException {
      List<JsonObjectView> out = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        out.add(object(i));
      }
      return out;
    }
  }
}
