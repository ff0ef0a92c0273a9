package io.streamlearn.schema.user;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.util.Utf8;

/**
 * A dotted field path ({@code user.country}) into a generic record, read as plain Java values so
 * a feature pipeline needs no Avro types: {@code null} when the path is missing (no such field,
 * a null union branch, an absent map key, an index past an array's end), a {@link String} for
 * strings and enum symbols, a {@link Number} for int, long, float, double and decimal (as
 * {@link BigDecimal}), a {@link Boolean}, or a {@link List} for an array (its elements converted
 * the same way). Records and maps are walked by the path's segments; a segment that is a number
 * indexes an array.
 *
 * <p>A path that ends on a record or a map, or on bytes or fixed that are not a decimal, is a
 * mistake in the feature spec rather than a missing value, so it raises
 * {@link IllegalArgumentException} naming the path and what it found. Map keys may contain no
 * dots (they are split like field names).
 *
 * @param path the dotted path as given
 * @param segments the path split at its dots
 */
public record GenericPath(String path, List<String> segments) {
  private static final Conversions.DecimalConversion DECIMALS = new Conversions.DecimalConversion();

  /** Checks the path is non-blank with no empty segment; copies the segments. */
  public GenericPath {
    Objects.requireNonNull(path, "path");
    segments = List.copyOf(Objects.requireNonNull(segments, "segments"));
    if (segments.isEmpty() || segments.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("path must be dotted field names like user.country, got '" + path + "'");
    }
  }

  /** The path {@code dotted}, split at its dots. */
  public static GenericPath of(String dotted) {
    Objects.requireNonNull(dotted, "path");
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= dotted.length(); i++) {
      if (i == dotted.length() || dotted.charAt(i) == '.') {
        parts.add(dotted.substring(start, i));
        start = i + 1;
      }
    }
    return new GenericPath(dotted, parts);
  }

  /** Reads {@code path} from {@code record}; see the class comment for the types returned. */
  public static Object value(GenericRecord record, String path) {
    return of(path).read(record);
  }

  /** Reads this path from {@code record}; see the class comment for the types returned. */
  public Object read(GenericRecord record) {
    Objects.requireNonNull(record, "record");
    Object current = record;
    Schema schema = record.getSchema();
    for (String segment : segments) {
      if (current == null) {
        return null;
      }
      schema = branch(schema, current);
      switch (schema.getType()) {
        case RECORD -> {
          Schema.Field field = schema.getField(segment);
          if (field == null) {
            return null;
          }
          current = ((IndexedRecord) current).get(field.pos());
          schema = field.schema();
        }
        case MAP -> {
          Map<?, ?> map = (Map<?, ?>) current;
          Object v = map.get(new Utf8(segment));
          current = v != null ? v : map.get(segment);
          schema = schema.getValueType();
        }
        case ARRAY -> {
          List<?> list = (List<?>) current;
          int index = index(segment);
          if (index < 0 || index >= list.size()) {
            return null;
          }
          current = list.get(index);
          schema = schema.getElementType();
        }
        default -> {
          return null;
        }
      }
    }
    return plain(current, schema);
  }

  private static int index(String segment) {
    if (segment.length() > 9) {
      return -1;
    }
    for (int i = 0; i < segment.length(); i++) {
      if (segment.charAt(i) < '0' || segment.charAt(i) > '9') {
        return -1;
      }
    }
    return Integer.parseInt(segment);
  }

  private static Schema branch(Schema schema, Object value) {
    return schema.getType() == Schema.Type.UNION
        ? schema.getTypes().get(AvroBodies.MODEL.resolveUnion(schema, value)) : schema;
  }

  private Object plain(Object value, Schema schema) {
    if (value == null) {
      return null;
    }
    if (value instanceof CharSequence || value instanceof GenericEnumSymbol<?>) {
      return value.toString();
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value;
    }
    Schema s = branch(schema, value);
    if (value instanceof List<?> list) {
      if (isPlainScalar(s.getElementType())) {
        return Collections.unmodifiableList(list);
      }
      List<Object> out = new ArrayList<>(list.size());
      for (Object element : list) {
        out.add(plain(element, s.getElementType()));
      }
      return Collections.unmodifiableList(out);
    }
    LogicalType logical = s.getLogicalType();
    if (logical instanceof LogicalTypes.Decimal) {
      if (value instanceof ByteBuffer bytes) {
        return DECIMALS.fromBytes(bytes.duplicate(), s, logical);
      }
      if (value instanceof GenericFixed fixed) {
        return DECIMALS.fromFixed(fixed, s, logical);
      }
    }
    throw new IllegalArgumentException("path " + path + " ends on an Avro " + s.getType().getName()
        + (s.getType() == Schema.Type.RECORD ? " (" + s.getFullName() + ": name one of its fields "
        + s.getFields().stream().map(f -> path + "." + f.name()).toList() + ")" : "")
        + (s.getType() == Schema.Type.MAP ? ": name one of its keys, as " + path + ".key" : "")
        + ", not a string, number, boolean or array");
  }

  private static boolean isPlainScalar(Schema elements) {
    return switch (elements.getType()) {
      case INT, LONG, FLOAT, DOUBLE, BOOLEAN -> true;
      default -> false;
    };
  }
}
