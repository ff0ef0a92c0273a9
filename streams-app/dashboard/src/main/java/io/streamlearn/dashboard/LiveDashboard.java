package io.streamlearn.dashboard;

import io.streamlearn.registry.http.Routes;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard of one model on a running cluster, ready to mount: its state, the feed reading
 * the topics into it, and (unless read-only) the alias mover behind the promote button. This is
 * what a server embedding the dashboard (the demo, {@code streamlearn dashboard}, the registry's
 * REST server) creates once and closes when it stops:
 *
 * <pre>{@code
 * try (LiveDashboard live = LiveDashboard.start(clientProps, topics, "demo", false, Duration.ofSeconds(60))) {
 *   live.mount(registryServer.routes(), "/dashboard/");  // on a server that has more routes
 *   ...
 * }
 * }</pre>
 *
 * or serves on its own with {@link #serve}. Either way the server's {@code /api/health} reports
 * the feed as its {@code dashboard} component: down once the feed stopped reading.
 */
public final class LiveDashboard implements AutoCloseable {
  private final DashboardState state;
  private final DashboardFeed feed;
  private final AliasMover mover;
  private final Dashboard dashboard;

  private LiveDashboard(DashboardState state, DashboardFeed feed, AliasMover mover) {
    this.state = state;
    this.feed = feed;
    this.mover = mover;
    this.dashboard = new Dashboard(state, mover);
  }

  /**
   * Starts following {@code model} on the cluster {@code clientProps} names; returns once the
   * feed reads its topics (they must exist within {@code timeout}).
   */
  public static LiveDashboard start(Map<String, Object> clientProps, DashboardFeed.Topics topics,
                                    String model, boolean readOnly, Duration timeout)
      throws InterruptedException {
    return start(new DashboardState(model), clientProps, topics, readOnly, timeout);
  }

  /** As {@link #start(Map, DashboardFeed.Topics, String, boolean, Duration)}, into a given state. */
  public static LiveDashboard start(DashboardState state, Map<String, Object> clientProps,
                                    DashboardFeed.Topics topics, boolean readOnly, Duration timeout)
      throws InterruptedException {
    DashboardFeed feed = new DashboardFeed(state, clientProps, topics);
    AliasMover mover = readOnly ? null : new AliasMover(state, clientProps, topics.models());
    try {
      feed.start(timeout);
    } catch (IllegalStateException | InterruptedException e) {
      feed.close();
      if (mover != null) {
        mover.close();
      }
      throw e;
    }
    return new LiveDashboard(state, feed, mover);
  }

  /** What the dashboard shows. */
  public DashboardState state() {
    return state;
  }

  /** The web component. */
  public Dashboard dashboard() {
    return dashboard;
  }

  /** Adds the page and its API to {@code routes} under {@code prefix}, and the feed to its health. */
  public void mount(Routes routes, String prefix) {
    dashboard.mount(routes, prefix);
    routes.health().add("dashboard", feed::following);
  }

  /**
   * Serves the dashboard alone at {@code /} on {@code host:port} (a free port if that one is
   * taken); promote needs {@code token} when one is given.
   */
  public Dashboard.Server serve(String host, int port, Optional<String> token) throws IOException {
    Dashboard.Server server = Dashboard.serve(dashboard, host, port, token);
    server.health().add("dashboard", feed::following);
    return server;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      feed.close();
    } finally {
      if (mover != null) {
        mover.close();
      }
    }
  }
}
