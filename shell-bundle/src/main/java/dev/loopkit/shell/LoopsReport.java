package dev.loopkit.shell;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.runtime.RankedRegistry.Entry;
import dev.loopkit.runtime.ProcessWide;
import java.util.List;
import java.util.Locale;

/** The live loops as {@code loop:loops} prints them. */
final class LoopsReport {

    private LoopsReport() {
    }

    /** One row per loop that a loop factory made and nobody closed yet. */
    static Listing table() {
        TextTable table = new TextTable("FACTORY", "LOOP", "THREAD", "RUNNING", "CALLBACKS", "TIMERS", "FDS", "TRANSPORTS", "LAG");
        int count = 0;
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
                count++;
                LoopStats stats = null;
                try {
                    stats = loop instanceof InspectableLoop inspectable ? inspectable.stats() : null;
                } catch (RuntimeException | LinkageError | AssertionError e) {
                    // a loop that cannot say (closing under the look, a third-party one) gets its row all the same
                }
                if (stats == null) {
                    table.row(factory.name(), loop, "-", loop.isRunning() ? "yes" : "no", "?", "?", "?", "?", "?");
                    continue;
                }
                table.row(factory.name(), stats.loop(), stats.thread() == null ? "-" : stats.thread(),
                        stats.busy() ? "yes (busy in a callback)" : stats.running() ? "yes" : "no",
                        count(stats.callbacks()), count(stats.timers()), count(stats.fds()), count(stats.transports()),
                        lag(stats.lagMillis()));
            }
        }
        return table.listing(count + (count == 1 ? " live loop" : " live loops"));
    }

    // Tenths of a millisecond: a loop that keeps up shows 0.0 ms, one that lags shows by how much.
    private static String lag(double millis) {
        return millis < 0 ? "-" : String.format(Locale.ROOT, "%.1f ms", millis);
    }

    private static String count(int n) {
        return n < 0 ? "?" : Integer.toString(n);
    }
}
