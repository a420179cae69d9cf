package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.SpawnSpec;
import dev.loopkit.posix.WaitStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/**
 * The native bindings in Apache Felix: the posix bundle and the JNR bundles it needs (three of them
 * wrapped by Loopkit, the jffi native jar attached as a fragment) resolve, and libc calls work.
 * The test JVM's class path has no JNR jar (see the pom), so jffi's native stub can only come from
 * the fragment.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PosixIT {

    private static final List<String> ACTIVE = List.of("dev.loopkit.posix", "com.github.jnr.ffi", "com.github.jnr.constants",
            "com.github.jnr.jffi", "com.github.jnr.x86asm", "com.github.jnr.a64asm", "org.objectweb.asm");
    private static final String NATIVE_FRAGMENT = "com.github.jnr.jffi.native";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution();
    }

    @Test
    public void thePosixAndJnrBundlesAreActiveAndTheNativeFragmentAttached() {
        Map<String, Integer> states = new TreeMap<>();
        for (Bundle bundle : context.getBundles()) {
            states.put(bundle.getSymbolicName(), bundle.getState());
        }
        for (String name : ACTIVE) {
            assertEquals(name + " in " + states, Integer.valueOf(Bundle.ACTIVE), states.get(name));
        }
        assertEquals(Integer.valueOf(Bundle.RESOLVED), states.get(NATIVE_FRAGMENT));
    }

    @Test
    public void aRealTimeSignalReachesALoopInsideFelix() throws Exception {
        // the signal pipe's handler is installed through the JNR bundles, and the loop core finds it
        // through its optional import of dev.loopkit.posix
        Posix posix = Posix.get();
        int signum = posix.sigrtmin() + 2;
        EventLoop loop = Asyncio.newEventLoop();
        try {
            CompletableFuture<Integer> received = new CompletableFuture<>();
            loop.addSignalHandler(signum, () -> received.complete(signum));
            loop.callSoon(() -> {
                try {
                    posix.kill(posix.getpid(), signum);
                } catch (PosixException e) {
                    received.completeExceptionally(e);
                }
            });
            loop.callLater(20, () -> received.completeExceptionally(new AssertionError("no signal after 20 s")));
            assertEquals(Integer.valueOf(signum), loop.runUntilComplete(received));
            assertTrue(loop.removeSignalHandler(signum));
        } finally {
            loop.close();
        }
    }

    @Test
    public void spawnAndWaitpidWorkInsideFelix() throws Exception {
        assertEquals("Posix comes from its bundle", "dev.loopkit.posix", FrameworkUtil.getBundle(Posix.class).getSymbolicName());
        assertTrue(Posix.unavailableReason(), Posix.isAvailable());
        Posix posix = Posix.get();
        long pid = posix.spawn(SpawnSpec.of("/bin/true"));
        assertEquals(new WaitStatus(pid, 0), posix.waitpid(pid, false));
        long seven = posix.spawn(SpawnSpec.of("sh", "-c", "exit 7"));
        assertEquals(new WaitStatus(seven, 7), posix.waitid(seven, false, false));
    }
}
