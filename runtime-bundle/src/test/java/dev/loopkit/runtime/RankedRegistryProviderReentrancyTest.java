package dev.loopkit.runtime;

import static org.junit.Assert.assertTrue;

import dev.loopkit.testsupport.LogHandlers;
import dev.loopkit.testsupport.OtherThread;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.junit.Test;

/**
 * Outside OSGi a registry's first use loads its ServiceLoader providers under its sourceLock, and every
 * other thread's first call waits on that lock. The warning "cannot load <kind> provider ..." was said
 * there: a log handler that handed a call on the same registry to another thread and waited for it
 * waited for ever (an outside review of user code under locks). It is said once the lock is released.
 */
public class RankedRegistryProviderReentrancyTest {

    /** Its one provider cannot be made: the registry warns about it. */
    public interface Grumbler {
        /** The provider ServiceLoader finds (META-INF/services), whose constructor fails. */
        class Broken implements Grumbler {
            public Broken() {
                throw new IllegalStateException("this provider cannot be made");
            }
        }
    }

    @Test(timeout = 60_000)
    public void aLogHandlerOfTheCannotLoadWarningMayWaitForAnotherThreadsCallOnTheRegistry() {
        RankedRegistry<Grumbler> grumblers = new RankedRegistry<>(Grumbler.class, "grumbler", null);
        AtomicBoolean returned = new AtomicBoolean(true);
        StringBuilder seen = new StringBuilder();
        Logger logger = Logger.getLogger("dev.loopkit.runtime.registry");
        Handler handler = LogHandlers.calling(record -> {
            if (record.getMessage() != null && record.getMessage().startsWith("cannot load grumbler provider")) {
                returned.set(OtherThread.returns(grumblers::current));
                seen.append(record.getMessage()).append("\nthe other thread meanwhile:\n").append(OtherThread.probeStacks());
            }
        });
        logger.addHandler(handler);
        try {
            grumblers.entries(); // the first use: loads the providers
        } finally {
            logger.removeHandler(handler);
        }
        assertTrue("the warning was said", seen.length() > 0);
        assertTrue("the other thread's current() returned while the warning was said: " + seen, returned.get());
    }
}
