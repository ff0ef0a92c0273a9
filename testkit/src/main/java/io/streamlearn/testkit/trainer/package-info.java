/**
 * {@link io.streamlearn.testkit.trainer.TrainerTestDriver}: the trainer's rules (publish pace,
 * validation gate, rollback, hold-out, drift reaction, delayed labels, dead letters) run on Kafka's
 * mock clients and a manual clock, with no broker and no threads, for fast deterministic tests.
 */
package io.streamlearn.testkit.trainer;
