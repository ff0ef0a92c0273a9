/**
 * The trainer service: consumes labeled events (and, optionally, examples and their delayed labels
 * joined by id), scores each batch before training on it (test-then-train), trains the learning
 * engine in mini-batches and publishes model versions to the registry topic.
 *
 * <p>{@link io.streamlearn.train.Trainer} runs the Kafka loop; {@code TrainingState} holds the
 * learning side (network, optimizer, scaler, counters); {@code Checkpoint} and
 * {@code CheckpointCodec} are its resumable state on the compacted checkpoint topic, written in
 * the transaction that commits the consumed offsets, so each example is trained on exactly once
 * across restarts and crashes; {@code HoldOut}, {@code ValidationGate}, {@code VersionPublisher}
 * and {@code LearningRateControl} are the publication rules (hold-out by id hash, validation gate,
 * reduce-on-plateau, drift boost); {@code DriftMonitor} and {@code Prequential} watch the
 * prequential error; {@code LabelJoin} joins delayed labels on event-time watermarks.
 * {@link io.streamlearn.bench.TrainerBench} is {@code streamlearn bench trainer}.
 */
package io.streamlearn.train;
