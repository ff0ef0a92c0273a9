/**
 * The one-command demo: an embedded KRaft broker, a replayed stream (the generated drifting one
 * by default, or Fashion-MNIST from its IDX files with the test images held back as unlabeled
 * events), the trainer, the inference service and the web dashboard in one JVM, with a progress
 * line every few seconds and an optional JSON summary at the end.
 */
package io.streamlearn.demo;
