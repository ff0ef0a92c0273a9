package io.streamlearn.learn.scale;

import io.streamlearn.tensor.Preprocessing;
import java.util.Arrays;
import java.util.Objects;

/**
 * A per-feature scaler whose statistics are updated from the stream, and the skeleton both scalers
 * share: two per-feature statistics with the row count, the row loop of {@link #update}, the input
 * checks, freezing into a {@link Preprocessing}, and export and restore for checkpoints. A subclass
 * says only how one row changes its statistics and what offset and scale they give.
 */
public abstract sealed class OnlineScaler permits StandardScaler, MinMaxScaler {

  /** Number of features, >= 1. */
  final int features;
  /** Rows seen. */
  long count;
  /** The first statistic, one value a feature (the mean, or the minimum). */
  final double[] first;
  /** The second statistic, one value a feature (the sum of squared deviations, or the maximum). */
  final double[] second;

  /** @param features number of features, >= 1 */
  OnlineScaler(int features) {
    if (features < 1) {
      throw new IllegalArgumentException("features must be >= 1, got " + features);
    }
    this.features = features;
    this.first = new double[features];
    this.second = new double[features];
  }

  /** The {@link Preprocessing#kind()} this scaler freezes into ({@code standard}, {@code minmax}). */
  public abstract String kind();

  /** Number of features. */
  public final int features() {
    return features;
  }

  /** Rows seen. */
  public final long count() {
    return count;
  }

  /** Updates the statistics with {@code rows} rows of {@code x} (row-major). */
  public final void update(float[] x, int rows) {
    if (rows < 0 || x == null || x.length < rows * features) {
      throw new IllegalArgumentException("x must hold rows*features = " + rows * features + " values, got "
          + (x == null ? "null" : x.length));
    }
    for (int r = 0, base = 0; r < rows; r++, base += features) {
      count++;
      observe(x, base);
    }
  }

  /** Scales {@code rows} rows of {@code x} in place with the current statistics. */
  public final void transform(float[] x, int rows) {
    freeze().apply(x, rows);
  }

  /**
   * The current statistics as immutable preprocessing: identity before the first row, and
   * whenever the statistics would change nothing.
   *
   * @throws IllegalArgumentException when a statistic is not finite
   */
  public final Preprocessing freeze() {
    if (count == 0) {
      return Preprocessing.identity();
    }
    float[] offset = new float[features];
    float[] scale = new float[features];
    for (int j = 0; j < features; j++) {
      offset[j] = offset(j);
      scale[j] = scale(j);
    }
    // Non-finite statistics (from infinite inputs) fail here, where the scaler is, not in a model.
    return Preprocessing.scaling(kind(), offset, scale).requireFinite();
  }

  /** Folds the row starting at {@code x[base]} into the statistics; {@link #count} already counts it. */
  abstract void observe(float[] x, int base);

  /** The frozen offset of {@code feature}; only called after at least one row. */
  abstract float offset(int feature);

  /** The frozen scale of {@code feature}; only called after at least one row. */
  abstract float scale(int feature);

  /**
   * A scaler continuing from exported state.
   *
   * @throws IllegalArgumentException for an unknown kind
   */
  public static OnlineScaler restore(State state) {
    int features = state.first().length;
    OnlineScaler scaler = switch (state.kind()) {
      case StandardScaler.KIND -> new StandardScaler(features);
      case MinMaxScaler.KIND -> new MinMaxScaler(features);
      default -> throw new IllegalArgumentException("unknown scaler kind '" + state.kind() + "'");
    };
    scaler.count = state.count();
    System.arraycopy(state.first(), 0, scaler.first, 0, features);
    System.arraycopy(state.second(), 0, scaler.second, 0, features);
    return scaler;
  }

  /** The state, for a checkpoint. */
  public final State export() {
    return new State(kind(), count, first, second);
  }

  /**
   * Exportable state of a scaler, for checkpoints: its kind, the rows seen and its two per-feature
   * statistics ({@code standard}: running mean and sum of squared deviations; {@code minmax}:
   * minimum and maximum).
   *
   * @param kind   the scaler's {@link #kind()}
   * @param count  rows seen, >= 0
   * @param first  the first statistic, one value a feature
   * @param second the second statistic, as long as {@code first}
   */
  public record State(String kind, long count, double[] first, double[] second) {
    /** Validates the fields and copies the arrays. */
    public State {
      if (kind == null || kind.isBlank()) {
        throw new IllegalArgumentException("kind must not be blank, got " + kind);
      }
      if (count < 0) {
        throw new IllegalArgumentException("count must be >= 0, got " + count);
      }
      if (first == null || second == null || first.length != second.length || first.length == 0) {
        throw new IllegalArgumentException("the statistics of a " + kind + " scaler must have the same non-zero"
            + " length, got " + (first == null ? "null" : first.length) + " and "
            + (second == null ? "null" : second.length));
      }
      first = first.clone();
      second = second.clone();
    }

    /** A copy of the first statistic. */
    @Override
    public double[] first() {
      return first.clone();
    }

    /** A copy of the second statistic. */
    @Override
    public double[] second() {
      return second.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof State s && kind.equals(s.kind) && count == s.count
          && Arrays.equals(first, s.first) && Arrays.equals(second, s.second);
    }

    @Override
    public int hashCode() {
      return Objects.hash(kind, count, Arrays.hashCode(first), Arrays.hashCode(second));
    }

    @Override
    public String toString() {
      return "OnlineScaler.State[" + kind + ", count=" + count + ", " + first.length + " features]";
    }
  }
}
