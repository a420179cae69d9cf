package dev.loopkit.posix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.fail;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.rules.RuleChain;
import org.junit.rules.TestRule;
import org.junit.rules.Timeout;

/** What every native test shares: libc bound before the first fd snapshot, no fd leaks, a deadline. */
public abstract class PosixTestSupport {

    protected static Posix posix;

    @Rule
    public final TestRule rules = RuleChain.outerRule(new NoFdLeaks()).around(Timeout.seconds(30));

    @BeforeClass
    public static void bindLibc() {
        posix = Posix.get();
        posix.pidfdSupported(); // the probe opens and closes a pidfd: once, outside the fd comparison
    }

    /** A listening socket on {@code address} and a connected pair through it: {listener, client, accepted}. */
    protected static int[] connectedPair(SocketAddress address) throws Exception {
        Sockets sockets = posix.sockets();
        int listener = sockets.open(Sockets.familyOf(address));
        sockets.bind(listener, address);
        sockets.listen(listener, 8);
        SocketAddress bound = sockets.localAddress(listener);
        int client = sockets.open(Sockets.familyOf(address));
        if (!sockets.connect(client, bound)) {
            assertEquals(0, posix.awaitReadable(new int[] {listener}, 10_000));
            sockets.finishConnect(client);
        }
        // the connection is in the listener's queue once it polls readable: no retry, no sleep
        assertEquals(0, posix.awaitReadable(new int[] {listener}, 10_000));
        Sockets.Accepted accepted = sockets.accept(listener);
        assertNotNull("accepted", accepted);
        return new int[] {listener, client, accepted.fd()};
    }

    /** A child that runs until its stdin (the returned write end) is closed: {@code cat > /dev/null}. */
    protected static RunningChild startCat(SpawnSpec spec) throws PosixException {
        int[] stdin = posix.pipe();
        try {
            long pid = posix.spawn(spec.withStdin(Redirect.fd(stdin[0])).withStdout(Redirect.DEVNULL));
            return new RunningChild(pid, stdin[1]);
        } catch (PosixException | RuntimeException e) {
            posix.close(stdin[1]);
            throw e;
        } finally {
            posix.close(stdin[0]);
        }
    }

    protected static RunningChild startCat() throws PosixException {
        return startCat(SpawnSpec.of("cat"));
    }

    /** A started {@code cat}; {@link #finish()} closes its stdin and reaps it. */
    protected record RunningChild(long pid, int stdin) {
        int finish() throws PosixException {
            posix.close(stdin);
            return posix.waitpid(pid, false).returncode();
        }
    }

    protected static void writeFully(int fd, String text) throws PosixException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            if (posix.write(fd, buffer) < 0) {
                fail("pipe full");
            }
        }
    }

    protected static void assertErrno(String errnoName, PosixException e) {
        assertEquals(e.getMessage(), errnoName, e.errnoName());
    }
}
