package dev.loopkit.itests;

import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.posix.EnvironmentSwitch;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry.Reason;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.framework.FrameworkUtil;

/**
 * What the tests may expect of the epoll policy: the epoll loop bundle publishes it only where the
 * loop works (run {@code LOOPKIT_EPOLL=off mvn -B verify} to see the suite as such a machine would),
 * and there, ranked above {@code default}, it is the process-wide policy and its loops are
 * {@code EpollEventLoop}s; elsewhere the default policy's selector loops are.
 */
final class EpollPolicy {

    private EpollPolicy() {
    }

    /**
     * Inside Felix, Loopkit's own probe. In this JVM, where JNR is kept off the class path (see the
     * pom), the switch and the OS: epoll and eventfd are in every Linux kernel the JDK runs on.
     */
    static boolean works() {
        return unavailableReason() == null;
    }

    /** Why the epoll loop cannot work here (so no epoll policy is published), or {@code null} where it can. */
    static String unavailableReason() {
        if (FrameworkUtil.getBundle(EpollPolicy.class) != null) {
            return InFelix.probe();
        }
        String off = EnvironmentSwitch.switchedOff(EpollEventLoop.SWITCH);
        if (off != null) {
            return off;
        }
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux") ? null : "not Linux";
    }

    /** The name of the policy that is process-wide by its ranking. */
    static String processWide() {
        return works() ? "epoll" : "default";
    }

    /** The line {@code loop:policy} prints when the ranking chose. */
    static String rankedStatus() {
        return "process-wide: " + processWide() + " (ranked: highest service.ranking)";
    }

    /** The simple class name of the loops the ranked policy makes. */
    static String loopClass() {
        return works() ? "EpollEventLoop" : "SelectorEventLoop";
    }

    /** The name of the loop factory the ranked policy makes its loops with. */
    static String loopFactory() {
        return works() ? "epoll" : "selector";
    }

    /** The installed policies by name, with their rankings. */
    static Map<String, Integer> rankings() {
        Map<String, Integer> rankings = new TreeMap<>(Map.of("default", 100, "selector", 50, "proactor", 10));
        if (works()) {
            rankings.put("epoll", 150);
        }
        return rankings;
    }

    /** Their names, best first, as {@code loop:policies} lists them and an unknown name's error names them. */
    static List<String> names() {
        return works() ? List.of("epoll", "default", "selector", "proactor") : List.of("default", "selector", "proactor");
    }

    /**
     * Waits until every policy that can register here has and, while the ranking chooses, the main
     * loop of the ranked one runs: the epoll policy comes once its probe enabled it, and the main
     * loop is made again then.
     */
    static void awaitRegistered() {
        Await.until("the policies registered", () -> ProcessWide.get().policies().entries().size(), names().size());
        if (ProcessWide.get().policies().choice().reason() == Reason.RANKED) {
            Await.until("the main loop of the " + processWide() + " policy running", () -> Await.mainLoopRunning()
                    && ProcessWide.get().mainContext().loop().getClass().getSimpleName().equals(loopClass()));
        }
    }

    // Its own class: the loop's probe loads JNR, there only inside Felix.
    private static final class InFelix {
        static String probe() {
            return EpollEventLoop.unavailableReason();
        }
    }
}
