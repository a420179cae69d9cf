package dev.loopkit.posix;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Runs a child to its end with stdout and stderr captured through pipes. */
record Child(WaitStatus status, String out, String err) {

    static Child run(Posix posix, SpawnSpec spec) throws PosixException {
        int[] out = posix.pipe();
        int[] err = posix.pipe();
        long pid;
        try {
            pid = posix.spawn(spec.withStdout(Redirect.fd(out[1])).withStderr(Redirect.fd(err[1])));
        } finally {
            // the child has its own copies; ours would keep the pipes from reaching end of file
            posix.close(out[1]);
            posix.close(err[1]);
        }
        try {
            String stdout = readAll(posix, out[0]);
            String stderr = readAll(posix, err[0]);
            return new Child(posix.waitpid(pid, false), stdout, stderr);
        } finally {
            posix.close(out[0]);
            posix.close(err[0]);
        }
    }

    /** Blocking reads until end of file. */
    static String readAll(Posix posix, int fd) throws PosixException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        while (posix.read(fd, buffer) > 0) {
            buffer.flip();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            all.writeBytes(bytes);
            buffer.clear();
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    int returncode() {
        return status.returncode();
    }
}
