package dev.loopkit.shell;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.runtime.RankedRegistry.Entry;
import dev.loopkit.runtime.ProcessWide;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/** The live loops as {@code loop:loops} prints them. */
final class LoopsReport {

    private LoopsReport() {
    }

    /** One loop of a factory, and its stats once asked. */
    private record Row(String factory, EventLoop loop, CompletableFuture<LoopStats> stats) {
    }

    /** One row per loop that a loop factory made and nobody closed yet. */
    static Listing table() {
        TextTable table = new TextTable("FACTORY", "LOOP", "THREAD", "RUNNING", "CALLBACKS", "TIMERS", "FDS", "TRANSPORTS", "LAG");
        List<Row> rows = new ArrayList<>();
        for (Entry<EventLoopFactory> factory : ProcessWide.get().loopFactories().entries()) {
            List<EventLoop> loops;
            try {
                loops = factory.service().liveLoops();
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // one broken service (a third-party factory, one whose bundle is stopping or was refreshed
                // underneath: NoClassDefFoundError, which took down loop:loops and the console's page) hides nothing else
                table.row(factory.name(), "? (cannot list its loops: " + e.getMessage() + ")", "-", "?", "?", "?", "?", "?", "?");
                continue;
            }
            for (EventLoop loop : loops) {
                rows.add(new Row(factory.name(), loop, loop instanceof InspectableLoop inspectable ? askApart(inspectable) : null));
            }
        }
        for (Row row : rows) {
            LoopStats stats = row.stats() == null ? null : row.stats().join();
            if (stats == null) {
                table.row(row.factory(), row.loop(), "-", row.loop().isRunning() ? "yes" : "no", "?", "?", "?", "?", "?");
                continue;
            }
            table.row(row.factory(), stats.loop(), stats.thread() == null ? "-" : stats.thread(),
                    stats.busy() ? "yes (busy in a callback)" : stats.running() ? "yes" : "no",
                    count(stats.callbacks()), count(stats.timers()), count(stats.fds()), count(stats.transports()),
                    lag(stats.lagMillis()));
        }
        return table.listing(rows.size() + (rows.size() == 1 ? " live loop" : " live loops"));
    }

    /**
     * Asks a loop for its stats on a thread of its own: a busy loop takes a second to say so, and asked
     * one after another, n blocked loops held the listing (and the Web Console's page, which asks again
     * every 2 s) n seconds (an outside review). {@code null} when the loop cannot say (closing under
     * the look, a third-party one): it gets its row all the same.
     */
    private static CompletableFuture<LoopStats> askApart(InspectableLoop loop) {
        CompletableFuture<LoopStats> stats = new CompletableFuture<>();
        Thread asking = new Thread(() -> {
            try {
                stats.complete(loop.stats());
            } catch (RuntimeException | LinkageError | AssertionError e) {
                stats.complete(null);
            } catch (Throwable e) {
                stats.completeExceptionally(e);
            }
        }, "loopkit-loops-report");
        asking.setDaemon(true);
        asking.start();
        return stats;
    }

    // Tenths of a millisecond: a loop that keeps up shows 0.0 ms, one that lags shows by how much.
    private static String lag(double millis) {
        return millis < 0 ? "-" : String.format(Locale.ROOT, "%.1f ms", millis);
    }

    private static String count(int n) {
        return n < 0 ? "?" : Integer.toString(n);
    }
}
