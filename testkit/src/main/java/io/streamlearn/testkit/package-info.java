/**
 * Test and demo infrastructure: {@link io.streamlearn.testkit.EmbeddedKafka}, a real single-node
 * KRaft broker started in-process from the Kafka jars. The {@code *IT} tests and the one-command
 * demo both use it, so the demo runs on the same broker code a cluster runs. The trainer's rules
 * run without a broker on {@link io.streamlearn.testkit.trainer.TrainerTestDriver}.
 */
package io.streamlearn.testkit;
