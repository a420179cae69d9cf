package dev.loopkit.api.spi;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;

/**
 * The three process-wide registries: policies, loop factories and child watchers. They live as
 * long as the api bundle (or the JVM, outside OSGi).
 */
public final class Registries {

    /** Outside OSGi, names the configured policy. */
    public static final String POLICY_PROPERTY = "loopkit.policy";
    /** Outside OSGi, names the configured child watcher. */
    public static final String WATCHER_PROPERTY = "loopkit.watcher";

    private static final RankedRegistry<EventLoopPolicy> POLICIES =
            new RankedRegistry<>(EventLoopPolicy.class, "event loop policy", POLICY_PROPERTY);
    private static final RankedRegistry<EventLoopFactory> LOOP_FACTORIES =
            new RankedRegistry<>(EventLoopFactory.class, "event loop factory", null);
    private static final RankedRegistry<ChildWatcher> CHILD_WATCHERS =
            new RankedRegistry<>(ChildWatcher.class, "child watcher", WATCHER_PROPERTY);
    private static final UnavailableServices UNAVAILABLE = new UnavailableServices();

    static {
        // Whenever the current watcher changes (a bundle came or went, a choice was made), its
        // children move to the new one: no exit lost, none delivered twice.
        CHILD_WATCHERS.addListener((previous, current) ->
                ChildWatcherSwitch.reconcile(previous, "the current child watcher changed"));
    }

    private Registries() {
    }

    public static RankedRegistry<EventLoopPolicy> policies() {
        return POLICIES;
    }

    public static RankedRegistry<EventLoopFactory> loopFactories() {
        return LOOP_FACTORIES;
    }

    public static RankedRegistry<ChildWatcher> childWatchers() {
        return CHILD_WATCHERS;
    }

    /** What is installed but cannot work here, keyed by the {@link RankedRegistry#kind()} it would belong to. */
    public static UnavailableServices unavailable() {
        return UNAVAILABLE;
    }
}
