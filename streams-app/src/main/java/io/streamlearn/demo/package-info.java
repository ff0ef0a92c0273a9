/**
 * The one-command demo: an embedded KRaft broker, a generated drifting stream, the trainer and
 * the inference service in one JVM, with a progress line every few seconds and an optional JSON
 * summary at the end.
 */
package io.streamlearn.demo;
