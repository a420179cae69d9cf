package dev.loopkit.signals;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The signal pipe's reader is one thread for the process, started by whichever thread adds the first
 * handler through it: in a host (an OSGi framework, a servlet container) that thread's context class
 * loader is often a plugin's, which the reader kept reachable while any handler lived (an outside review
 * found it in the blocked-loop checker, made the same way).
 */
public class SignalThreadContextTest {

    @Test(timeout = 30_000)
    public void theReaderKeepsNoContextClassLoaderOfTheThreadThatStartedIt() throws Exception {
        ClassLoader own = Thread.currentThread().getContextClassLoader();
        CompletableFuture<ClassLoader> readers = new CompletableFuture<>();
        try (URLClassLoader plugin = new URLClassLoader("plugin", new URL[0], null)) {
            Thread.currentThread().setContextClassLoader(plugin);
            SignalPipeReader reader;
            try {
                reader = SignalPipeReader.start(signum -> { },
                        ended -> readers.complete(Thread.currentThread().getContextClassLoader()));
            } finally {
                Thread.currentThread().setContextClassLoader(own);
            }
            reader.stop();
            ClassLoader seen = readers.get(20, TimeUnit.SECONDS);
            assertNotNull("the reader has the signals bundle's loader", seen);
            assertTrue("the reader's context class loader is the plugin's", seen != plugin);
        }
    }
}
