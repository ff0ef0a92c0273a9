/**
 * The trainer service: consumes labeled events (and, optionally, examples and their delayed labels
 * joined by id), scores each batch before training on it (test-then-train), trains the learning
 * engine in mini-batches and publishes model versions to the registry topic.
 *
 * <p>{@link io.streamlearn.train.Trainer} runs the Kafka loop (real clients, a poller thread, a
 * committer thread) around {@link io.streamlearn.train.TrainerCore}, which holds the rules and can
 * also be driven inline on mock clients ({@code TrainerTestDriver} in the testkit);
 * {@link io.streamlearn.train.TrainerSettings} is the configuration read once;
 * {@code TrainingSchedule} says when to checkpoint and publish on a {@link
 * io.streamlearn.train.TrainerClock}; {@code RecordRouter} says what a record is; {@code TrainingState} holds the
 * learning side (network, optimizer, scaler, counters); {@code Checkpoint} and
 * {@code CheckpointCodec} are its resumable state on the compacted checkpoint topic, written in
 * the transaction that commits the consumed offsets, so each example is trained on exactly once
 * across restarts and crashes; {@code HoldOut}, {@code ValidationGate}, {@code VersionPublisher}
 * and {@code LearningRateControl} are the publication rules (hold-out by id hash, validation gate,
 * reduce-on-plateau, drift boost); {@code DriftMonitor} and {@code Prequential} watch the
 * prequential error; {@code LabelJoin} joins delayed labels on event-time watermarks.
 * {@code LagSampling} bounds staleness ({@code --max-lag}): a trainer behind by more than that
 * trains on a sample of its events by id hash, and {@code OffsetLedger} records each lineage
 * range's rate and skipped count (docs/scaling.md).
 * {@code RawTraining} is the path of the users' own records ({@code --input-format json|avro|
 * confluent-avro}): decoded one by one on the general path, learned by the feature pipeline (part of
 * {@code TrainingState} and of the checkpoint) into sparse batches, held out as decoded records that
 * each version scores through its own pipeline, and dead-lettered naming the field when bad.
 * {@code TrainerMeters} are the trainer's Micrometer meters (what {@code /metrics} serves) and
 * {@code TrainerHealth} its readiness rule (partitions assigned, a checkpoint committed lately while
 * records wait), both read from any thread without touching the trainer's state or its consumer.
 * A trainer group ({@code --group-member}) is several trainers of one model: {@code Poller}
 * subscribes and hands the group's assignments and revocations to the training thread, {@code
 * TrainerCore} contributes its replica's update with its offsets in one transaction and adopts
 * rounds, {@code GroupSync} follows the sync topic and, on the member owning the labeled topic's
 * partition 0, folds rounds ({@code GroupFold}) and publishes; {@code GroupRecords} are the sync
 * topic's records (docs/scaling.md).
 * {@link io.streamlearn.bench.TrainerBench} is {@code streamlearn bench trainer}.
 */
package io.streamlearn.train;
