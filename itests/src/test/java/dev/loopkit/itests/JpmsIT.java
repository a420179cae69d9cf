package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.watcher.base.AbstractChildWatcher;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import dev.loopkit.examples.HelloLoop;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.loop.epoll.EpollEventLoopPolicy;
import dev.loopkit.loop.proactor.ProactorEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.posix.Posix;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.streams.Streams;
import dev.loopkit.signals.SignalDispatcher;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * Loopkit without OSGi: programs on the plain module path find the policy through ServiceLoader and
 * call libc through the native bindings.
 */
public class JpmsIT {

    @Test
    public void aModulePathProgramFindsThePolicyAndRunsALoop() throws Exception {
        Command run = runExample("HelloLoop", Map.of());
        assertEquals(run.toString(), 0, run.status());
        // the epoll module's policy, ranked above the default one, where the epoll loop works
        assertEquals(run.toString(), List.of(
                "policy: " + (EpollPolicy.works() ? EpollEventLoopPolicy.class : DefaultEventLoopPolicy.class).getName(),
                "loop: " + (EpollPolicy.works() ? EpollEventLoop.class : SelectorEventLoop.class).getName(),
                "3...", "2...", "1...", "liftoff"), run.out().lines().toList());
        // asyncio 3.12: the main thread's implicit loop comes with a warning
        assertTrue(run.toString(), run.err().contains("WARNING: There is no current event loop"));
    }

    @Test
    public void withTheEpollSwitchOffTheEpollPolicyRefusesAndTheDefaultOneIsUsed() throws Exception {
        Command run = runExample("HelloLoop", Map.of(EpollEventLoop.SWITCH, "off"));
        assertEquals(run.toString(), 0, run.status());
        assertEquals(run.toString(), List.of(
                "policy: " + DefaultEventLoopPolicy.class.getName(),
                "loop: " + SelectorEventLoop.class.getName(),
                "3...", "2...", "1...", "liftoff"), run.out().lines().toList());
        assertTrue(run.toString(), run.err().contains("event loop policy provider " + EpollEventLoopPolicy.class.getName()
                + " is unavailable: the epoll loop cannot work here: LOOPKIT_EPOLL=off in the environment"));
        assertTrue("one line, no stack: " + run, !run.err().contains("ServiceConfigurationError"));
    }

    /**
     * The native bindings on the module path, with the JNR jars as published (automatic modules) and
     * no flag: dev.loopkit.posix requires ASM for jnr-ffi, and exports its binding interface to the
     * class loader jnr-ffi generates the implementation in.
     */
    @Test
    public void aModulePathProgramSpawnsThroughPosix() throws Exception {
        Command run = runExample("SpawnHello", Map.of());
        assertEquals(run.toString(), 0, run.status());
        assertEquals(run.toString(), List.of("echo said: hello", "returncode: 0"), run.out().lines().toList());
        assertEquals(run.toString(), "", run.err());
    }

    /** Runs {@code dev.loopkit.examples.<program>} on a module path of Loopkit's jars and the JNR jars. */
    @Test
    public void aModulePathProgramRunsAChildThroughTheLoopAndItsWatcher() throws Exception {
        Command run = runExample("RunChild", Map.of());
        assertEquals(run.toString(), 0, run.status());
        String watcher = Pidfds.work() ? PidfdChildWatcher.class.getName() : ThreadedChildWatcher.class.getName();
        assertEquals(run.toString(), List.of("watcher: " + watcher,
                "child says hi, returncode 3"), run.out().lines().toList());
    }

    private static Command runExample(String program, Map<String, String> environment) throws Exception {
        String modulePath = Stream.concat(
                        Stream.of(Asyncio.class, ProcessWide.class, Streams.class, SignalDispatcher.class, BaseEventLoop.class,
                                SelectorEventLoop.class, ProactorEventLoop.class, EpollEventLoop.class, DefaultEventLoopPolicy.class, Posix.class,
                                HelloLoop.class, AbstractChildWatcher.class,
                                ThreadedChildWatcher.class, MultiLoopChildWatcher.class, SafeChildWatcher.class,
                                FastChildWatcher.class, PidfdChildWatcher.class).map(JpmsIT::location),
                        Stream.of(jnrJars()))
                .collect(Collectors.joining(File.pathSeparator));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // as README says a host must: on JDK 22+ jffi loads libc with a warning on stderr otherwise
        return Command.run(List.of(java, "--enable-native-access=org.jnrproject.jffi", "--module-path", modulePath,
                "-m", "dev.loopkit.examples/dev.loopkit.examples." + program), environment, null);
    }

    /** The directory of the published JNR jars ({@code loopkit.jpms.jnr}, filled by the build). */
    private static String jnrJars() {
        String jars = System.getProperty("loopkit.jpms.jnr");
        if (jars == null || !new File(jars).isDirectory()) {
            throw new IllegalStateException("no JNR jars at loopkit.jpms.jnr=" + jars + ": run the integration tests through Maven (mvn verify)");
        }
        return jars;
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
