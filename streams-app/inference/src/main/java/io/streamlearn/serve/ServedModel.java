package io.streamlearn.serve;

import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.learn.Model;
import io.streamlearn.registry.ModelVersion;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model an inference instance serves for one alias: one immutable {@link Current} behind an
 * atomic reference. A stream thread reads it once per micro-batch, so every prediction of that
 * batch comes from that one version; the registry thread replaces it whole, after checking the new
 * one, so the stream threads never wait for a swap.
 */
public final class ServedModel {
  /**
   * A served version and its ready-to-run model.
   *
   * @param version the registry version (metadata and signature)
   * @param model the inference model built from it
   * @param swappedAtMillis when it became the served one (wall clock of this instance)
   * @param publishedAtMillis the Kafka timestamp of the alias move that named it, -1 when unknown
   *     (the version was already live when this instance started)
   * @param movedAtMillis when the alias was moved to it ({@code AliasMove.movedAt}); orders alias
   *     moves, also a rollback to an older version
   * @param prepareMicros how long decoding, checking and warming it up took
   * @param pipeline the version's feature pipeline, parsed once when the version was loaded, which
   *     featurizes every raw record this version scores; null for a version over events
   */
  public record Current(ModelVersion version, Model model, long swappedAtMillis, long publishedAtMillis,
                        long movedAtMillis, long prepareMicros, FrozenPipeline pipeline) {
    /** Validates. */
    public Current {
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(model, "model");
      if (prepareMicros < 0) {
        throw new IllegalArgumentException("prepareMicros must be >= 0, found " + prepareMicros);
      }
    }

    /** A version over events. */
    public Current(ModelVersion version, Model model, long swappedAtMillis, long publishedAtMillis,
                   long movedAtMillis, long prepareMicros) {
      this(version, model, swappedAtMillis, publishedAtMillis, movedAtMillis, prepareMicros, null);
    }

    /** A model served from now on, with no publication time known. */
    public Current(ModelVersion version, Model model, long swappedAtMillis) {
      this(version, model, swappedAtMillis, -1, 0, 0);
    }

    /**
     * True when this is another version than {@code otherVersion} and the alias move that named it
     * is older than the one that named that version (ties broken by version number).
     */
    boolean olderThan(long otherMovedAtMillis, long otherVersion) {
      return version.version() != otherVersion && (movedAtMillis < otherMovedAtMillis
          || movedAtMillis == otherMovedAtMillis && version.version() < otherVersion);
    }
  }

  /** The check that refused a candidate version (the {@code reason} tag of the refusal counter). */
  public enum Refusal {
    /** Undecodable, or its checksum does not match its weights. */
    DECODE,
    /** Its architecture or weights do not build a model. */
    MODEL,
    /** It reads other inputs than this service (a feature pipeline, or another feature spec). */
    INPUT,
    /** Its signature (feature count, task) differs from the served version's. */
    SIGNATURE,
    /** Its warm-up output is not finite. */
    WARM_UP;

    /** The tag value: the name in lower case. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final AtomicReference<Current> current = new AtomicReference<>();
  private final AtomicLong swaps = new AtomicLong();
  private final Map<Refusal, AtomicLong> refused = new EnumMap<>(Refusal.class);

  /** A holder serving nothing yet. */
  public ServedModel() {
    for (Refusal r : Refusal.values()) {
      refused.put(r, new AtomicLong());
    }
  }

  /** The served model, or {@code null} before the first one. */
  public Current current() {
    return current.get();
  }

  /** Serves {@code next} from now on. */
  void swap(Current next) {
    current.set(next);
    swaps.incrementAndGet();
  }

  void countRefused(Refusal reason) {
    refused.get(reason).incrementAndGet();
  }

  /** How many times the served model changed. */
  public long swaps() {
    return swaps.get();
  }

  /** How many candidate versions were refused. */
  public long refused() {
    long sum = 0;
    for (AtomicLong n : refused.values()) {
      sum += n.get();
    }
    return sum;
  }

  /** How many candidate versions were refused by one check. */
  public long refused(Refusal reason) {
    return refused.get(reason).get();
  }
}
