package dev.loopkit.itests;

import dev.loopkit.loop.testing.Leaks;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Descriptors counted by kind rather than by number: a loop made anew after a bundle restart holds
 * the same kinds of descriptor under other numbers.
 */
final class FdKinds {

    private FdKinds() {
    }

    /** The kinds of descriptor of which more are open now than in {@code before}, with how many more. */
    static Map<String, Long> grown(Map<Integer, String> before) {
        Map<String, Long> was = kinds(before);
        Map<String, Long> grown = new TreeMap<>(kinds(Leaks.openFds()));
        grown.replaceAll((kind, count) -> count - was.getOrDefault(kind, 0L));
        grown.values().removeIf(more -> more <= 0);
        return grown;
    }

    /** How many descriptors of each kind ("anon_inode:[eventpoll]", "pipe", "socket", a file's path) are open. */
    static Map<String, Long> kinds(Map<Integer, String> fds) {
        return fds.values().stream().map(target -> target.replaceAll(":\\[\\d+\\]$", ""))
                .collect(Collectors.groupingBy(kind -> kind, TreeMap::new, Collectors.counting()));
    }
}
