package io.streamlearn.train;

import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes the training history ({@link TrainingEvent} records keyed by model) to the metrics topic. */
final class TrainingEvents {
  private final AvroSerde<TrainingEvent> serde = AvroSerde.of(TrainingEvent.class);
  private final String topic;
  private final String model;
  private final TrainerClock clock;

  TrainingEvents(String topic, String model, TrainerClock clock) {
    this.topic = topic;
    this.model = model;
    this.clock = clock;
  }

  /** Sends one record in the producer's open transaction. */
  void send(Producer<String, byte[]> producer, TrainingEventType type, long version, long examplesSeen,
            double learningRate, Map<String, Double> metrics, String message) {
    TrainingEvent e = TrainingEvent.newBuilder().setModel(model).setType(type).setTimestamp(clock.now())
        .setModelVersion(version).setExamplesSeen(examplesSeen).setLearningRate(learningRate)
        .setMetrics(Map.copyOf(metrics)).setMessage(message).build();
    producer.send(new ProducerRecord<>(topic, model, serde.serialize(topic, e)));
  }
}
