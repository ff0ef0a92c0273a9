package io.streamlearn.bench;

import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.train.GroupRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What a trainer group wrote on its sync topic, read back after the run with a plain
 * {@code read_committed} consumer: per member the contributions (keys
 * {@code <model>/c/<member>/<incarnation>-<n>}) and their value sizes, the rounds (key
 * {@code <model>/round}) and theirs, the bytes of every committed record of the model (key and
 * value; the tombstones of folded contributions included), and the topic's size on the broker's
 * disk (which also holds aborted records and transaction markers).
 *
 * <p>Values are decoded with the trainer's own {@link GroupRecords}, so a record the trainer could
 * not read back fails the bench.
 *
 * @param contributions committed contribution records by member
 * @param contributionBytes the sum of their value sizes by member
 * @param contributionExamples the examples their contributions say they trained on, by member
 * @param rounds committed round records
 * @param lastRound the highest round number read, -1 for none
 * @param folded contributions the rounds say they folded
 * @param roundBytes the sum of the round records' value sizes
 * @param tombstones committed tombstones of the model's keys
 * @param recordBytes key and value bytes of every committed record of the model
 * @param logBytes the sync topic's size in the broker's log directories, -1 when not known
 */
record SyncTally(Map<String, Long> contributions, Map<String, Long> contributionBytes,
                 Map<String, Long> contributionExamples, long rounds, long lastRound, long folded, long roundBytes,
                 long tombstones, long recordBytes, long logBytes) {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SyncTally.class);

  /** Reads {@code topic} from its start to its end now and tallies the records of {@code model}. */
  static SyncTally read(String servers, String topic, String model) {
    Map<String, Long> contributions = new TreeMap<>();
    Map<String, Long> contributionBytes = new TreeMap<>();
    Map<String, Long> contributionExamples = new TreeMap<>();
    long rounds = 0;
    long lastRound = -1;
    long folded = 0;
    long roundBytes = 0;
    long tombstones = 0;
    long recordBytes = 0;
    String roundKey = GroupRecords.roundKey(model);
    GroupRecords.Round previous = null;
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 << 20,
        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20), new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (parts.stream().anyMatch(p -> c.position(p) < ends.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the sync topic " + topic + " was not read to its end in 60 s");
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          String key = r.key();
          if (key == null || !key.startsWith(model + "/")) {
            continue;
          }
          recordBytes += Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
          if (r.value() == null) {
            tombstones++;
          } else if (key.equals(roundKey)) {
            GroupRecords.Round round = GroupRecords.decodeRound(r.value());
            log.debug("{} round {} by {} at {}: {} folded, |weights| {}, |weights - previous round's| {}", model,
                round.round(), round.leader(), round.createdAtMs(), round.folded().size(), norm(round.parameters(), null),
                previous == null ? "-" : norm(round.parameters(), previous.parameters()));
            previous = round;
            rounds++;
            lastRound = Math.max(lastRound, round.round());
            folded += round.folded().size();
            roundBytes += r.value().length;
          } else if (GroupRecords.isContribution(model, key)) {
            GroupRecords.Contribution sent = GroupRecords.decodeContribution(r.value());
            log.debug("{} contribution {} at {}: base round {}, {} examples, |update| {}", model, key, sent.sentAtMs(),
                sent.baseRound(), sent.examples(), norm(sent.update(), null));
            contributions.merge(sent.member(), 1L, Long::sum);
            contributionBytes.merge(sent.member(), (long) r.value().length, Long::sum);
            contributionExamples.merge(sent.member(), sent.examples(), Long::sum);
          }
        }
      }
    }
    return new SyncTally(contributions, contributionBytes, contributionExamples, rounds, lastRound, folded, roundBytes,
        tombstones, recordBytes, logBytes(servers, topic));
  }

  /** The L2 norm of {@code a} (minus {@code b} when not null), over every tensor. */
  private static double norm(List<NamedTensor> a, List<NamedTensor> b) {
    double sum = 0;
    for (int t = 0; t < a.size(); t++) {
      float[] x = a.get(t).data();
      float[] y = b == null ? null : b.get(t).data();
      for (int i = 0; i < x.length; i++) {
        double d = x[i] - (y == null ? 0 : y[i]);
        sum += d * d;
      }
    }
    return Math.sqrt(sum);
  }

  /** Contributions of {@code member}. */
  long contributions(String member) {
    return contributions.getOrDefault(member, 0L);
  }

  /** Mean value bytes of {@code member}'s contributions, NaN for none. */
  double meanContributionBytes(String member) {
    long n = contributions(member);
    return n == 0 ? Double.NaN : (double) contributionBytes.getOrDefault(member, 0L) / n;
  }

  /** Mean value bytes of a round record, NaN for none. */
  double meanRoundBytes() {
    return rounds == 0 ? Double.NaN : (double) roundBytes / rounds;
  }

  /** The topic's bytes on the broker's disk (every replica of every partition), -1 if not known. */
  private static long logBytes(String servers, String topic) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
      List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
      long sum = 0;
      Map<Integer, Map<String, LogDirDescription>> dirs = new HashMap<>(
          admin.describeLogDirs(brokers).allDescriptions().get());
      for (Map<String, LogDirDescription> byDir : dirs.values()) {
        for (LogDirDescription d : byDir.values()) {
          for (Map.Entry<TopicPartition, ReplicaInfo> e : d.replicaInfos().entrySet()) {
            if (e.getKey().topic().equals(topic)) {
              sum += e.getValue().size();
            }
          }
        }
      }
      return sum;
    } catch (java.util.concurrent.ExecutionException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
