package dev.loopkit.api;

/**
 * The keyword arguments of asyncio's {@code create_server}: {@code backlog} (100),
 * {@code reuse_address} (true on Unix), {@code reuse_port} (false) and {@code start_serving}
 * (true). Immutable; each {@code with…} method returns a changed copy.
 */
public record ServerOptions(int backlog, boolean reuseAddress, boolean reusePort, boolean startServing) {

    private static final ServerOptions DEFAULTS = new ServerOptions(100, true, false, true);

    public ServerOptions {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1, not " + backlog);
        }
    }

    public static ServerOptions defaults() {
        return DEFAULTS;
    }

    public ServerOptions withBacklog(int value) {
        return new ServerOptions(value, reuseAddress, reusePort, startServing);
    }

    public ServerOptions withReuseAddress(boolean value) {
        return new ServerOptions(backlog, value, reusePort, startServing);
    }

    public ServerOptions withReusePort(boolean value) {
        return new ServerOptions(backlog, reuseAddress, value, startServing);
    }

    public ServerOptions withStartServing(boolean value) {
        return new ServerOptions(backlog, reuseAddress, reusePort, value);
    }
}
