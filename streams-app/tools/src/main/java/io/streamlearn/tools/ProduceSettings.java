package io.streamlearn.tools;

import io.streamlearn.config.KafkaSettings;
import io.streamlearn.config.TopicSettings;

/**
 * What {@code streamlearn produce} runs with, read once from a {@link ProduceConfig}.
 *
 * @param kafka where Kafka is and the pass-through client properties
 * @param topics the labeled and features topics (created when missing)
 * @param source generator, csv, jsonl (raw JSON objects), events-jsonl or idx
 * @param file the file of a file source ({@code -}: standard input); empty for the generator
 * @param labelsFile idx: the labels file; empty for none
 * @param generator the generated stream's name
 * @param count events to send; 0 the whole file, or endless
 * @param rate events per second; 0 as fast as the broker takes them
 * @param unlabeledShare share of labeled examples sent as FeatureEvents, in [0, 1]
 * @param labelColumn csv: last, first, none or a column index
 * @param csvHeader csv: skip the first line
 * @param idPrefix prefix of generated event ids
 * @param seed seed of the generator and of the unlabeled share
 * @param topic jsonl: the topic of the raw JSON records; empty for the other sources
 * @param keyField jsonl: dotted path of the key field; empty to key by line number
 */
public record ProduceSettings(KafkaSettings kafka, TopicSettings topics, String source, String file,
                              String labelsFile, String generator, long count, int rate, double unlabeledShare,
                              String labelColumn, boolean csvHeader, String idPrefix, long seed,
                              String topic, String keyField) {
  /** Validates. */
  public ProduceSettings {
    if (kafka == null || topics == null || source == null || file == null || labelsFile == null
        || generator == null || labelColumn == null || idPrefix == null || topic == null
        || keyField == null) {
      throw new IllegalArgumentException("no setting may be null");
    }
    if (!source.equals("generator") && file.isBlank()) {
      throw new IllegalArgumentException("source " + source + " needs a file");
    }
    if (source.equals("jsonl") && topic.isBlank()) {
      throw new IllegalArgumentException("source jsonl needs a topic");
    }
    if (count < 0 || rate < 0) {
      throw new IllegalArgumentException("count and rate must be >= 0, found " + count + " and " + rate);
    }
    if (!(unlabeledShare >= 0 && unlabeledShare <= 1)) {
      throw new IllegalArgumentException("unlabeledShare must be in [0, 1], found " + unlabeledShare);
    }
  }
}
