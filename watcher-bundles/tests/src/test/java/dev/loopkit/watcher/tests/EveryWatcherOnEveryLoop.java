package dev.loopkit.watcher.tests;

import static org.junit.Assume.assumeTrue;

import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.posix.Posix;
import java.util.List;
import java.util.Map;
import org.junit.Before;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/** A test class run once for every watcher on every loop; the pidfd cases are skipped where the kernel has no pidfds. */
@RunWith(Parameterized.class)
public abstract class EveryWatcherOnEveryLoop {

    @Parameters(name = "{0} watcher, {1} loop")
    public static List<Object[]> cases() {
        return Watchers.everyCombination();
    }

    protected final Watchers.Kind kind;
    protected final Watchers.Loop loopKind;
    /** The descriptors open before the test made anything ({@link Leaks#openFds()}). */
    protected Map<Integer, String> fdsBefore;

    protected EveryWatcherOnEveryLoop(Watchers.Kind kind, Watchers.Loop loopKind) {
        this.kind = kind;
        this.loopKind = loopKind;
    }

    /** Runs before the subclass's own {@code @Before}. */
    @Before
    public void skipPidfdWithoutPidfdsAndListDescriptors() {
        Posix posix = Posix.get();
        assumeTrue("no pidfds here: " + posix.pidfdUnsupportedReason(), kind != Watchers.Kind.PIDFD || posix.pidfdSupported());
        fdsBefore = Leaks.openFds();
    }
}
