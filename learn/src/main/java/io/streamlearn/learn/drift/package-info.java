/**
 * Concept-drift detectors on the prequential error stream (1 for a wrong prediction, 0 for a right
 * one, or any bounded per-example loss): {@link io.streamlearn.learn.drift.Adwin} (adaptive
 * windowing, Bifet and Gavaldà 2007) and {@link io.streamlearn.learn.drift.PageHinkley} (a
 * cumulative-sum test for an increase of the mean). Drift without labels: a version's reference
 * sketch of its training inputs ({@link io.streamlearn.learn.drift.ReferenceSketch} accumulates,
 * {@link io.streamlearn.learn.drift.FeatureReference} is frozen) and the population stability index
 * of served inputs against it ({@link io.streamlearn.learn.drift.Psi}).
 */
package io.streamlearn.learn.drift;
