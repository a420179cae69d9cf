package dev.loopkit.benchmarks;

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
    public static final String NETTY_NIO = "netty-nio";
    public static final String NETTY_EPOLL = "netty-epoll";
    public static final List<String> ALL = List.of(SELECTOR, PROACTOR, NETTY_NIO, NETTY_EPOLL);

    private Loops() {
    }

    /** A running loop; {@code netty-epoll} throws {@link UnsupportedOperationException} where the native transport does not load. */
    public static LoopDriver start(String name) {
        return switch (name) {
            case SELECTOR -> new LoopkitDriver(name, new SelectorEventLoop());
            case PROACTOR -> new LoopkitDriver(name, new ProactorEventLoop());
            case NETTY_NIO, NETTY_EPOLL -> new NettyDriver(name, nettyGroup(name, 1));
            default -> throw new IllegalArgumentException("unknown loop " + name + "; known: " + ALL);
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
