package dev.loopkit.itests;

import dev.loopkit.loop.testing.Leaks;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;

/**
 * Descriptors counted by kind rather than by number: a loop made anew after a bundle restart holds
 * the same kinds of descriptor under other numbers. The files of the framework's storage (the jars
 * of bundle revisions) are left out: the framework opens and closes them, never Loopkit, and how many
 * stay open is its own policy (after updates without a refresh, Equinox keeps the jar of every old
 * revision still wired open, the test's own probe being wired to the old contract).
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
        String storage = frameworkStorage();
        return fds.values().stream().filter(target -> storage == null || !target.startsWith(storage))
                .map(target -> target.replaceAll(":\\[\\d+\\]$", ""))
                .collect(Collectors.groupingBy(kind -> kind, TreeMap::new, Collectors.counting()));
    }

    /** The framework's storage directory, with a trailing separator; null outside a framework or where it has none set. */
    private static String frameworkStorage() {
        Bundle probe = FrameworkUtil.getBundle(FdKinds.class);
        String storage = probe == null || probe.getBundleContext() == null ? null
                : probe.getBundleContext().getProperty(Constants.FRAMEWORK_STORAGE);
        return storage == null ? null : Path.of(storage).toAbsolutePath().normalize() + File.separator;
    }
}
