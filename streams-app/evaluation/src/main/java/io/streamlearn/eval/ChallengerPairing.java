package io.streamlearn.eval;

import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Evaluation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs, by event id, the evaluation of the live alias with the challenger's (the shadow alias)
 * and forwards one {@link PairOutcome} per event, keyed {@code model:liveVersion>challengerVersion}
 * so that one task tests each pair of versions over every partition.
 *
 * <p>It reads the evaluations topic, which is keyed by event id, so both evaluations of an event
 * reach the same task. The first waits in a changelogged store for {@code label.window.ms} of
 * stream time; a done marker per id, kept as long, absorbs a repeated evaluation; with the
 * changelogs and {@code exactly_once_v2} each event is paired once, across restarts. A pair is
 * not counted when either side is leaked (a version that trained on the event says nothing about
 * how it serves), is a regression, or when both sides are the same version (after a promotion,
 * until the shadow alias moves on).
 */
final class ChallengerPairing implements Processor<String, byte[], String, byte[]> {
  private static final Logger log = LoggerFactory.getLogger(ChallengerPairing.class);
  private static final char SEP = '\u0000';
  private static final byte[] PRESENT = new byte[] {1};
  private static final char PENDING_KIND = 'p';
  private static final char DONE_KIND = 'd';

  private final String model;
  private final String liveAlias;
  private final String challengerAlias;
  private final long windowMs;
  private final AvroSerde<Evaluation> evaluations = AvroSerde.of(Evaluation.class);
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> pending;
  private KeyValueStore<String, byte[]> done;
  private KeyValueStore<String, byte[]> expiry;

  ChallengerPairing(String model, ChallengerSettings settings, long windowMs) {
    this.model = model;
    this.liveAlias = settings.liveAlias();
    this.challengerAlias = settings.challengerAlias();
    this.windowMs = windowMs;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    pending = context.getStateStore(ChallengerTopology.PENDING_STORE);
    done = context.getStateStore(ChallengerTopology.DONE_STORE);
    expiry = context.getStateStore(ChallengerTopology.EXPIRY_STORE);
    context.schedule(Duration.ofMillis(Math.max(1, Math.min(windowMs, 1_000))), PunctuationType.STREAM_TIME,
        this::expire);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.value() == null) {
      return;
    }
    // the join wrote these records itself: an undecodable one is a bug, not bad input, and fails loudly
    Evaluation e = evaluations.deserialize(null, record.value());
    String alias = e.getAlias();
    boolean live = liveAlias.equals(alias);
    if (!e.getModel().equals(model) || !(live || challengerAlias.equals(alias)) || e.getCorrect() == null) {
      return;
    }
    String id = e.getId();
    if (done.get(id) != null) {
      return;
    }
    String otherKey = id + SEP + (live ? challengerAlias : liveAlias);
    byte[] other = pending.get(otherKey);
    if (other == null) {
      String key = id + SEP + alias;
      if (pending.get(key) == null) {
        pending.put(key, record.value());
        index(record.timestamp(), PENDING_KIND, key);
      }
      return;
    }
    pending.delete(otherKey);
    done.put(id, PRESENT);
    index(record.timestamp(), DONE_KIND, id);
    Evaluation o = evaluations.deserialize(null, other);
    Evaluation liveSide = live ? e : o;
    Evaluation challengerSide = live ? o : e;
    if (liveSide.getLeaked() || challengerSide.getLeaked()
        || liveSide.getModelVersion() == challengerSide.getModelVersion()) {
      return;
    }
    PairOutcome outcome = PairOutcome.of(liveSide.getCorrect(), challengerSide.getCorrect());
    context.forward(new Record<>(pairKey(model, liveSide.getModelVersion(), challengerSide.getModelVersion()),
        outcome.bytes(), record.timestamp()), ChallengerTopology.PAIRS_SINK);
  }

  /** The key of a pair of versions: {@code model:liveVersion>challengerVersion}. */
  static String pairKey(String model, long liveVersion, long challengerVersion) {
    return model + ":" + liveVersion + ">" + challengerVersion;
  }

  private void index(long timestamp, char kind, String key) {
    expiry.put(EvaluationJoin.timeText(timestamp) + "|" + kind + "|" + key, PRESENT);
  }

  /** Drops what waited longer than the window: an evaluation whose other side never came, done markers. */
  private void expire(long streamTime) {
    long cutoff = streamTime - windowMs;
    if (cutoff == Long.MIN_VALUE) {
      return;
    }
    List<String> gone = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = expiry.range(EvaluationJoin.timeText(Long.MIN_VALUE),
        EvaluationJoin.timeText(cutoff))) {
      it.forEachRemaining(kv -> gone.add(kv.key));
    }
    int unpaired = 0;
    for (String entry : gone) {
      expiry.delete(entry);
      String key = entry.substring(19);
      if (entry.charAt(17) == PENDING_KIND) {
        if (pending.delete(key) != null) {
          unpaired++;
        }
      } else {
        done.delete(key);
      }
    }
    if (unpaired > 0) {
      log.debug("task {}: {} evaluations got no counterpart within {} ms", context.taskId(), unpaired, windowMs);
    }
  }

  /** How the two sides of one event fared; one byte on the internal pairs topic. */
  enum PairOutcome {
    BOTH_RIGHT, BOTH_WRONG, LIVE_ONLY, CHALLENGER_ONLY;

    static PairOutcome of(boolean liveCorrect, boolean challengerCorrect) {
      if (liveCorrect == challengerCorrect) {
        return liveCorrect ? BOTH_RIGHT : BOTH_WRONG;
      }
      return liveCorrect ? LIVE_ONLY : CHALLENGER_ONLY;
    }

    byte[] bytes() {
      return new byte[] {(byte) ordinal()};
    }

    static PairOutcome decode(byte[] bytes) {
      if (bytes == null || bytes.length != 1 || bytes[0] < 0 || bytes[0] >= values().length) {
        throw new IllegalArgumentException("a pair outcome is one byte in [0, 4), found "
            + (bytes == null ? null : java.util.Arrays.toString(bytes)));
      }
      return values()[bytes[0]];
    }
  }
}
