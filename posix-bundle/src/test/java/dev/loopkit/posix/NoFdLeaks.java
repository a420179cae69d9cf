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
                // Only what appeared counts: the JVM may close descriptors of its own meanwhile.
                Map<Integer, String> added = openFds();
                added.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
                assertEquals("file descriptors left open by " + description.getMethodName(), Map.of(), added);
            }
        };
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
