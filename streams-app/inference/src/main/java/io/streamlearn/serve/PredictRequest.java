package io.streamlearn.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.streamlearn.registry.http.HttpError;
import java.io.IOException;
import java.util.Arrays;

/**
 * The instances of one predict request body, read with Jackson's streaming parser straight into
 * what the model reads: in event mode one row-major {@code float[]} of {@code count x features}
 * values, in raw mode the byte range of each instance's JSON object in the body, which the
 * stream's own JSON record decoder then reads in place. No tree is built, so a request costs
 * little more than its bytes.
 *
 * <p>TensorFlow Serving's two request shapes are accepted: the row format {@code {"instances":
 * [...]}} and, in event mode, the columnar {@code {"inputs": [...]}} of a single unnamed input
 * (whose answer is {@code "outputs"}). {@code "signature_name"} is accepted and ignored: a version
 * has one signature. Anything else is a 400 naming what is wrong and, for a bad instance, its index.
 *
 * @param columnar whether the body used {@code "inputs"} (answered as {@code "outputs"})
 * @param count instances read, >= 1
 * @param x event mode: {@code count x features} floats, row-major; raw mode: null
 * @param ranges raw mode: start and length in the body of each instance's object; event mode: null
 */
record PredictRequest(boolean columnar, int count, float[] x, int[] ranges) {
  /** Non-numeric numbers allowed so that a client's NaN gets its own message, not a parse error. */
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .build();
  static final String SHAPE = "a predict request is {\"instances\": [...]} (or {\"inputs\": [...]})";

  /**
   * Reads a body.
   *
   * @param features the width of an event-mode instance; -1 in raw mode (instances are JSON objects)
   * @param maxInstances the most instances a request may hold
   * @throws HttpError 400 naming what is wrong
   */
  static PredictRequest parse(byte[] body, int features, int maxInstances) {
    if (body.length == 0) {
      throw new HttpError(400, "empty request body; " + SHAPE);
    }
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new HttpError(400, "request body must be a JSON object; " + SHAPE);
      }
      PredictRequest read = null;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String member = p.currentName();
        p.nextToken();
        switch (member) {
          case "instances", "inputs" -> {
            if (read != null) {
              throw new HttpError(400, "give either 'instances' or 'inputs', not both");
            }
            read = readInstances(p, member, features, maxInstances);
          }
          case "signature_name" -> {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
              throw new HttpError(400, "'signature_name' must be a string");
            }
          }
          default -> throw new HttpError(400, "unknown member '" + member + "'; " + SHAPE
              + ", optionally with \"signature_name\"");
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new HttpError(400, "request body is not valid JSON: content after the object");
      }
      if (read == null) {
        throw new HttpError(400, "missing 'instances'; " + SHAPE);
      }
      return read;
    } catch (JsonProcessingException e) {
      throw new HttpError(400, "request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new HttpError(400, "request body is not valid JSON: " + e.getMessage());
    }
  }

  private static PredictRequest readInstances(JsonParser p, String member, int features, int max) throws IOException {
    boolean columnar = member.equals("inputs");
    if (columnar && features < 0) {
      throw new HttpError(400, "'inputs' (the columnar format) is for models over feature arrays; this service"
          + " reads records: send {\"instances\": [{...}, ...]}, one JSON object per record");
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new HttpError(400, "'" + member + "' must be an array of instances, found " + describe(p.currentToken()));
    }
    float[] x = features < 0 ? null : new float[features * 4];
    int[] ranges = features < 0 ? new int[8] : null;
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new HttpError(400, "request body is not valid JSON: unterminated '" + member + "'");
      }
      if (n == max) {
        throw new HttpError(400, "more than " + max + " instances in one request; split it");
      }
      if (features < 0) {
        if (t != JsonToken.START_OBJECT) {
          throw new HttpError(400, "instance " + n + " must be a JSON object (a record), found " + describe(t));
        }
        if (ranges.length < 2 * (n + 1)) {
          ranges = Arrays.copyOf(ranges, ranges.length * 2);
        }
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        long end = p.currentLocation().getByteOffset();
        ranges[2 * n] = (int) start;
        ranges[2 * n + 1] = (int) (end - start);
      } else {
        if (x.length < (n + 1) * features) {
          x = Arrays.copyOf(x, Math.max(x.length * 2, (n + 1) * features));
        }
        readRow(p, t, n, features, x);
      }
      n++;
    }
    if (n == 0) {
      throw new HttpError(400, "'" + member + "' is empty; give at least one instance");
    }
    return new PredictRequest(columnar, n, x, ranges);
  }

  /** One event-mode instance: an array of exactly {@code features} finite numbers. */
  private static void readRow(JsonParser p, JsonToken t, int n, int features, float[] x) throws IOException {
    if (t != JsonToken.START_ARRAY) {
      throw new HttpError(400, "instance " + n + " must be an array of " + features + " numbers, found " + describe(t));
    }
    int base = n * features;
    int k = 0;
    JsonToken v;
    while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
      if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
        throw new HttpError(400, "instance " + n + ": feature " + k + " must be a number, found " + describe(v));
      }
      if (k == features) {
        throw new HttpError(400, "instance " + n + ": wrong feature count: expected " + features + ", found more");
      }
      float f = p.getFloatValue();
      if (!Float.isFinite(f)) {
        throw new HttpError(400, "instance " + n + ": feature " + k + " is " + f);
      }
      x[base + k++] = f;
    }
    if (k != features) {
      throw new HttpError(400, "instance " + n + ": wrong feature count: expected " + features + ", found " + k);
    }
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "the end of the body";
    }
    return switch (t) {
      case START_ARRAY -> "an array";
      case START_OBJECT -> "an object";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }
}
