package io.streamlearn.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;

/**
 * The records of {@code streamlearn produce --source jsonl}: each non-blank line of a JSON-lines
 * file is one JSON object, sent as it is (its UTF-8 bytes, no wrapping, no re-serialization), so
 * what a consumer reads is byte for byte the user's own record.
 *
 * <p>Keys: with a key field (a dotted path such as {@code user.id}), the field's value as text (a
 * string as it is, a number or boolean as its JSON text); otherwise {@code <id prefix><line
 * number>}, 1-based, counting blank lines, so each record has a stable id that inference can use
 * as its default {@code --id-field} (the record key).
 *
 * <p>A file whose first non-blank character is {@code [} is one JSON array of objects (as
 * vega-datasets' {@code flights-20k.json} is): it is read whole, each element is a record, sent as
 * the exact text it has in the file, and "line" in keys and errors means the element's 1-based
 * position.
 *
 * <p>A line that is not one JSON object, or lacks its key field, stops the iteration with an
 * {@link IllegalArgumentException} naming the file and the line: a replay with a silently
 * dropped record would train and evaluate on something other than the file.
 */
final class RawJsonLines implements Iterator<RawJsonLines.Line> {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final ObjectMapper JSON =
      new ObjectMapper(FACTORY).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Pattern DOT = Pattern.compile("\\.");

  /**
   * One record to send.
   *
   * @param number the 1-based line number in the file
   * @param key the record key
   * @param value the line's bytes, UTF-8, without its line terminator
   */
  record Line(long number, String key, byte[] value) {}

  private final BufferedReader in;
  private final String source;
  private final String[] keyPath;
  private final String keyPrefix;
  /** The elements' text of an array file; null for JSON lines. */
  private final Iterator<String> elements;
  private String line;
  private long number;

  /**
   * @param in the lines
   * @param source the file name, for error messages
   * @param keyField dotted path of the key field, or blank to key by line number
   * @param keyPrefix prefix of line-number keys
   */
  RawJsonLines(BufferedReader in, String source, String keyField, String keyPrefix) {
    this.in = in;
    this.source = source;
    this.keyPath = keyField.isBlank() ? null : DOT.split(keyField.strip());
    this.keyPrefix = keyPrefix;
    this.elements = startsAnArray(in) ? arrayElements(in, source) : null;
    this.line = read();
  }

  @Override
  public boolean hasNext() {
    return line != null;
  }

  @Override
  public Line next() {
    if (line == null) {
      throw new NoSuchElementException();
    }
    String current = line;
    long at = number;
    line = read();
    try {
      String key = keyPath == null ? keyPrefix + at : keyOf(JSON.readTree(current));
      if (keyPath == null) {
        checkObject(current);
      }
      return new Line(at, key, current.getBytes(StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(source + " line " + at + ": " + reason(e), e);
    }
  }

  /** Checks that the text is exactly one JSON object without building a tree. */
  private static void checkObject(String text) throws IOException {
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object: " + abbreviate(text));
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("more than one JSON value on the line: " + abbreviate(text));
      }
    }
  }

  private String keyOf(JsonNode record) {
    if (record == null || !record.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode n = record;
    for (String part : keyPath) {
      n = n.path(part);
    }
    String path = String.join(".", keyPath);
    if (n.isMissingNode() || n.isNull()) {
      throw new IllegalArgumentException("key field " + path + " is missing or null");
    }
    if (n.isContainerNode()) {
      throw new IllegalArgumentException("key field " + path + " is not a string, number or boolean: " + n);
    }
    return n.asText();
  }

  private String read() {
    if (elements != null) {
      number++;
      return elements.hasNext() ? elements.next() : null;
    }
    try {
      String l;
      do {
        l = in.readLine();
        number++;
      } while (l != null && l.isBlank());
      return l;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source, e);
    }
  }

  private static boolean startsAnArray(BufferedReader in) {
    try {
      in.mark(64 * 1024);
      int c;
      do {
        c = in.read();
      } while (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\uFEFF');
      in.reset();
      return c == '[';
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the start of the input", e);
    }
  }

  /** The exact text of each element of the JSON array the reader holds, in order. */
  private static Iterator<String> arrayElements(BufferedReader in, String source) {
    StringBuilder text = new StringBuilder();
    char[] buffer = new char[1 << 16];
    List<String> out = new ArrayList<>();
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        text.append(buffer, 0, n);
      }
      String all = text.toString();
      try (JsonParser p = FACTORY.createParser(all)) {
        p.nextToken(); // the array's '['
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          if (t == null) {
            throw new IllegalArgumentException(source + ": the JSON array is not closed");
          }
          int from = (int) p.currentTokenLocation().getCharOffset();
          if (t != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException(source + " line " + (out.size() + 1)
                + ": not a JSON object: " + abbreviate(all.substring(from, Math.min(all.length(), from + 60))));
          }
          p.skipChildren();
          int until = (int) p.currentTokenLocation().getCharOffset() + 1;
          out.add(all.substring(from, until));
        }
        if (p.nextToken() != null) {
          throw new IllegalArgumentException(source + ": text after the JSON array");
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(source + " line " + (out.size() + 1) + " of the JSON array: "
          + reason(e), e);
    }
    return out.iterator();
  }

  private static String reason(Exception e) {
    String m = e.getMessage();
    // Jackson appends the source location on later lines; the first line says what is wrong.
    int newline = m == null ? -1 : m.indexOf('\n');
    return newline < 0 ? String.valueOf(m) : m.substring(0, newline);
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }
}
