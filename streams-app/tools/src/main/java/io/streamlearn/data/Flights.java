package io.streamlearn.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The Flights data set of the npm package {@code vega-datasets} 3.2.1: US domestic flights of early
 * 2001 in time order, {@code flights-20k.json} a JSON array of 20,000 objects like
 * {@code {"date": "2001/01/01 00:47", "delay": 66, "distance": 1750, "origin": "DTW", "destination": "LAS"}}.
 * The task: is a flight more than 15 minutes late ({@link #LABEL}), base rate 0.2175.
 *
 * <p>Looked for where {@link FlightsData} says ({@code bin/fetch-data} puts it there). The records
 * come out as the raw bytes of each JSON object, as a topic of raw JSON values would hold them.
 */
public final class Flights {

  /** The file name. */
  public static final String FILE = FlightsData.FLIGHTS_20K;
  /**
   * The feature spec for it: airports by vocabulary (220 origins and 223 destinations fit),
   * distance standardized online, cyclic hour and weekday, and time keys hashed into one sparse
   * field: the hour and the weekday as categories, today ({@code date}), today at this origin and at
   * this destination, and the hour at each airport. The keys of today are what lifts the
   * prequential pass (AUC 0.647 to 0.670 with {@link #LAYERS}): delays cluster by day and airport
   * (weather, congestion), and a key learned from the day's earlier flights carries that forward.
   * Each key's weight is learned only from rows already trained on, as every other statistic.
   * 16,384 key buckets, not 65,536 (AUC 0.665 against 0.671): the trainer's checkpoint holds the
   * first layer and its optimizer state, and with 65,536 buckets it is 34 MB, over the 16 MB a
   * Kafka request takes by default; with 16,384 it is under 9 MB.
   */
  public static final String SPEC = "distance:numeric, origin:category(300), destination:category(300), "
      + "date:time(\"yyyy/MM/dd HH:mm\", hour, weekday, keys=[hour, weekday, date, date*origin, date*destination, "
      + "hour*origin, hour*destination], hash=16384)";

  /**
   * The network for {@link #SPEC} (the bench's and the demo's): one hidden layer of 64 relu units
   * over the sparse layout (the first layer a gather-and-sum of the slots' weight rows).
   */
  public static final String LAYERS = "dense(64,relu) > dense(2,softmax)";

  /**
   * The optimizer for {@link #LAYERS} at batch 32: AdaGrad's per-coordinate rates suit the many
   * rarely seen key slots (SGD 0.5 reaches AUC 0.650 with the same spec, AdaGrad 0.05 0.670).
   */
  public static final String OPTIMIZER = "adagrad(0.05)";

  /** {@link #OPTIMIZER} as the trainer's {@code --optimizer} and {@code --learning-rate} take it. */
  public static final String OPTIMIZER_KIND = "adagrad";

  /** {@link #OPTIMIZER}'s learning rate. */
  public static final double LEARNING_RATE = 0.05;

  /** The batch size {@link #OPTIMIZER} was tuned at, the trainer's kind of batch. */
  public static final int BATCH = 32;

  /**
   * The demo's default replay rate, records a second: the 20,000 flights in a minute, so a one-minute
   * demo scores each flight once, before any lap repeats one (a model that has trained on a flight
   * a lap ago remembers it, and its accuracy is then memory, not forecast).
   */
  public static final int REPLAY_RATE = 330;

  /** The label: delayed more than 15 minutes. */
  public static final String LABEL = "delay>15";

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private Flights() {}

  /** Where the file is expected: {@link FlightsData#dataDir}, where {@code bin/fetch-data} unpacks it. */
  public static Path defaultPath(Map<String, String> env) {
    return FlightsData.dataDir(env).resolve(FILE);
  }

  /**
   * The records of a Flights JSON file, each the bytes of one object, in file (time) order.
   *
   * @throws IllegalArgumentException if the file is missing (saying how to get it) or not a JSON array of objects
   * @throws UncheckedIOException if it cannot be read
   */
  public static List<byte[]> records(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no Flights data at " + file + "; get it with ./streamlearn fetch-data"
          + " (STREAMLEARN_DATA moves where it goes)");
    }
    try {
      return split(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The objects of a JSON array, each as its own bytes. */
  static List<byte[]> split(byte[] array, String source) throws IOException {
    List<byte[]> records = new ArrayList<>();
    try (JsonParser parser = FACTORY.createParser(array)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw new IllegalArgumentException(source + " is not a JSON array");
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        parser.skipChildren();
        int end = (int) parser.currentLocation().getByteOffset();
        records.add(Arrays.copyOfRange(array, start, end));
      }
      if (token != JsonToken.END_ARRAY) {
        throw new IllegalArgumentException(source + " holds " + token + " where a flight object or the array's end belongs");
      }
    }
    return records;
  }

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm");
  private static final String DATE_FIELD = "\"date\": \"";

  /**
   * A record as a replay's lap {@code lap} (0 first) sends it: as it is on lap 0, and later with its
   * {@code date} moved on by 364 days a lap (52 whole weeks, so weekdays and hours stay). The 20,000
   * flights cover three weeks; a replay that repeated their dates would let a model keyed on the
   * date (as {@link #SPEC} is) remember every day of the first lap and score far better than on a
   * stream it has not seen. A record without such a date is left as it is.
   */
  public static byte[] onLap(byte[] record, long lap) {
    if (lap == 0) {
      return record;
    }
    String text = new String(record, StandardCharsets.UTF_8);
    int start = text.indexOf(DATE_FIELD);
    int end = start < 0 ? -1 : text.indexOf('"', start + DATE_FIELD.length());
    if (end < 0) {
      return record;
    }
    try {
      LocalDateTime date = LocalDateTime.parse(text.substring(start + DATE_FIELD.length(), end), DATE);
      return (text.substring(0, start + DATE_FIELD.length()) + DATE.format(date.plusDays(364 * lap))
          + text.substring(end)).getBytes(StandardCharsets.UTF_8);
    } catch (DateTimeParseException e) {
      return record;
    }
  }
}
