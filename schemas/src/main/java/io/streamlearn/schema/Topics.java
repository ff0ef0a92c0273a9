package io.streamlearn.schema;

/** Default topic names; every app lets the user override each one. */
public final class Topics {
  /** Labeled events ({@link LabeledEvent}) the trainer learns from. */
  public static final String LABELED = "streamlearn.labeled";
  /** Unlabeled events ({@link FeatureEvent}) to score. */
  public static final String FEATURES = "streamlearn.features";
  /** One {@link Prediction} per input event. */
  public static final String PREDICTIONS = "streamlearn.predictions";
  /** The compacted model registry: versions ({@code name:version}) and aliases ({@code name@alias}). */
  public static final String MODELS = "streamlearn.models";
  /** Training history ({@link TrainingEvent}). */
  public static final String METRICS = "streamlearn.metrics";
  /** Records that could not be processed, with the reason in headers. */
  public static final String DEAD_LETTER = "streamlearn.dead-letter";
  /** Labels ({@link LabelEvent}) that arrive after their {@link FeatureEvent}, joined by id. */
  public static final String LABELS = "streamlearn.labels";
  /** The trainer's compacted checkpoint topic (weights, optimizer state, offsets), keyed by model. */
  public static final String TRAINER_STATE = "streamlearn.trainer-state";

  /** Served predictions joined with their labels ({@link Evaluation}), keyed by event id. */
  public static final String EVALUATIONS = "streamlearn.evaluations";
  /** Served quality per version and alias and window ({@link ServedMetrics}), keyed {@code model:version@alias}. */
  public static final String SERVED_METRICS = "streamlearn.served-metrics";
  /** The paired test of the shadow alias against live ({@link ChallengerVerdict}), keyed {@code model:live>challenger}. */
  public static final String CHALLENGER_VERDICTS = "streamlearn.challenger-verdicts";

  private Topics() {}
}
