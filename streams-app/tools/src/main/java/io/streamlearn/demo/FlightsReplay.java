package io.streamlearn.demo;

import io.streamlearn.data.Flights;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Replays the Flights records as they are in the file (each object's own JSON bytes, in time
 * order, cycling) to one topic at a steady rate, keyed {@code fl-<n>}: the key is each record's id
 * for the trainer's hold-out and the predictions, unique across laps.
 *
 * <p>From the second lap on, each record's date moves on a year of whole weeks ({@link Flights#onLap}),
 * so a model keyed on the date cannot remember the first lap's days.
 */
final class FlightsReplay extends PacedReplay {
  private final String topic;
  private final List<byte[]> records;

  FlightsReplay(String bootstrap, String topic, List<byte[]> records, int rate) {
    super(bootstrap, rate);
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no Flights records to replay");
    }
    this.topic = topic;
    this.records = records;
  }

  @Override
  ProducerRecord<String, byte[]> record(long n) {
    return new ProducerRecord<>(topic, "fl-" + n, Flights.onLap(records.get((int) (n % records.size())),
        n / records.size()));
  }
}
