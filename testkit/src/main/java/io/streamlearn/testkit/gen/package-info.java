/**
 * Seeded generators of labeled streams, with and without concept drift: Gaussian blobs, the
 * rotating hyperplane and SEA, as in MOA and River. The same seed always gives the same stream.
 */
package io.streamlearn.testkit.gen;
