package dev.loopkit.examples;

import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.Redirect;
import dev.loopkit.posix.SpawnSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Loopkit's native bindings without OSGi: spawns {@code /bin/echo hello} with its stdout on a pipe,
 * reads what it says, reaps it and prints its return code.
 *
 * <pre>
 * java --module-path mods -m dev.loopkit.examples/dev.loopkit.examples.SpawnHello
 * </pre>
 * where {@code mods/} holds api-bundle, posix-bundle, examples and the JNR jars (jnr-ffi, jffi and
 * its native jar, jnr-constants, asm, jnr-x86asm, jnr-a64asm).
 */
public final class SpawnHello {

    private SpawnHello() {
    }

    public static void main(String[] args) throws PosixException {
        Posix posix = Posix.get();
        int[] pipe = posix.pipe();
        long pid;
        try {
            pid = posix.spawn(SpawnSpec.of("/bin/echo", "hello").withStdout(Redirect.fd(pipe[1])));
        } finally {
            posix.close(pipe[1]); // the child has its own copy; ours would hide the end of its output
        }
        StringBuilder said = new StringBuilder();
        try {
            ByteBuffer buffer = ByteBuffer.allocate(256);
            while (posix.read(pipe[0], buffer.clear()) > 0) {
                said.append(StandardCharsets.UTF_8.decode(buffer.flip()));
            }
        } finally {
            posix.close(pipe[0]);
        }
        System.out.println("echo said: " + said.toString().strip());
        System.out.println("returncode: " + posix.waitpid(pid, false).returncode());
    }
}
