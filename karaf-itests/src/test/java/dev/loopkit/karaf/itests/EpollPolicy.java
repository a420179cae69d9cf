package dev.loopkit.karaf.itests;

import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.runtime.ProcessWide;
import java.util.List;

/**
 * The epoll policy the loopkit feature brings: published where the epoll loop works (its bundle's
 * probe, which {@code LOOPKIT_EPOLL=off} turns off), then process-wide by its ranking (150, above
 * {@code default}) and the maker of the main loop; elsewhere the default policy and its selector loops are.
 */
final class EpollPolicy {

    private EpollPolicy() {
    }

    static boolean works() {
        return EpollEventLoop.unavailableReason() == null;
    }

    /** The policy the ranking makes process-wide. */
    static String ranked() {
        return works() ? "epoll" : "default";
    }

    /** What {@code loop:policy} says while the ranking chooses. */
    static String rankedStatus() {
        return "process-wide: " + ranked() + " (ranked: highest service.ranking)";
    }

    /** The loop class of the ranked policy, fully qualified. */
    static String loopClassName() {
        return works() ? "dev.loopkit.loop.epoll.EpollEventLoop" : "dev.loopkit.loop.selector.SelectorEventLoop";
    }

    /** The loop factory of the ranked policy. */
    static String loopFactory() {
        return works() ? "epoll" : "selector";
    }

    /** The policies' names, best first. */
    static List<String> names() {
        return works() ? List.of("epoll", "default", "selector", "proactor") : List.of("default", "selector", "proactor");
    }

    /** Waits until every policy that can register has, and the main loop is the ranked policy's. */
    static void awaitRegistered() {
        Await.until("the policies registered", () -> ProcessWide.get().policies().entries().size() == names().size());
        Await.until("the main loop of the " + ranked() + " policy running", () -> {
            var main = ProcessWide.get().mainContext().loop();
            return main != null && main.isRunning() && main.getClass().getName().equals(loopClassName());
        });
    }
}
