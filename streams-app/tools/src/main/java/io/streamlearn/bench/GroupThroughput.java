package io.streamlearn.bench;

import io.streamlearn.config.Settings;
import io.streamlearn.train.GroupStats;
import io.streamlearn.train.TrainerConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.common.config.AbstractConfig;

/**
 * {@code bench trainer --group-members N}: a trainer group of N members in this JVM over the bench's
 * pre-filled topic, next to a plain single trainer and a group of one on the same topic in the same
 * run, the configurations taking turns. For each it prints the group figures (input events a
 * second from the first consumed record to the first version whose lineage covers the whole input,
 * rounds, contributions folded, mean round bytes, versions, what the sync topic holds) and each
 * member's (examples trained, their rate while it was consuming, contributions and their mean
 * bytes, partitions owned at the end). Contributions and rounds are counted from the sync topic
 * itself after the run ({@link SyncTally}).
 */
final class GroupThroughput {

  private GroupThroughput() {}

  /** One configuration: a plain trainer (0 members) or a group of {@code members}. */
  private record Setup(String label, int members) {}

  /**
   * Runs the configurations and prints the tables.
   *
   * @param kafka the bench's {@code --kafka-property} values, which every trainer gets as well
   */
  static void run(String servers, String topic, String suffix, AbstractConfig bench, Map<String, Object> kafka,
                  PrintStream out) throws InterruptedException {
    int n = bench.getInt(TrainerBench.GROUP_MEMBERS);
    List<Setup> setups = new ArrayList<>(List.of(new Setup("single trainer (no group)", 0),
        new Setup("group of 1", 1)));
    if (n > 1) {
      setups.add(new Setup("group of " + n, n));
    }
    int repeat = bench.getInt(TrainerBench.REPEAT);
    int publishEvery = bench.getInt(TrainerConfig.PUBLISH_EVERY_BATCHES);
    Map<Setup, List<Measured>> runs = new LinkedHashMap<>();
    setups.forEach(s -> runs.put(s, new ArrayList<>()));
    for (int i = 0; i < repeat; i++) {
      for (int j = 0; j < setups.size(); j++) {
        Setup s = setups.get((i + j) % setups.size());
        String runSuffix = suffix + "-g" + s.members() + "-" + i;
        Map<String, String> settings = TrainerBench.trainerSettings(servers, topic, runSuffix, bench, publishEvery);
        // every candidate through the gate, so the version the members publish when they stop covers the input
        settings.put(TrainerConfig.GATE_MARGIN, "1");
        kafka.forEach((k, v) -> settings.put(Settings.KAFKA_PREFIX + k, String.valueOf(v)));
        // a version at most a second after the input's tail was trained on (the default waits 10 s)
        settings.put(TrainerConfig.PUBLISH_EVERY_MS, "1000");
        for (String key : List.of(TrainerConfig.GROUP_COMBINE, TrainerConfig.GROUP_SYNC_BATCHES,
            TrainerConfig.GROUP_SYNC_MS)) {
          if (!bench.getString(key).isBlank()) {
            settings.put(key, bench.getString(key).strip());
          }
        }
        List<String> ids = IntStream.range(0, s.members()).mapToObj(m -> "m" + m).toList();
        GroupRun.Result r = GroupRun.run(settings, ids, Duration.ofMinutes(10));
        SyncTally sync = s.members() == 0 ? null
            : SyncTally.read(servers, settings.get(TrainerConfig.GROUP_SYNC_TOPIC), r.model());
        runs.get(s).add(new Measured(r, sync));
      }
    }
    Map<Setup, Measured> median = new LinkedHashMap<>();
    runs.forEach((s, rs) -> median.put(s, rs.stream()
        .sorted(Comparator.comparingDouble(m -> m.result().eventsPerSecond())).toList().get(rs.size() / 2)));
    printGroup(out, runs, median);
    out.println();
    printMembers(out, median);
    out.println();
    out.println("events/s end to end: input records / (creation of the first version whose lineage, with its"
        + " predecessors', covers every input offset - the first record any member consumed); start-up and the"
        + " first join are not counted; publish.every.ms 1000 and gate.margin 1 (every candidate published);"
        + " '(at stop)': no version covered the input within " + GroupRun.TAIL.toSeconds() + " s of its last record"
        + " being consumed, and the covering version is the one the members published as they were stopped."
        + " Consumed: until the last member took its last record. Each member's"
        + " figures are from the median run; trained/s is its examples over its own first-to-last consumed"
        + " record. Sync topic: committed records of the model read back (keys and values) and the topic's size"
        + " on the broker's disk (aborted transactions and markers included).");
  }

  private record Measured(GroupRun.Result result, SyncTally sync) {}

  private static void printGroup(PrintStream out, Map<Setup, List<Measured>> runs, Map<Setup, Measured> median) {
    out.println("| configuration | events | events/s end to end (median) | each run | consumed in s | covered in s"
        + " | vs single trainer | rounds | contributions folded | mean round bytes | versions | lineage overlaps"
        + " | sync topic record bytes | sync topic log bytes |");
    out.println("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    double single = median.values().iterator().next().result().eventsPerSecond();
    for (Map.Entry<Setup, Measured> e : median.entrySet()) {
      GroupRun.Result r = e.getValue().result();
      SyncTally s = e.getValue().sync();
      StringBuilder each = new StringBuilder();
      for (Measured m : runs.get(e.getKey())) {
        each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f",
            m.result().eventsPerSecond()));
      }
      out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %s | %.2f | %.2f%s | %.2f | %s | %s | %s | %d | %d | %s | %s |%n",
          e.getKey().label(), r.events(), r.eventsPerSecond(), each, r.consumedSeconds(), r.coveredSeconds(),
          r.coveredRunning() ? "" : " (at stop)",
          r.eventsPerSecond() / single,
          s == null ? "-" : s.rounds() + " (last " + s.lastRound() + ")",
          s == null ? "-" : String.valueOf(s.folded()),
          s == null ? "-" : String.format(Locale.ROOT, "%,.0f", s.meanRoundBytes()),
          r.versions().size(), r.overlaps(),
          s == null ? "-" : String.format(Locale.ROOT, "%,d", s.recordBytes()),
          s == null ? "-" : String.format(Locale.ROOT, "%,d", s.logBytes()));
    }
  }

  /** Milliseconds per event, or "-" for none. */
  private static String perEach(long nanos, long count) {
    return count == 0 ? "-" : String.format(Locale.ROOT, "%.1f", nanos / 1e6 / count);
  }

  private static void printMembers(PrintStream out, Map<Setup, Measured> median) {
    out.println("| configuration | member | examples trained | trained/s while consuming | contributions sent"
        + " | examples in them | mean contribution bytes | ms per contribution | rounds folded | ms per fold"
        + " | ms per adoption | partitions owned at the end | versions it published | commits refused |");
    out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (Map.Entry<Setup, Measured> e : median.entrySet()) {
      SyncTally s = e.getValue().sync();
      for (GroupRun.Member m : e.getValue().result().members()) {
        GroupStats g = m.group();
        out.printf(Locale.ROOT, "| %s | %s | %,d | %,.0f | %s | %s | %s | %s | %s | %s | %s | %s | %d | %d |%n",
            e.getKey().label(), m.id().isEmpty() ? "-" : m.id(), m.trained(), m.trainedPerSecond(),
            s == null ? "-" : String.valueOf(s.contributions(m.id())),
            s == null ? "-" : String.format(Locale.ROOT, "%,d", s.contributionExamples().getOrDefault(m.id(), 0L)),
            s == null ? "-" : String.format(Locale.ROOT, "%,.0f", s.meanContributionBytes(m.id())),
            perEach(g.contributeNanos(), g.contributions()), g.roundsFolded() == 0 ? "-" : String.valueOf(g.roundsFolded()),
            perEach(g.foldNanos(), g.roundsFolded()), perEach(g.adoptNanos(), g.roundsAdopted()),
            m.partitionsOwned() < 0 ? "?" : String.valueOf(m.partitionsOwned()), m.status().publishedVersions(),
            m.refusedCommits());
      }
    }
  }
}
