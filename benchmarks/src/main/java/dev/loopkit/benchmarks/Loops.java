package dev.loopkit.benchmarks;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.loop.proactor.ProactorEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.util.List;

/** The loops the benchmarks compare, by name. */
public final class Loops {

    public static final String SELECTOR = "selector";
    public static final String PROACTOR = "proactor";
    /** The native Linux loop ({@link EpollEventLoop}, loop factory name {@code epoll}). */
    public static final String EPOLL = "epoll";
    public static final String NETTY_NIO = "netty-nio";
    public static final String NETTY_EPOLL = "netty-epoll";
    public static final List<String> LOOPKIT = List.of(SELECTOR, PROACTOR, EPOLL);
    public static final List<String> ALL = List.of(SELECTOR, PROACTOR, EPOLL, NETTY_NIO, NETTY_EPOLL);

    private Loops() {
    }

    /**
     * A running loop; {@code epoll} and {@code netty-epoll} throw {@link UnsupportedOperationException} (with the
     * reason) where they cannot work.
     */
    public static LoopDriver start(String name) {
        return isNetty(name) ? new NettyDriver(name, nettyGroup(name, 1)) : new LoopkitDriver(name, loopkit(name));
    }

    /** A new, not yet running Loopkit loop: {@code selector}, {@code proactor} or {@code epoll}. */
    public static BaseEventLoop loopkit(String name) {
        return switch (name) {
            case SELECTOR -> new SelectorEventLoop();
            case PROACTOR -> new ProactorEventLoop();
            case EPOLL -> new EpollEventLoop();
            default -> throw new IllegalArgumentException("unknown Loopkit loop " + name + "; known: " + LOOPKIT);
        };
    }

    /** Whether {@code name} can run here: the native loops need their native code; the reason is in {@link #start}'s exception. */
    public static boolean available(String name) {
        return switch (name) {
            case EPOLL -> EpollEventLoop.unavailableReason() == null;
            case NETTY_EPOLL -> Epoll.isAvailable();
            default -> true;
        };
    }

    /** A Netty group of {@code threads} event loops of the given transport. */
    public static EventLoopGroup nettyGroup(String name, int threads) {
        if (NETTY_EPOLL.equals(name)) {
            if (!Epoll.isAvailable()) {
                throw new UnsupportedOperationException("Netty's epoll transport does not load here: "
                        + Epoll.unavailabilityCause());
            }
            return new EpollEventLoopGroup(threads);
        }
        if (NETTY_NIO.equals(name)) {
            return new NioEventLoopGroup(threads);
        }
        throw new IllegalArgumentException("not a Netty loop: " + name);
    }

    public static boolean isNetty(String name) {
        return name.startsWith("netty-");
    }
}
