package dev.loopkit.loop.epoll;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test class's {@code main} in a child JVM on this test's class path, with one environment
 * variable set: a JVM's environment is fixed, and {@value EpollEventLoop#SWITCH} is read from it.
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /** The lines {@code main} printed; stderr goes to this JVM's. */
    public static List<String> linesOf(Class<?> main, String variable, String value) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), main.getName());
        builder.environment().put(variable, value);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process child = builder.start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("the child JVM hung");
        }
        return out.lines().toList();
    }
}
