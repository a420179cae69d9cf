package dev.loopkit.loop.core;

import static org.junit.Assert.assertTrue;

import dev.loopkit.testsupport.LogHandlers;
import dev.loopkit.testsupport.OtherThread;
import dev.loopkit.testsupport.OwnJvm;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.junit.Test;

/**
 * A malformed {@code -Dloopkit.blockedLoopWarning} was warned about from the scheduler's class
 * initializer: the log handlers (user code) ran while the JVM's initialization lock of the class was
 * held, and every other thread that made its first loop meanwhile waited for that lock. A handler that
 * had another thread make a loop and waited for it waited for ever (an outside review of user code under
 * locks). The JVM's first loop is needed, so the case runs in a JVM of its own.
 */
public class SchedulerClassInitReentrancyTest {

    @Test(timeout = 120_000)
    public void aLogHandlerOfTheMalformedPropertyWarningMayWaitForAnotherThreadsFirstLoop() throws Exception {
        String said = OwnJvm.run(SchedulerClassInitReentrancyTest.class, "-Dloopkit.blockedLoopWarning=two seconds");
        assertTrue(said, said.contains("the warning was said; another thread's first loop was made meanwhile"));
    }

    /** The JVM of the case: its first loop, with a handler of the warning that has another thread make one. */
    public static void main(String[] args) {
        AtomicBoolean said = new AtomicBoolean();
        AtomicBoolean returned = new AtomicBoolean();
        Logger.getLogger("dev.loopkit.loop").addHandler(LogHandlers.calling(record -> {
            if (record.getMessage() != null && record.getMessage().contains("is not a number of seconds") && !said.getAndSet(true)) {
                returned.set(OtherThread.returns(() -> new ParkingEventLoop().close()));
            }
        }));
        new ParkingEventLoop().close(); // the first loop of this JVM
        System.out.println(said.get() && returned.get() ? "the warning was said; another thread's first loop was made meanwhile"
                : "said: " + said.get() + ", the other thread's loop made meanwhile: " + returned.get());
        System.exit(said.get() && returned.get() ? 0 : 1);
    }
}
