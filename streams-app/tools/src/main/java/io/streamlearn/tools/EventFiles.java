package io.streamlearn.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.data.Idx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Reads events for {@code streamlearn produce} from CSV, JSON lines and IDX files. Each is an
 * {@link Iterator} of {@link Row}s; a line that does not parse is an error naming the line, never
 * a silently skipped event.
 */
final class EventFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One event to send.
   *
   * @param id the event id, or null to number it
   * @param eventTime epoch milliseconds, or 0 for now
   * @param features the input vector
   * @param label an Integer class index, a Float target, or null for a FeatureEvent
   */
  record Row(String id, long eventTime, float[] features, Object label) {}

  private EventFiles() {}

  /** CSV: numbers separated by commas, the label in {@code labelColumn} ("last", "first", "none", index). */
  static Iterator<Row> csv(BufferedReader in, String labelColumn, boolean header, String source) {
    return new LineIterator(in, header, source) {
      @Override
      Row parse(String line, long number) {
        String[] cells = line.split(",", -1);
        int labelAt = switch (labelColumn) {
          case "none" -> -1;
          case "first" -> 0;
          case "last" -> cells.length - 1;
          default -> Integer.parseInt(labelColumn);
        };
        if (labelAt >= cells.length) {
          throw new IllegalArgumentException("label column " + labelAt + " beyond the " + cells.length
              + " columns");
        }
        float[] x = new float[labelAt < 0 ? cells.length : cells.length - 1];
        int k = 0;
        for (int c = 0; c < cells.length; c++) {
          if (c != labelAt) {
            x[k++] = Float.parseFloat(cells[c].trim());
          }
        }
        return new Row(null, 0, x, labelAt < 0 ? null : label(cells[labelAt].trim()));
      }
    };
  }

  /** JSON lines: {@code {"id": ..., "eventTime": ..., "features": [...], "label": 3}}. */
  static Iterator<Row> jsonLines(BufferedReader in, String source) {
    return new LineIterator(in, false, source) {
      @Override
      Row parse(String line, long number) throws IOException {
        JsonNode n = JSON.readTree(line);
        JsonNode f = n.path("features");
        if (!f.isArray()) {
          throw new IllegalArgumentException("no \"features\" array");
        }
        float[] x = new float[f.size()];
        for (int i = 0; i < x.length; i++) {
          if (!f.get(i).isNumber()) {
            throw new IllegalArgumentException("features[" + i + "] is not a number: " + f.get(i));
          }
          x[i] = f.get(i).floatValue();
        }
        JsonNode l = n.path("label");
        if (l.isObject() && l.size() == 1) { // Avro JSON union form {"int": 3} / {"float": 0.5}
          l = l.elements().next();
        }
        Object label = l.isMissingNode() || l.isNull() ? null
            : l.isIntegralNumber() ? (Object) l.intValue() : (Object) l.floatValue();
        return new Row(n.hasNonNull("id") ? n.get("id").asText() : null, n.path("eventTime").asLong(0),
            x, label);
      }
    };
  }

  /** IDX images (any element count per image, unsigned bytes scaled to [0, 1]) and optional labels. */
  static Iterator<Row> idx(Path images, Path labels) {
    try {
      Idx.Array img = Idx.read(images);
      Idx.Array lab = labels == null ? null : Idx.read(labels);
      int rows = img.dims()[0];
      if (lab != null && lab.dims()[0] != rows) {
        throw new IllegalArgumentException("labels file " + labels + " has " + lab.dims()[0]
            + " labels for " + rows + " images in " + images);
      }
      int cols = img.data().length / rows;
      byte[] pixels = img.data();
      return new Iterator<>() {
        private int next;

        @Override
        public boolean hasNext() {
          return next < rows;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          float[] x = new float[cols];
          for (int c = 0; c < cols; c++) {
            x[c] = (pixels[next * cols + c] & 0xFF) / 255f;
          }
          Object label = lab == null ? null : lab.data()[next] & 0xFF;
          next++;
          return new Row(null, 0, x, label);
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read IDX file " + images, e);
    }
  }

  private static Object label(String cell) {
    if (cell.matches("-?\\d+")) {
      return Integer.parseInt(cell);
    }
    return Float.parseFloat(cell);
  }

  /** An iterator over the non-blank lines of a reader, parsing each. */
  private abstract static class LineIterator implements Iterator<Row> {
    private final BufferedReader in;
    private final String source;
    private String line;
    private long number;

    LineIterator(BufferedReader in, boolean skipHeader, String source) {
      this.in = in;
      this.source = source;
      if (skipHeader) {
        read();
      }
      line = read();
    }

    abstract Row parse(String line, long number) throws IOException;

    private String read() {
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

    @Override
    public boolean hasNext() {
      return line != null;
    }

    @Override
    public Row next() {
      if (line == null) {
        throw new NoSuchElementException();
      }
      String current = line;
      long at = number;
      line = read();
      try {
        return parse(current, at);
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException(source + " line " + at + ": " + e.getMessage(), e);
      }
    }
  }
}
