package io.streamlearn.dashboard;

import com.sun.net.httpserver.HttpServer;
import java.time.Duration;
import java.util.Map;

/**
 * The dashboard of one model on a running cluster, ready to mount: its state, the feed reading
 * the topics into it, and (unless read-only) the alias mover behind the promote button. This is
 * what a server embedding the dashboard (the demo, {@code streamlearn dashboard}, the registry's
 * REST server) creates once and closes when it stops:
 *
 * <pre>{@code
 * try (LiveDashboard live = LiveDashboard.start(clientProps, topics, "demo", false, Duration.ofSeconds(60))) {
 *   live.mount(httpServer, "/dashboard");
 *   ...
 * }
 * }</pre>
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

  /** Registers the page and its API on {@code server} under {@code prefix}. */
  public void mount(HttpServer server, String prefix) {
    dashboard.mount(server, prefix);
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
