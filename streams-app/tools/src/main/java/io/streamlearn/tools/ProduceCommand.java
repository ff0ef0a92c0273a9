package io.streamlearn.tools;

import io.streamlearn.cli.Main;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.StreamGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code streamlearn produce}: sends {@code LabeledEvent}s (and {@code FeatureEvent}s for
 * unlabeled rows) from a CSV, JSON-lines or IDX file or a generated stream, in the single-object
 * encoding, at a chosen rate; or, with {@code --source jsonl}, the user's own JSON objects as
 * they are to any topic (see {@link RawJsonLines}).
 */
final class ProduceCommand {
  private static final long PROGRESS_NANOS = 5_000_000_000L;

  private ProduceCommand() {}

  public static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    ProduceSettings settings = ProduceConfig.fromArgs(args, env).settings();
    if (settings.source().equals("jsonl")) {
      return sendRawJson(settings, out);
    }
    String labeledTopic = settings.topics().labeled();
    String featuresTopic = settings.topics().features();
    Map<String, Object> client = settings.kafka().clientProperties();
    int partitions = settings.topics().partitions();
    KafkaSupport.ensureTopics(client, settings.topics().replicationFactor(), List.of(
        KafkaSupport.eventTopic(labeledTopic, partitions), KafkaSupport.eventTopic(featuresTopic, partitions)));
    Map<String, Object> props = new HashMap<>(client);
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    AvroSerde<LabeledEvent> labeledSerde = AvroSerde.of(LabeledEvent.class);
    AvroSerde<FeatureEvent> featureSerde = AvroSerde.of(FeatureEvent.class);
    SplittableRandom random = new SplittableRandom(settings.seed() + 1);
    double unlabeledShare = settings.unlabeledShare();
    long count = settings.count();
    int rate = settings.rate();
    String prefix = settings.idPrefix();
    long labeled = 0;
    long unlabeled = 0;
    String source = settings.source();
    String file = settings.file();
    boolean lines = source.equals("csv") || source.equals("events-jsonl");
    // Standard input is read but never closed: it belongs to the process, not to this command.
    BufferedReader fileReader = lines && !file.equals("-") ? open(file) : null;
    BufferedReader lineReader = fileReader != null ? fileReader
        : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (fileReader;
         KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      Iterator<EventFiles.Row> rows = rows(settings, lineReader);
      long started = System.nanoTime();
      long nextProgress = started + PROGRESS_NANOS;
      Future<RecordMetadata> last = null;
      for (long n = 0; (count == 0 || n < count) && rows.hasNext(); n++) {
        pace(started, n, rate);
        EventFiles.Row row = rows.next();
        String id = row.id() != null ? row.id() : prefix + n;
        Instant time = row.eventTime() > 0 ? Instant.ofEpochMilli(row.eventTime()) : Instant.now();
        List<Float> x = FloatLists.boxed(row.features());
        if (row.label() != null && !(unlabeledShare > 0 && random.nextDouble() < unlabeledShare)) {
          last = producer.send(new ProducerRecord<>(labeledTopic, id,
              labeledSerde.serialize(labeledTopic, new LabeledEvent(id, time, x, row.label()))));
          labeled++;
        } else {
          last = producer.send(new ProducerRecord<>(featuresTopic, id,
              featureSerde.serialize(featuresTopic, new FeatureEvent(id, time, x))));
          unlabeled++;
        }
        if (System.nanoTime() >= nextProgress) {
          out.println(String.format(Locale.ROOT, "sent %,d events (%,.0f/s)", labeled + unlabeled,
              (labeled + unlabeled) * 1e9 / (System.nanoTime() - started)));
          nextProgress += PROGRESS_NANOS;
        }
      }
      flush(producer, last);
    }
    out.println(String.format(Locale.ROOT, "sent %,d labeled events to %s and %,d unlabeled events to %s",
        labeled, labeledTopic, unlabeled, featuresTopic));
    return Main.OK;
  }

  /**
   * {@code --source jsonl}: each line's JSON object, byte for byte, to {@code --topic}. A bad line
   * stops the run after what came before it is flushed, and the error names the line (see
   * {@link RawJsonLines}).
   */
  private static int sendRawJson(ProduceSettings settings, PrintStream out) throws Exception {
    String topic = settings.topic();
    Map<String, Object> client = settings.kafka().clientProperties();
    KafkaSupport.ensureTopics(client, settings.topics().replicationFactor(),
        List.of(KafkaSupport.eventTopic(topic, settings.topics().partitions())));
    Map<String, Object> props = new HashMap<>(client);
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    String file = settings.file();
    BufferedReader fileReader = file.equals("-") ? null : open(file);
    BufferedReader lineReader = fileReader != null ? fileReader
        : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    long sent = 0;
    try (fileReader;
         KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      RawJsonLines lines = new RawJsonLines(lineReader, file.equals("-") ? "standard input" : file,
          settings.keyField(), settings.idPrefix());
      long started = System.nanoTime();
      long nextProgress = started + PROGRESS_NANOS;
      Future<RecordMetadata> last = null;
      try {
        for (long n = 0; (settings.count() == 0 || n < settings.count()) && lines.hasNext(); n++) {
          pace(started, n, settings.rate());
          RawJsonLines.Line line = lines.next();
          last = producer.send(new ProducerRecord<>(topic, line.key(), line.value()));
          sent++;
          if (System.nanoTime() >= nextProgress) {
            out.println(String.format(Locale.ROOT, "sent %,d records (%,.0f/s)", sent,
                sent * 1e9 / (System.nanoTime() - started)));
            nextProgress += PROGRESS_NANOS;
          }
        }
      } catch (IllegalArgumentException e) {
        flush(producer, last);
        throw new IllegalArgumentException(e.getMessage() + " (the " + sent
            + " records before it were sent to " + topic + ")", e);
      }
      flush(producer, last);
    }
    out.println(String.format(Locale.ROOT, "sent %,d JSON records to %s", sent, topic));
    return Main.OK;
  }

  /** Sleeps until event {@code n} is due at {@code rate} per second (0: never sleeps). */
  private static void pace(long started, long n, int rate) throws InterruptedException {
    if (rate > 0) {
      long wait = started + n * 1_000_000_000L / rate - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
  }

  private static void flush(KafkaProducer<String, byte[]> producer, Future<RecordMetadata> last)
      throws InterruptedException {
    producer.flush();
    if (last != null) {
      try {
        last.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("the broker refused records: " + e.getCause().getMessage(),
            e.getCause());
      }
    }
  }

  private static Iterator<EventFiles.Row> rows(ProduceSettings settings, BufferedReader lines) {
    String file = settings.file();
    switch (settings.source()) {
      case "csv":
        return EventFiles.csv(lines, settings.labelColumn(), settings.csvHeader(), file);
      case "events-jsonl":
        return EventFiles.jsonLines(lines, file);
      case "idx":
        String labels = settings.labelsFile();
        return EventFiles.idx(Path.of(file), labels.isBlank() ? null : Path.of(labels));
      default:
        StreamGenerator g = StreamGenerator.named(settings.generator(), settings.seed());
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return true;
          }

          @Override
          public EventFiles.Row next() {
            Example e = g.next();
            return new EventFiles.Row(null, 0, e.features(), e.label());
          }
        };
    }
  }

  private static BufferedReader open(String file) throws IOException {
    Path path = Path.of(file);
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException("file must be readable, found '" + file + "'");
    }
    return Files.newBufferedReader(path, StandardCharsets.UTF_8);
  }
}
