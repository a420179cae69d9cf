package dev.loopkit.api;

import org.osgi.annotation.versioning.ProviderType;

/** asyncio's {@code SubprocessTransport}. */
@ProviderType
public interface SubprocessTransport extends BaseTransport {

    long getPid();

    /** The child's return code (asyncio's convention), or {@code null} while it runs. */
    Integer getReturncode();

    /**
     * The transport of the child's pipe {@code fd} (0: a {@link WriteTransport}, 1 and 2: a
     * {@link ReadTransport}), or {@code null} when that stream is not a pipe.
     */
    BaseTransport getPipeTransport(int fd);

    /**
     * Sends {@code signal} to the child; nothing happens once it has exited.
     *
     * @throws IllegalArgumentException when {@code signal} is no signal number (asyncio's
     *     {@code OSError: [Errno 22] Invalid argument})
     */
    void sendSignal(int signal);

    /** Sends SIGTERM. */
    void terminate();

    /** Sends SIGKILL. */
    void kill();
}
