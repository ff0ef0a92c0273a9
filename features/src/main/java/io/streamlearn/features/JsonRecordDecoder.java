package io.streamlearn.features;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decodes one JSON object per record (a Kafka record value) into an {@link InputRecord}, reading
 * only the dotted paths asked for with Jackson's streaming parser: every other member is skipped
 * without building it, so a wide record costs little more than its bytes. Not a tree model: there
 * is no databind here.
 *
 * <p>Bytes that are not JSON, a JSON value that is not an object, or trailing content after the
 * object raise a {@link BadRecordException} with no field. A path whose parent is not an object
 * reads as missing. A nested object at a path read as a leaf is returned as an empty map, which
 * every transform rejects as a wrong type. Duplicate members: the last one wins.
 *
 * <p>Immutable and thread-safe.
 */
public final class JsonRecordDecoder {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();
  private static final Object NESTED_OBJECT = Map.of();

  private final Map<String, Integer> index;
  private final Node root = new Node();

  /** A decoder for {@code paths} (dotted, e.g. {@code user.country}). */
  public JsonRecordDecoder(Collection<String> paths) {
    Objects.requireNonNull(paths, "paths");
    Set<String> unique = new LinkedHashSet<>(paths);
    if (unique.isEmpty()) {
      throw new IllegalArgumentException("a JSON decoder needs at least one path");
    }
    Map<String, Integer> index = new HashMap<>();
    for (String path : unique) {
      if (path == null || !FieldSpec.validPath(path)) {
        throw new IllegalArgumentException("bad path " + path);
      }
      int slot = index.size();
      index.put(path, slot);
      Node node = root;
      for (String name : path.split("\\.")) {
        node = node.children.computeIfAbsent(name, n -> new Node());
      }
      node.slot = slot;
    }
    this.index = Map.copyOf(index);
  }

  /** A decoder for the spec's fields, the label's field (if any) and the id field (if any). */
  public static JsonRecordDecoder forPipeline(FeatureSpec spec, LabelSpec label, String idPath) {
    List<String> paths = new ArrayList<>(spec.inputPaths());
    if (label != null) {
      paths.add(label.path());
    }
    if (idPath != null) {
      paths.add(idPath);
    }
    return new JsonRecordDecoder(paths);
  }

  /** Decodes a whole array. */
  public InputRecord decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length);
  }

  /**
   * Decodes {@code length} bytes from {@code offset}.
   *
   * @throws BadRecordException if they are not one JSON object
   */
  public InputRecord decode(byte[] bytes, int offset, int length) {
    Object[] values = new Object[index.size()];
    try (JsonParser parser = FACTORY.createParser(bytes, offset, length)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new BadRecordException(null, "not JSON: empty value");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new BadRecordException(null, "not a JSON object: found " + describe(first));
      }
      readObject(parser, root, values);
      if (parser.nextToken() != null) {
        throw new BadRecordException(null, "not JSON: content after the object");
      }
    } catch (JsonProcessingException e) {
      throw new BadRecordException(null, "not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadRecordException(null, "not JSON: " + e.getMessage());
    }
    return new Decoded(index, values);
  }

  private static void readObject(JsonParser parser, Node node, Object[] values) throws IOException {
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      Node child = node.children.get(parser.currentName());
      token = parser.nextToken();
      if (child == null) {
        parser.skipChildren();
      } else if (token == JsonToken.START_OBJECT && !child.children.isEmpty()) {
        if (child.slot >= 0) {
          values[child.slot] = NESTED_OBJECT;
        }
        readObject(parser, child, values);
      } else if (child.slot >= 0) {
        values[child.slot] = readValue(parser, token);
      } else {
        parser.skipChildren(); // a scalar where an object was expected: the paths below read as missing
      }
    }
    if (token != JsonToken.END_OBJECT) {
      throw new BadRecordException(null, "not JSON: unexpected " + token);
    }
  }

  private static Object readValue(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        JsonParser.NumberType type = parser.getNumberType();
        return type == JsonParser.NumberType.BIG_INTEGER ? parser.getBigIntegerValue() : (Object) parser.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      case START_ARRAY:
        List<Object> list = new ArrayList<>();
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
          if (element == null) {
            throw new BadRecordException(null, "not JSON: unterminated array");
          }
          list.add(readValue(parser, element));
        }
        return list;
      case START_OBJECT:
        parser.skipChildren();
        return NESTED_OBJECT;
      default:
        throw new BadRecordException(null, "not JSON: unexpected " + token);
    }
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.toString();
    };
  }

  /** One level of the path tree. */
  private static final class Node {
    final Map<String, Node> children = new HashMap<>();
    int slot = -1;
  }

  /** The values read, by slot. */
  private record Decoded(Map<String, Integer> index, Object[] values) implements InputRecord {
    @Override
    public Object value(String path) {
      Integer slot = index.get(path);
      if (slot == null) {
        throw new IllegalArgumentException("path " + path + " was not decoded; the decoder reads " + index.keySet());
      }
      return values[slot];
    }
  }
}
