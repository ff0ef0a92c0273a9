package io.streamlearn.eval;

import io.streamlearn.eval.ChallengerSprt.Verdict;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.ChallengerVerdict;
import io.streamlearn.schema.ChallengerVerdictType;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the paired outcomes of each (live version, challenger version), keyed {@code
 * model:liveVersion>challengerVersion}, in a changelogged store, runs {@link ChallengerSprt} after
 * every pair and publishes a {@link ChallengerVerdict}: at once when the verdict is reached, and
 * every {@code publish.interval.ms} of wall-clock time for the pairs whose counts changed.
 *
 * <p>With auto-promotion, "challenger better" moves the served alias to the challenger's version
 * through the {@link ChallengerPromoter}, once per pair of versions (the tally records that it
 * did), with the evidence in the move's reason and an {@code ALERT} training event on the metrics
 * topic. The move is a registry write outside the Streams transaction: a crash between the two
 * retries it, and the promoter answers {@code ALREADY_THERE}.
 */
final class ChallengerJudge implements Processor<String, byte[], String, byte[]> {
  private static final Logger log = LoggerFactory.getLogger(ChallengerJudge.class);

  private final ChallengerSettings settings;
  private final ChallengerPromoter promoter;
  private final long publishIntervalMs;
  private final AvroSerde<ChallengerVerdict> verdicts = AvroSerde.of(ChallengerVerdict.class);
  private final AvroSerde<TrainingEvent> events = AvroSerde.of(TrainingEvent.class);
  /** Pairs whose counts changed since the last publication; in memory: a crash only delays a publication. */
  private final Set<String> changed = new LinkedHashSet<>();
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> tallies;

  ChallengerJudge(ChallengerSettings settings, ChallengerPromoter promoter, long publishIntervalMs) {
    this.settings = settings;
    this.promoter = promoter;
    this.publishIntervalMs = publishIntervalMs;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    tallies = context.getStateStore(ChallengerTopology.TALLY_STORE);
    context.schedule(Duration.ofMillis(publishIntervalMs), PunctuationType.WALL_CLOCK_TIME, this::publishChanged);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String key = record.key();
    ChallengerTally before = ChallengerTally.decode(tallies.get(key));
    ChallengerTally after = before.add(ChallengerPairing.PairOutcome.decode(record.value()), settings.test());
    if (after.verdict() != before.verdict()) {
      log.info("challenger test {}: {} after {} pairs (b={}, c={})", key, after.verdict(), after.pairs(),
          after.liveOnly(), after.challengerOnly());
      if (after.verdict() == Verdict.CHALLENGER_BETTER && settings.autoPromote()) {
        after = promote(key, after);
      }
      tallies.put(key, after.encode());
      publish(key, after, context.currentSystemTimeMs());
      changed.remove(key);
      return;
    }
    tallies.put(key, after.encode());
    changed.add(key);
  }

  private ChallengerTally promote(String key, ChallengerTally tally) {
    Versions v = Versions.of(key);
    String reason = evidence(v, tally);
    ChallengerPromoter.Outcome outcome = promoter.promote(v.model, settings.liveAlias(), v.live, v.challenger, reason);
    log.info("auto-promote {}@{} v{} -> v{}: {} ({})", v.model, settings.liveAlias(), v.live, v.challenger, outcome,
        reason);
    if (outcome == ChallengerPromoter.Outcome.MOVED_ELSEWHERE) {
      return tally.with(ChallengerTally.Promotion.DECLINED);
    }
    if (outcome == ChallengerPromoter.Outcome.MOVED) {
      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("liveVersion", (double) v.live);
      metrics.put("challengerVersion", (double) v.challenger);
      metrics.put("pairs", (double) tally.pairs());
      metrics.put("b", (double) tally.liveOnly());
      metrics.put("c", (double) tally.challengerOnly());
      metrics.put("llr", settings.test().logLikelihoodRatio(tally.liveOnly(), tally.challengerOnly()));
      metrics.put("alpha", settings.test().alpha());
      metrics.put("beta", settings.test().beta());
      long now = context.currentSystemTimeMs();
      TrainingEvent alert = TrainingEvent.newBuilder()
          .setModel(v.model)
          .setType(TrainingEventType.ALERT)
          .setTimestamp(Instant.ofEpochMilli(now))
          .setModelVersion(v.challenger)
          .setExamplesSeen(tally.pairs())
          .setLearningRate(0) // not a trainer's event: no learning rate
          .setMetrics(metrics)
          .setMessage(RegistryChallengerPromoter.MOVED_BY + ": " + v.model + "@" + settings.liveAlias() + " v"
              + v.live + " -> v" + v.challenger + "; " + reason)
          .build();
      context.forward(new Record<>(v.model, events.serialize(null, alert), now), ChallengerTopology.METRICS_SINK);
    }
    return tally.with(ChallengerTally.Promotion.PROMOTED);
  }

  /** The evidence of a promotion, for the alias record's reason and the alert. */
  private String evidence(Versions v, ChallengerTally t) {
    ChallengerSprt test = settings.test();
    return String.format(Locale.ROOT, "%s v%d better than %s v%d on the same events (SPRT on discordant"
            + " pairs): b=%d (live only right), c=%d (challenger only right), n=%d, LLR=%.4f >= %.4f;"
            + " alpha=%s, beta=%s, delta=%s",
        settings.challengerAlias(), v.challenger, settings.liveAlias(), v.live, t.liveOnly(), t.challengerOnly(),
        t.pairs(), test.logLikelihoodRatio(t.liveOnly(), t.challengerOnly()), test.upper(), test.alpha(),
        test.beta(), test.delta());
  }

  private void publishChanged(long now) {
    for (String key : changed) {
      publish(key, ChallengerTally.decode(tallies.get(key)), now);
    }
    changed.clear();
  }

  private void publish(String key, ChallengerTally t, long now) {
    Versions v = Versions.of(key);
    ChallengerSprt test = settings.test();
    ChallengerVerdict record = ChallengerVerdict.newBuilder()
        .setModel(v.model)
        .setLiveAlias(settings.liveAlias())
        .setLiveVersion(v.live)
        .setChallengerAlias(settings.challengerAlias())
        .setChallengerVersion(v.challenger)
        .setPairs(t.pairs())
        .setLiveOnlyCorrect(t.liveOnly())
        .setChallengerOnlyCorrect(t.challengerOnly())
        .setLogLikelihoodRatio(test.logLikelihoodRatio(t.liveOnly(), t.challengerOnly()))
        .setAlpha(test.alpha())
        .setBeta(test.beta())
        .setDelta(test.delta())
        .setUpperThreshold(test.upper())
        .setLowerThreshold(test.lower())
        .setVerdict(ChallengerVerdictType.valueOf(t.verdict().name()))
        .setDecidedAtPairs(t.decidedAtPairs())
        .setPromoted(t.promotion() == ChallengerTally.Promotion.PROMOTED)
        .setPublishedAt(Instant.ofEpochMilli(now))
        .build();
    context.forward(new Record<>(key, verdicts.serialize(null, record), now), ChallengerTopology.VERDICTS_SINK);
  }

  /** The model and versions of a pair key {@code model:live>challenger}. */
  record Versions(String model, long live, long challenger) {
    static Versions of(String key) {
      int colon = key.lastIndexOf(':');
      int gt = key.lastIndexOf('>');
      if (colon < 1 || gt < colon) {
        throw new IllegalArgumentException("a pair key is model:live>challenger, found " + key);
      }
      return new Versions(key.substring(0, colon), Long.parseLong(key.substring(colon + 1, gt)),
          Long.parseLong(key.substring(gt + 1)));
    }
  }
}
