package io.streamlearn.learn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Splits {@code name(arg,key=value,...)} strings, keeping nested parentheses inside an argument. */
final class ConfigText {

  final String name;
  final List<String> positional = new ArrayList<>();
  final Map<String, String> named = new LinkedHashMap<>();

  private ConfigText(String name) {
    this.name = name;
  }

  /** @throws IllegalArgumentException naming what is wrong and where */
  static ConfigText parse(String what, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    String t = text.trim();
    int open = t.indexOf('(');
    if (open < 0) {
      return new ConfigText(t.toLowerCase(Locale.ROOT));
    }
    if (!t.endsWith(")")) {
      throw new IllegalArgumentException("bad " + what + " '" + text + "': expected ')' at position " + text.length());
    }
    ConfigText result = new ConfigText(t.substring(0, open).trim().toLowerCase(Locale.ROOT));
    String body = t.substring(open + 1, t.length() - 1);
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= body.length(); i++) {
      char c = i < body.length() ? body.charAt(i) : ',';
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        String arg = body.substring(start, i).trim();
        start = i + 1;
        if (arg.isEmpty()) {
          if (i == body.length() && result.positional.isEmpty() && result.named.isEmpty()) {
            break;
          }
          throw new IllegalArgumentException("bad " + what + " '" + text + "': empty argument at position " + (open + 1 + i));
        }
        int eq = arg.indexOf('=');
        int paren = arg.indexOf('(');
        if (eq > 0 && (paren < 0 || eq < paren)) {
          result.named.put(arg.substring(0, eq).trim().toLowerCase(Locale.ROOT), arg.substring(eq + 1).trim());
        } else {
          if (!result.named.isEmpty()) {
            throw new IllegalArgumentException("bad " + what + " '" + text + "': positional argument '" + arg
                + "' after named ones");
          }
          result.positional.add(arg);
        }
      }
    }
    return result;
  }

  static double number(String what, String key, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      IllegalArgumentException failure = new IllegalArgumentException(what + ": " + key + " must be a number, got '" + value + "'");
      failure.initCause(e);
      throw failure;
    }
  }

  static boolean bool(String what, String key, String value) {
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException(what + ": " + key + " must be true or false, got '" + value + "'");
  }
}
