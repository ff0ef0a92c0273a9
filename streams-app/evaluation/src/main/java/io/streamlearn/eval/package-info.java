/**
 * The evaluation service: served predictions meet their labels, and served quality is measured
 * per model version and alias, honestly.
 *
 * <p>{@link io.streamlearn.eval.EvaluationTopology#build} joins each {@code Prediction} with its
 * label (carried by the prediction, or a later or earlier {@code LabelEvent}) into an {@code
 * Evaluation} on {@code streamlearn.evaluations}, and aggregates them into {@code ServedMetrics}
 * on {@code streamlearn.served-metrics}. A prediction made by a version that had already trained on
 * its input (the version's lineage covers the input's offset) is marked leaked and kept out of the
 * served figures: a lagging inference would otherwise score events with versions that learned
 * them, and flatter the model.
 *
 * <p>With a shadow alias, the challenger's evaluations are paired with live's on the same events
 * ({@link io.streamlearn.eval.ChallengerTopology}) and tested with Wald's SPRT on the discordant
 * pairs ({@link io.streamlearn.eval.ChallengerSprt}); {@code ChallengerVerdict} records go to
 * {@code streamlearn.challenger-verdicts}, and with auto-promotion a significantly better
 * challenger becomes the served alias ({@link io.streamlearn.eval.ChallengerPromoter}).
 * <p>Automatic rollback ({@code RollbackGuard}, {@link io.streamlearn.eval.RollbackRule}): when a version a person moved an alias to serves
 * significantly worse than its predecessor (a sequential test with stated error rates), the alias
 * moves back, with the evidence in the alias record and an alert on the metrics topic.
 *
 * <p>Drift without labels ({@link io.streamlearn.eval.DriftTopology}): the served inputs are
 * binned with the reference sketch of the version the served alias names, and a full window whose
 * PSI reaches the threshold in any feature publishes a {@code DRIFT} training event naming those
 * features ({@link io.streamlearn.eval.DriftMonitor}).
 *
 * <p>A module of its own, not a part of inference: it scales, restarts and is configured apart
 * from the scoring path (its state is the label window, inference's is a micro-batch queue), and
 * challenger tests, canaries and rollback will grow here without touching the serving hot path.
 */
package io.streamlearn.eval;
