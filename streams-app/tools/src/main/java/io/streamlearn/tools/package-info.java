/**
 * The tools launcher ({@link io.streamlearn.tools.ToolsMain}): the services' commands plus those
 * that bring their own broker or data (demo, benches) and {@code produce}, which replays files or
 * a seeded generator into a topic. The only production code allowed to use the test kit.
 */
package io.streamlearn.tools;
