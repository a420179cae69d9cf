package dev.loopkit.platform.internal;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.scheduling.LoopClock;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry.Entry;
import java.lang.System.Logger.Level;

/**
 * Property {@value #KEY} of the platform's configuration: the seconds a callback may run before the
 * blocked-loop detector warns (0: never), for loops made from then on and for the live loops that
 * still have the previous default (a loop given its own by {@code setBlockedLoopWarning} keeps it).
 * Without the property, the system property {@code loopkit.blockedLoopWarning}, or 2 seconds.
 */
final class BlockedLoopWarning {

    static final String KEY = "blockedLoopWarning";
    private static final System.Logger LOG = System.getLogger("dev.loopkit.policy");

    private BlockedLoopWarning() {
    }

    /** Applies the configured value ({@code null}: none); a bad one is logged and changes nothing. */
    static void apply(Object configured) {
        long nanos;
        if (configured == null || configured instanceof String text && text.isBlank()) {
            nanos = Scheduler.propertyBlockedLoopWarningNanos();
        } else {
            double seconds = seconds(configured);
            if (!(seconds >= 0) || Double.isInfinite(seconds)) {
                LOG.log(Level.WARNING, "{0}={1} is not a number of seconds >= 0: the blocked-loop warning stays at {2} seconds",
                        KEY, configured, Double.toString(LoopClock.toSeconds(Scheduler.defaultBlockedLoopWarningNanos())));
                return;
            }
            nanos = LoopClock.toNanosCeil(seconds);
        }
        double previous = LoopClock.toSeconds(Scheduler.defaultBlockedLoopWarningNanos());
        Scheduler.setDefaultBlockedLoopWarningNanos(nanos);
        for (Entry<EventLoopFactory> factory : ProcessWide.get().loopFactories().entries()) {
            for (EventLoop loop : factory.service().liveLoops()) {
                if (loop instanceof BaseEventLoop base && base.getBlockedLoopWarning() == previous) {
                    base.setBlockedLoopWarning(LoopClock.toSeconds(nanos));
                }
            }
        }
    }

    // ConfigAdmin hands a number from a typed .cfg or the Web Console, a string from a plain one.
    private static double seconds(Object configured) {
        if (configured instanceof Number number) {
            return number.doubleValue();
        }
        try {
            return Double.parseDouble(configured.toString().trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
