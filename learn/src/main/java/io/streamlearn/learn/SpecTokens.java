package io.streamlearn.learn;

import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The spec-string words of the engine's enums ({@code relu}, {@code glorot}): an enum constant's
 * lower-case name, plus a few aliases, parsed case-insensitively by one piece of code so every
 * option of a network spec accepts and refuses words the same way.
 */
final class SpecTokens {
  private SpecTokens() {}

  /** The word for {@code constant}: its name in lower case. */
  static String of(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant {@code token} names, case-insensitive, trying {@code aliases} first.
   *
   * @param what what the word names, for the error ({@code activation}, {@code weight init})
   * @throws IllegalArgumentException naming the token and the words expected
   */
  static <E extends Enum<E>> E parse(String token, E[] constants, Map<String, E> aliases, String what) {
    String t = token.trim().toLowerCase(Locale.ROOT);
    E alias = aliases.get(t);
    if (alias != null) {
      return alias;
    }
    StringJoiner expected = new StringJoiner(", ");
    for (E c : constants) {
      if (of(c).equals(t)) {
        return c;
      }
      expected.add(of(c));
    }
    throw new IllegalArgumentException("unknown " + what + " '" + token + "' (expected one of " + expected + ")");
  }
}
