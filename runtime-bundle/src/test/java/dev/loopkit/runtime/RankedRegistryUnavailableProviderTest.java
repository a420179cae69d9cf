package dev.loopkit.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.loopkit.testsupport.LogHandlers;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.Test;

/**
 * A provider that cannot work here refuses with an {@link UnsupportedOperationException} saying why (the
 * epoll loop's with LOOPKIT_EPOLL=off): that is one line, not a warning with a ServiceConfigurationError's
 * 30-line stack, which every module-path start printed twice for a documented switch (two outside
 * reviews). A provider that fails otherwise is still a warning with its stack (RankedRegistryProviderReentrancyTest).
 */
public class RankedRegistryUnavailableProviderTest {

    /** Its one provider cannot work here. */
    public interface Unavailable {
        /** The provider ServiceLoader finds (META-INF/services), which refuses. */
        class Refusing implements Unavailable {
            public Refusing() {
                throw new UnsupportedOperationException("the frobnicator cannot work here: FROB=off in the environment");
            }
        }
    }

    @Test
    public void aProviderThatCannotWorkHereIsOneLineSayingWhy() {
        RankedRegistry<Unavailable> registry = new RankedRegistry<>(Unavailable.class, "frobnicator", null);
        List<LogRecord> said = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger("dev.loopkit.runtime.registry");
        Handler handler = LogHandlers.calling(said::add);
        logger.addHandler(handler);
        try {
            assertEquals(List.of(), registry.entries());
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(said.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList().toString(), 1, said.size());
        LogRecord record = said.get(0);
        assertEquals(record.getMessage(), java.util.logging.Level.INFO, record.getLevel());
        assertEquals("frobnicator provider " + Unavailable.Refusing.class.getName()
                + " is unavailable: the frobnicator cannot work here: FROB=off in the environment", record.getMessage());
        assertNull("no stack for a refusal that says why", record.getThrown());
    }
}
