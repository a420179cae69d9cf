package dev.loopkit.loop.proactor;

import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.testsupport.NoFreeDescriptors;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/**
 * The loop's channel group is made at its first socket: with no descriptor left, {@code openSocketChannel()}
 * throws the {@code IOException} it declares, naming the system's error, as opening the socket itself
 * would. It threw an {@code UncheckedIOException} no caller of that method expects.
 */
public class ProactorOutOfDescriptorsTest {

    @Test(timeout = 60_000)
    public void theFirstSocketWithNoDescriptorLeftThrowsTheIOExceptionItDeclares() throws IOException {
        ProactorEventLoop loop = new ProactorEventLoop();
        try {
            AtomicReference<IOException> thrown = new AtomicReference<>();
            NoFreeDescriptors.during(() -> thrown.set(assertThrows(IOException.class, loop::openSocketChannel)));
            IOException refused = thrown.get();
            assertTrue(refused.getMessage(), refused.getMessage().startsWith("cannot create the loop's asynchronous channel group: "));
            assertTrue(refused.getMessage(), refused.getMessage().contains("Too many open files"));
            loop.openSocketChannel().close(); // and once descriptors are free again, it can
        } finally {
            loop.close();
        }
    }
}
