/**
 * The live web dashboard: learning curves (served prequential and hold-out accuracy per version,
 * the trainer's metrics), the version timeline with alias moves and swaps, throughput and
 * latency, the evaluation's view (served vs trainer figures per version and alias, challenger
 * verdicts, the canary split, label-free feature drift), drift alerts, and the latest predictions
 * with their input images. {@link
 * io.streamlearn.dashboard.DashboardFeed} reads the topics into a {@link
 * io.streamlearn.dashboard.DashboardState}; {@link io.streamlearn.dashboard.Dashboard} adds a
 * static page (HTML, JavaScript and SVG, no build step) and its JSON API to the registry's route
 * table ({@code io.streamlearn.registry.http.Routes}), the project's one HTTP stack; {@link
 * io.streamlearn.dashboard.AliasMover} writes the alias moves its promote button asks for.
 */
package io.streamlearn.dashboard;
