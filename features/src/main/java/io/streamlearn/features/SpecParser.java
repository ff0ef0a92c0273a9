package io.streamlearn.features;

import java.util.ArrayList;
import java.util.List;

/**
 * A recursive-descent parser for the {@link FeatureSpec} syntax. Every error says what was expected,
 * the 1-based position and the token found there, so a user fixes a long spec without counting.
 */
final class SpecParser {

  private final String text;
  private int pos;

  SpecParser(String text) {
    if (text == null) {
      throw new IllegalArgumentException("feature spec must not be null");
    }
    this.text = text;
  }

  FeatureSpec parse() {
    List<FieldSpec> fields = new ArrayList<>();
    skipSpace();
    if (pos == text.length()) {
      throw new IllegalArgumentException("feature spec is empty: expected fields such as distance:numeric, origin:category(500)");
    }
    while (true) {
      skipSpace();
      int fieldStart = pos;
      FieldSpec field = field();
      for (FieldSpec earlier : fields) {
        if (earlier.path().equals(field.path())) {
          throw error("field " + field.path() + " appears twice", fieldStart);
        }
      }
      fields.add(field);
      skipSpace();
      if (pos == text.length()) {
        return new FeatureSpec(fields);
      }
      expect(',', "',' between fields");
    }
  }

  private FieldSpec field() {
    skipSpace();
    int start = pos;
    String path = path();
    boolean optional = false;
    skipSpace();
    if (peek() == '?') {
      optional = true;
      pos++;
      skipSpace();
    }
    expect(':', "':' after field " + path);
    skipSpace();
    int transformStart = pos;
    String word = word();
    Transform transform;
    try {
      transform = switch (word) {
        case "numeric" -> new Transform.Numeric();
        case "bool", "boolean" -> new Transform.Bool();
        case "category" -> new Transform.Category(intArgument(word, null));
        case "hash" -> new Transform.Hash(intArgument(word, null));
        case "tokens" -> new Transform.Tokens(intArgument(word, "hash"));
        case "array" -> new Transform.Array(intArgument(word, null));
        case "time" -> time();
        case "" -> throw error("expected a transform (numeric, bool, category(n), hash(n), tokens(hash=n), time, array(n))", transformStart);
        default -> throw error("unknown transform '" + word + "', expected numeric, bool, category(n), hash(n), tokens(hash=n), time or array(n)", transformStart);
      };
    } catch (SpecError e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage() + " (field " + path + ")", transformStart);
    }
    if (start == pos) {
      throw error("expected a field", start);
    }
    return new FieldSpec(path, optional, transform);
  }

  private String path() {
    int start = pos;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '$') {
        pos++;
      } else {
        break;
      }
    }
    String path = text.substring(start, pos);
    if (path.isEmpty()) {
      throw error("expected a field name", start);
    }
    if (!FieldSpec.validPath(path)) {
      throw error("bad field path '" + path + "': names separated by single dots", start);
    }
    return path;
  }

  private String word() {
    int start = pos;
    while (pos < text.length() && (Character.isLetter(text.charAt(pos)))) {
      pos++;
    }
    return text.substring(start, pos);
  }

  /** {@code (n)} or, with {@code key}, {@code (key=n)}. */
  private int intArgument(String transform, String key) {
    skipSpace();
    expect('(', "'(' after " + transform);
    skipSpace();
    if (key != null) {
      int at = pos;
      String word = word();
      if (!word.equals(key)) {
        throw error("expected " + key + "=n in " + transform + "(" + key + "=n)", at);
      }
      skipSpace();
      expect('=', "'=' after " + key);
      skipSpace();
    }
    int value = integer();
    skipSpace();
    expect(')', "')' closing " + transform);
    return value;
  }

  private int integer() {
    int start = pos;
    while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a whole number", start);
    }
    try {
      return Integer.parseInt(text.substring(start, pos));
    } catch (NumberFormatException e) {
      throw error("number too large", start);
    }
  }

  private Transform time() {
    skipSpace();
    if (peek() != '(') {
      return new Transform.Time(null, List.of(TimePart.HOUR, TimePart.WEEKDAY));
    }
    int open = pos;
    pos++;
    skipSpace();
    String pattern = null;
    List<TimePart> parts = new ArrayList<>();
    List<Transform.TimeKey> keys = new ArrayList<>();
    int buckets = 0;
    if (peek() == '"') {
      int at = pos;
      pattern = quoted();
      try {
        Timestamps.compile(pattern);
      } catch (IllegalArgumentException e) {
        throw error(e.getMessage(), at);
      }
      skipSpace();
      if (peek() == ')') {
        pos++;
        return new Transform.Time(pattern, List.of(TimePart.HOUR, TimePart.WEEKDAY));
      }
      expect(',', "',' after the time pattern");
      skipSpace();
    }
    while (true) {
      int at = pos;
      String word = word();
      skipSpace();
      if (word.equals("keys") && peek() == '=') {
        if (!keys.isEmpty()) {
          throw error("keys=[...] appears twice", at);
        }
        pos++;
        skipSpace();
        keys = timeKeys();
      } else if (word.equals("hash") && peek() == '=') {
        if (buckets != 0) {
          throw error("hash=n appears twice", at);
        }
        pos++;
        skipSpace();
        buckets = integer();
        if (buckets == 0) {
          throw error("time keys hash buckets must be in 1..16777216", at);
        }
      } else {
        TimePart part = TimePart.of(word);
        if (part == null) {
          throw error("expected a time part (hour, weekday, month, dayofyear), keys=[...] or hash=n", at);
        }
        if (parts.contains(part)) {
          throw error("time part " + word + " appears twice", at);
        }
        if (!keys.isEmpty() || buckets != 0) {
          throw error("time parts come before keys=[...] and hash=n", at);
        }
        parts.add(part);
      }
      skipSpace();
      if (peek() == ')') {
        pos++;
        if (!keys.isEmpty() && buckets == 0) {
          throw error("time keys=[...] needs hash=n, the buckets they are hashed into", open);
        }
        if (keys.isEmpty() && buckets != 0) {
          throw error("time hash=n needs keys=[...]", open);
        }
        return new Transform.Time(pattern, parts, keys, buckets);
      }
      expect(',', "',' or ')' in time(...)");
      skipSpace();
    }
  }

  /** {@code [part(*path)*, ...]}, at least one key. */
  private List<Transform.TimeKey> timeKeys() {
    expect('[', "'[' opening keys=[...]");
    List<Transform.TimeKey> keys = new ArrayList<>();
    while (true) {
      skipSpace();
      int at = pos;
      String part = word();
      if (!Transform.TimeKey.PARTS.contains(part)) {
        throw error("expected a time key part (hour, weekday, month, dayofyear, date)", at);
      }
      List<String> crossed = new ArrayList<>();
      skipSpace();
      while (peek() == '*') {
        pos++;
        skipSpace();
        int pathAt = pos;
        String path = path();
        if (crossed.contains(path)) {
          throw error("field " + path + " crossed twice in one key", pathAt);
        }
        crossed.add(path);
        skipSpace();
      }
      Transform.TimeKey key = new Transform.TimeKey(part, crossed);
      if (keys.contains(key)) {
        throw error("time key " + key.text() + " appears twice", at);
      }
      keys.add(key);
      if (peek() == ']') {
        pos++;
        return keys;
      }
      expect(',', "',' or ']' in keys=[...]");
    }
  }

  private String quoted() {
    int start = pos;
    pos++; // the opening quote
    StringBuilder value = new StringBuilder();
    while (pos < text.length()) {
      char c = text.charAt(pos++);
      if (c == '"') {
        return value.toString();
      }
      if (c == '\\' && pos < text.length()) {
        c = text.charAt(pos++);
      }
      value.append(c);
    }
    throw error("unterminated string", start);
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void expect(char c, String what) {
    if (peek() != c) {
      throw error("expected " + what, pos);
    }
    pos++;
  }

  /** Skips whitespace and {@code #} comments (to the end of the line), so a spec file can explain itself. */
  private void skipSpace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '#') {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else {
        return;
      }
    }
  }

  private SpecError error(String message, int at) {
    return new SpecError("feature spec: " + message + " at position " + (at + 1) + ", found " + tokenAt(at)
        + " in: " + text);
  }

  /** The token starting at {@code at}, as a user would name it. */
  private String tokenAt(int at) {
    if (at >= text.length()) {
      return "the end";
    }
    char c = text.charAt(at);
    if (Character.isLetterOrDigit(c) || c == '_') {
      int end = at;
      while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_'
          || text.charAt(end) == '.')) {
        end++;
      }
      return "'" + text.substring(at, end) + "'";
    }
    return "'" + c + "'";
  }

  /** An error already naming its position, passed through the transform constructors' catch. */
  private static final class SpecError extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    SpecError(String message) {
      super(message);
    }
  }
}
