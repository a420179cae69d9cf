package dev.loopkit.itests;

import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.posix.EnvironmentSwitch;
import dev.loopkit.posix.Posix;
import org.osgi.framework.FrameworkUtil;

/**
 * What the tests may expect of the kernel: the pidfd watcher registers only where pidfds work (run
 * {@code LOOPKIT_PIDFD=off mvn -B verify} to see the suite as such a machine would), and the threaded
 * watcher is then the best-ranked one.
 */
final class Pidfds {

    private Pidfds() {
    }

    /**
     * Inside Felix, Loopkit's own probe. In this JVM, where JNR is kept off the class path (see the
     * pom), the switch and the kernel's version (pidfd_open came in Linux 5.3); a sandbox that forbids
     * the call on a newer kernel is not seen from here.
     */
    static boolean work() {
        if (FrameworkUtil.getBundle(Pidfds.class) != null) {
            return InFelix.probe();
        }
        return EnvironmentSwitch.switchedOff(Posix.PIDFD_SWITCH) == null && kernelAtLeast(5, 3);
    }

    /** How many watchers register here: all five, or four without the pidfd watcher. */
    static int watchers() {
        return work() ? 5 : 4;
    }

    /** Waits until every watcher that can register here has. */
    static void awaitWatchersRegistered() {
        Await.until("the watchers registered", () -> ProcessWide.get().childWatchers().entries().size(), watchers());
    }

    /** The best-ranked watcher that registers here. */
    static String bestWatcher() {
        return work() ? "pidfd" : "threaded";
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] version = System.getProperty("os.version").split("[.-]");
        int actualMajor = Integer.parseInt(version[0]);
        return actualMajor > major || actualMajor == major && Integer.parseInt(version[1]) >= minor;
    }

    // Its own class: Posix is loaded only where JNR is there to load.
    private static final class InFelix {
        static boolean probe() {
            return Posix.get().pidfdSupported();
        }
    }
}
