package dev.loopkit.health;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.runtime.RankedRegistry;
import dev.loopkit.runtime.RankedRegistry.Choice;
import dev.loopkit.runtime.RankedRegistry.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.Result;

/**
 * What Loopkit's health checks find, given the registries they look at (the process's in OSGi, others
 * in tests). Each returns a {@link Result} whose log says what was seen, in the words of the
 * {@code loop:} commands.
 */
public final class LoopkitHealth {

    /** The tag of every Loopkit health check. */
    public static final String TAG = "loopkit";

    private LoopkitHealth() {
    }

    /** CRITICAL when no event loop policy is process-wide: no loop can be made. */
    public static Result policy(RankedRegistry<EventLoopPolicy> policies) {
        FormattingResultLog log = new FormattingResultLog();
        Choice<EventLoopPolicy> choice = policies.choice();
        if (choice == null) {
            log.critical("no event loop policy is installed: no event loop can be made");
        } else {
            log.info("process-wide event loop policy: {} ({})", choice.name(), choice.reason());
        }
        return new Result(log);
    }

    /**
     * CRITICAL when no child watcher is active: none is installed (the children wait, unreaped), or the
     * current one is inactive (spawning is refused, as asyncio does).
     */
    public static Result watcher(RankedRegistry<ChildWatcher> watchers, Supplier<Map<Long, ?>> orphans) {
        FormattingResultLog log = new FormattingResultLog();
        Choice<ChildWatcher> choice = watchers.choice();
        if (choice == null) {
            int waiting = orphans.get().size();
            log.critical("no child watcher is installed: no child process can be spawned{}",
                    waiting == 0 ? "" : "; " + waiting + " children wait for one, unreaped");
        } else {
            String inactive = choice.service().inactiveReason();
            if (inactive != null) {
                log.critical("child watcher {} is inactive: {}", choice.name(), inactive);
            } else {
                log.info("child watcher {} is active ({}), {} children", choice.name(), choice.reason(),
                        choice.service().children().size());
            }
        }
        return new Result(log);
    }

    /**
     * A loop whose lag is over this many milliseconds warns: a callback from another thread waited a
     * second, the same second after which a loop that does not answer is busy.
     */
    public static final double LAG_WARNING_MILLIS = 1000;

    /**
     * WARN for every live loop busy in a callback (its thread did not answer within a second) or whose
     * lag is over {@link #LAG_WARNING_MILLIS}; OK otherwise. The loops are asked at once, each from a
     * thread of its own that ends with the check: a blocked loop's {@code stats()} waits a second for
     * its thread, and asked in turn, two blocked loops took the check past Felix HC's default timeout
     * of 2 s, which then reported the timeout instead of the loops.
     */
    public static Result loops(RankedRegistry<EventLoopFactory> factories) {
        FormattingResultLog log = new FormattingResultLog();
        List<EventLoop> loops = new ArrayList<>();
        for (Entry<EventLoopFactory> factory : factories.entries()) {
            try {
                loops.addAll(factory.service().liveLoops());
            } catch (RuntimeException | LinkageError e) {
                // one broken factory (a third-party one, one whose bundle is stopping or was refreshed
                // underneath: NoClassDefFoundError) hides no other's loops
                log.warn("loop factory '{}' cannot list its loops: {}", factory.name(), e.toString());
            }
        }
        List<CompletableFuture<LoopStats>> asked = new ArrayList<>();
        for (EventLoop loop : loops) {
            asked.add(loop instanceof InspectableLoop inspectable ? askApart(inspectable) : null);
        }
        for (int i = 0; i < loops.size(); i++) {
            if (asked.get(i) != null) {
                warnIfUnwell(log, loops.get(i), asked.get(i));
            }
        }
        log.info("{} live loops", loops.size());
        return new Result(log);
    }

    private static CompletableFuture<LoopStats> askApart(InspectableLoop loop) {
        CompletableFuture<LoopStats> stats = new CompletableFuture<>();
        Thread asking = new Thread(() -> {
            try {
                stats.complete(loop.stats());
            } catch (Throwable e) {
                stats.completeExceptionally(e);
            }
        }, "loopkit-health-check");
        asking.setDaemon(true);
        asking.start();
        return stats;
    }

    private static void warnIfUnwell(FormattingResultLog log, EventLoop loop, CompletableFuture<LoopStats> asked) {
        LoopStats stats;
        try {
            stats = asked.join(); // stats() answers within about a second, blocked loop or not
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (!(cause instanceof RuntimeException || cause instanceof LinkageError)) {
                throw e;
            }
            log.warn("{} cannot say how it is: {}", loop, cause.toString());
            return;
        }
        if (stats.busy()) {
            log.warn("{} on thread {} is busy in a callback: its thread did not answer within a second",
                    stats.loop(), stats.thread());
        } else if (stats.lagMillis() > LAG_WARNING_MILLIS) {
            log.warn("{} on thread {} lags: a callback scheduled from another thread waited {} ms for its run"
                    + " (more than {} ms)", stats.loop(), stats.thread(),
                    String.format(Locale.ROOT, "%.1f", stats.lagMillis()),
                    String.format(Locale.ROOT, "%.0f", LAG_WARNING_MILLIS));
        }
    }
}
