package dev.loopkit.runtime;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.LoopkitRuntime;
import dev.loopkit.api.RuntimeHook;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What is process-wide in asyncio, and the rules that pick it: the ranked registries of policies,
 * loop factories and child watchers (explicit &gt; configured &gt; ranked), the main context, and the
 * watcher switch with its spawn gate.
 *
 * <p>One per process, or rather per class loader of this bundle: policies, the platform and the
 * shell reach it through {@link #get()} whatever order their bundles start in (asyncio's module
 * globals are there as soon as {@code asyncio} is imported). The runtime bundle installs it in the
 * api's {@link RuntimeHook} when it starts, for the facade, the loops and the watchers; on the module
 * or class path {@link java.util.ServiceLoader} finds it there on first use.
 */
public final class ProcessWide implements LoopkitRuntime {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.runtime.registry");

    /** Outside OSGi, names the configured policy. */
    public static final String POLICY_PROPERTY = "loopkit.policy";
    /** Outside OSGi, names the configured child watcher. */
    public static final String WATCHER_PROPERTY = "loopkit.watcher";

    private final RankedRegistry<EventLoopPolicy> policies =
            new RankedRegistry<>(EventLoopPolicy.class, "event loop policy", POLICY_PROPERTY);
    private final RankedRegistry<EventLoopFactory> loopFactories =
            new RankedRegistry<>(EventLoopFactory.class, "event loop factory", null);
    private final RankedRegistry<ChildWatcher> childWatchers =
            new RankedRegistry<>(ChildWatcher.class, "child watcher", WATCHER_PROPERTY);
    private final UnavailableServices unavailable = new UnavailableServices();
    private final MainContext mainContext = new MainContext();
    private final ChildWatcherSwitch watcherSwitch = new ChildWatcherSwitch(new SpawnGate(), childWatchers, mainContext::loop);

    private static final ProcessWide PROCESS = new ProcessWide();

    private ProcessWide() {
        // Whenever the current watcher changes (a bundle came or went, a choice was made), its
        // children move to the new one: no exit lost, none delivered twice.
        childWatchers.addListener((previous, current) ->
                watcherSwitch.reconcile(previous, "the current child watcher changed"));
    }

    /** The process's runtime. */
    public static ProcessWide get() {
        return PROCESS;
    }

    /** What {@link java.util.ServiceLoader} returns on the module path. */
    public static ProcessWide provider() {
        return PROCESS;
    }

    public RankedRegistry<EventLoopPolicy> policies() {
        return policies;
    }

    public RankedRegistry<EventLoopFactory> loopFactories() {
        return loopFactories;
    }

    public RankedRegistry<ChildWatcher> childWatchers() {
        return childWatchers;
    }

    /** What is installed but cannot work here, keyed by the {@link RankedRegistry#kind()} it would belong to. */
    public UnavailableServices unavailable() {
        return unavailable;
    }

    public MainContext mainContext() {
        return mainContext;
    }

    public ChildWatcherSwitch watcherSwitch() {
        return watcherSwitch;
    }

    @Override
    public EventLoopPolicy currentPolicy() {
        return policies.current();
    }

    @Override
    public void setExplicitPolicy(EventLoopPolicy policy) {
        policies.setExplicit(policy);
    }

    /**
     * asyncio's {@code set_child_watcher}: {@code replacement} becomes the process-wide watcher until it
     * is reset ({@code null}: back to the configured or ranked one); the registry's listener moves the
     * children to whichever is current then. The watcher set before is closed, as asyncio closes it,
     * unless it is a shared service (its bundle owns it) or still holds children: one the current
     * watcher refused (it is closed, or it needs a loop and the switch had none) stays open to deliver
     * their exits, as closing it lost them (ChildrenNeverLostTest).
     *
     * @throws IllegalStateException when called from a child watcher's own code while it registers a
     *         child: refused before anything changes, not in the registry's listener, which only logs
     *         (SwitchFromAChildWatchersOwnCodeTest)
     */
    public void setExplicitChildWatcher(ChildWatcher replacement) {
        watcherSwitch.spawnGate().refuseASwitchWhileSpawning();
        ChildWatcher previous = childWatchers.explicit().orElse(null);
        childWatchers.setExplicit(replacement);
        if (previous != null && previous != replacement && childWatchers.entryOf(previous).isEmpty()) {
            Set<Long> kept = previous.children().keySet();
            if (kept.isEmpty()) {
                previous.close();
            } else {
                LOG.log(System.Logger.Level.WARNING, "{0} is left open: {1} did not take its children, pids {2}, whose"
                        + " exits it still delivers", previous, childWatchers.current(), kept);
            }
        }
    }

    @Override
    public boolean isMainContext(Thread thread) {
        return mainContext.isMain(thread);
    }

    @Override
    public <W, T, E extends Exception> T spawn(Supplier<W> lookup, Spawn<? super W, T, E> spawn) throws E {
        return watcherSwitch.spawn(lookup, spawn);
    }

    @Override
    public boolean handingOverInThisThread() {
        return watcherSwitch.handingOverInThisThread();
    }

    @Override
    public void outsideSpawnGate(Runnable action) {
        watcherSwitch.spawnGate().outside(action);
    }

    @Override
    public Set<Long> registeredChildren() {
        Set<Long> pids = new HashSet<>(watcherSwitch.orphans().keySet());
        for (ChildWatcher watcher : watcherSwitch.holders()) {
            try {
                pids.addAll(watcher.children().keySet());
            } catch (RuntimeException e) {
                // a watcher that cannot say (a third-party one): the others still count
            }
        }
        return pids;
    }

    @Override
    public String describe(ChildWatcher watcher) {
        return watcherSwitch.describe(watcher);
    }

    /**
     * Takes {@code watcher} out of the registry (if it was current, the registry's listener switches
     * away from it), then waits for the spawns under the gate and moves whatever children it holds,
     * current or not. Called when its service goes away, and by the watcher as it is deactivated,
     * each time before it closes:
     * <ul>
     * <li>SCR may close a component before its service's unregistration reaches the tracker (it
     * deletes the component even when "deactivation occurs on another thread"), and a spawn then met
     * the closed watcher ("the threaded child watcher is closed", WatcherClosedDuringSpawnTest);</li>
     * <li>a watcher may have stopped being current a moment before (SCR's component actor enabled
     * the pidfd watcher) while a spawn that looked it up is still registering a child with it: the
     * switch away from it waits for that spawn, but on another thread, and need not have run yet.</li>
     * </ul>
     */
    @Override
    public void retire(ChildWatcher watcher) {
        childWatchers.unregister(watcher);
        watcherSwitch.retire(watcher, "a child watcher left with children");
    }
}
