package dev.loopkit.posix;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.rules.TestRule;
import org.junit.runner.Description;
import org.junit.runners.model.Statement;

/**
 * Fails a test that leaves a file descriptor open: what {@code /proc/self/fd} holds after it and did
 * not before, ignoring jars (the JVM opens them lazily) and the listing's own descriptor.
 */
public final class NoFdLeaks implements TestRule {

    @Override
    public Statement apply(Statement base, Description description) {
        return new Statement() {
            @Override
            public void evaluate() throws Throwable {
                Map<Integer, String> before = openFds();
                base.evaluate();
                assertEquals("file descriptors left open by " + description.getMethodName(), Map.of(), settledNewFds(before));
            }
        };
    }

    /**
     * What is open now and was not in {@code before}. Only what appeared counts: the JVM may close
     * descriptors of its own meanwhile. And only what stays counts: the JVM's container support opens
     * cgroup files for a moment (seen: {@code memory.limit_in_bytes} listed once in a run of
     * {@code mvn verify}), so a descriptor that closes within a second is not a leak; one that leaked
     * stays open.
     */
    static Map<Integer, String> settledNewFds(Map<Integer, String> before) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (true) {
            Map<Integer, String> added = openFds();
            added.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
            if (added.isEmpty() || System.nanoTime() > deadline) {
                return added;
            }
            Thread.sleep(10);
        }
    }

    static Map<Integer, String> openFds() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        String ownTarget = fds.toRealPath().toString(); // what the listing's own fd points to: /proc/<pid>/fd
        Map<Integer, String> open = new TreeMap<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(fds)) {
            for (Path fd : listing) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    continue;
                }
                if (!target.endsWith(".jar") && !target.equals(ownTarget)) {
                    open.put(Integer.parseInt(fd.getFileName().toString()), target);
                }
            }
        }
        return open;
    }
}
