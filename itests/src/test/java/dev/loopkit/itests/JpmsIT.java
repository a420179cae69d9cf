package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.examples.HelloLoop;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.proactor.ProactorEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;

/** Loopkit without OSGi: a program on the plain module path finds the policy through ServiceLoader. */
public class JpmsIT {

    @Test
    public void aModulePathProgramFindsThePolicyAndRunsALoop() throws Exception {
        String modulePath = Stream.of(Asyncio.class, BaseEventLoop.class, SelectorEventLoop.class,
                        ProactorEventLoop.class, DefaultEventLoopPolicy.class, HelloLoop.class)
                .map(JpmsIT::location).collect(Collectors.joining(File.pathSeparator));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Command run = Command.run(List.of(java, "--module-path", modulePath,
                "-m", "dev.loopkit.examples/dev.loopkit.examples.HelloLoop"), Map.of(), null);
        assertEquals(run.toString(), 0, run.status());
        assertEquals(run.toString(), List.of(
                "policy: dev.loopkit.policy.DefaultEventLoopPolicy",
                "loop: dev.loopkit.loop.selector.SelectorEventLoop",
                "3...", "2...", "1...", "liftoff"), run.out().lines().toList());
        // asyncio 3.12: the main thread's implicit loop comes with a warning
        assertTrue(run.toString(), run.err().contains("WARNING: There is no current event loop"));
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
