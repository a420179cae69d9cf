package dev.loopkit.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import org.junit.Test;

/** asyncio's main thread: by default the JVM's own, whatever id the JDK gives it. */
public class MainContextTest {

    private static final String ON_THE_MAIN_THREAD = "Surefire runs these tests on the JVM's main thread;"
            + " a runner that runs them on another thread cannot show what the main thread is";

    @Test
    public void theJvmsMainThreadIsTheMainContextByDefault() {
        assumeTrue(ON_THE_MAIN_THREAD, Thread.currentThread().getName().equals("main"));
        assertTrue(new MainContext().isCurrentThreadMain());
    }

    /** A program that renamed its main thread before Loopkit's first use got "There is no current event loop in thread 'app-main'." */
    @Test
    public void theJvmsMainThreadRenamedIsStillFound() {
        assumeTrue(ON_THE_MAIN_THREAD, Thread.currentThread().getName().equals("main"));
        long id = Thread.currentThread().getId();
        Thread.currentThread().setName("app-main");
        try {
            assertEquals(id, MainContext.findJvmMainThread());
        } finally {
            Thread.currentThread().setName("main");
        }
    }

    @Test
    public void anotherThreadIsNotAndADesignatedOneIs() throws Exception {
        MainContext context = new MainContext();
        Thread other = new Thread(() -> { });
        assertFalse(context.isMain(other));
        context.designate(other);
        assertTrue(context.isMain(other));
        assertFalse(context.isCurrentThreadMain());
        context.designate(null);
        assertFalse(context.isMain(other));
    }
}
