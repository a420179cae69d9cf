package dev.loopkit.loop.core.transports;

import dev.loopkit.api.DatagramEndpoint;
import dev.loopkit.api.DatagramOptions;
import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.ChannelReadiness;
import dev.loopkit.loop.core.Networks;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * asyncio's {@code create_datagram_endpoint} for any loop with a {@link ChannelReadiness}, or with
 * UDP sockets of its own ({@link SocketOpener}): the addresses resolved and paired by family, the
 * socket set up (options, bind, connect), then a {@link DatagramChannelTransport}. The loops call it from their {@code createDatagramEndpoint} (the
 * transports build on the loop core, so the core does not reach them itself).
 */
public final class DatagramEndpoints {

    /** The local and remote address of one family, as asyncio's {@code addr_pairs_info}. */
    private record AddressPair(ProtocolFamily family, InetSocketAddress local, InetSocketAddress remote) {
    }

    /** Opens a UDP socket of a family, watched by the loop that will own the endpoint. */
    @FunctionalInterface
    public interface SocketOpener {

        /** A new, unbound, non-blocking UDP socket of {@code family}. */
        DatagramSocketIo open(ProtocolFamily family) throws IOException;
    }

    private DatagramEndpoints() {
    }

    /**
     * asyncio {@code create_datagram_endpoint}, for arguments the loop checked: with neither address,
     * {@code options} has a family (an unbound socket of it).
     */
    public static <P extends DatagramProtocol> CompletionStage<DatagramEndpoint<P>> create(BaseEventLoop loop,
            ChannelReadiness readiness, Supplier<P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr,
            DatagramOptions options) {
        Objects.requireNonNull(readiness, "readiness");
        return create(loop, family -> JdkDatagramSocketIo.open(readiness, family), protocolFactory, localAddr, remoteAddr,
                options);
    }

    /**
     * asyncio {@code create_datagram_endpoint} on the sockets {@code opener} makes, for arguments the
     * loop checked: with neither address, {@code options} has a family (an unbound socket of it).
     */
    public static <P extends DatagramProtocol> CompletionStage<DatagramEndpoint<P>> create(BaseEventLoop loop,
            SocketOpener opener, Supplier<P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr,
            DatagramOptions options) {
        if (localAddr == null && remoteAddr == null) {
            return open(loop, opener, protocolFactory, List.of(new AddressPair(options.family(), null, null)), false, options);
        }
        LoopFuture<List<InetSocketAddress>> locals = resolve(loop, localAddr, "local_addr");
        LoopFuture<List<InetSocketAddress>> remotes = resolve(loop, remoteAddr, "remote_addr");
        return locals.thenCompose(local -> remotes.thenCompose(remote -> {
            List<AddressPair> pairs = pair(local, remote, localAddr != null, remoteAddr != null, options.family());
            if (pairs.isEmpty()) {
                return failed(loop, new IllegalArgumentException("can not get address information"));
            }
            return open(loop, opener, protocolFactory, pairs, remoteAddr != null, options);
        }));
    }

    private static LoopFuture<List<InetSocketAddress>> resolve(BaseEventLoop loop, SocketAddress address, String name) {
        if (address == null) {
            return completed(loop, List.of());
        }
        if (!(address instanceof InetSocketAddress inet)) {
            throw new IllegalArgumentException(name + " must be an InetSocketAddress (asyncio's (host, port)), not "
                    + address.getClass().getName());
        }
        return inet.isUnresolved() ? loop.getaddrinfo(inet.getHostString(), inet.getPort()) : completed(loop, List.of(inet));
    }

    // asyncio joins the addresses by family and keeps the families both given addresses resolve to.
    private static List<AddressPair> pair(List<InetSocketAddress> locals, List<InetSocketAddress> remotes,
            boolean wantLocal, boolean wantRemote, ProtocolFamily only) {
        Map<ProtocolFamily, InetSocketAddress[]> byFamily = new LinkedHashMap<>();
        for (int index = 0; index < 2; index++) {
            for (InetSocketAddress address : index == 0 ? locals : remotes) {
                ProtocolFamily family = familyOf(address);
                if (only == null || only == family) {
                    InetSocketAddress[] slots = byFamily.computeIfAbsent(family, f -> new InetSocketAddress[2]);
                    if (slots[index] == null) {
                        slots[index] = address;
                    }
                }
            }
        }
        List<AddressPair> pairs = new ArrayList<>();
        byFamily.forEach((family, pair) -> {
            if ((!wantLocal || pair[0] != null) && (!wantRemote || pair[1] != null)) {
                pairs.add(new AddressPair(family, pair[0], pair[1]));
            }
        });
        return pairs;
    }

    private static ProtocolFamily familyOf(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    // asyncio tries each pair until a socket is set up, and raises the first error when none is.
    private static <P extends DatagramProtocol> LoopFuture<DatagramEndpoint<P>> open(BaseEventLoop loop,
            SocketOpener opener, Supplier<P> protocolFactory, List<AddressPair> pairs, boolean withRemote,
            DatagramOptions options) {
        List<IOException> errors = new ArrayList<>();
        for (AddressPair pair : pairs) {
            DatagramSocketIo socket = null;
            try {
                socket = opener.open(pair.family());
                NetworkChannel channel = socket.channel();
                if (options.reusePort()) {
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                if (options.allowBroadcast()) {
                    channel.setOption(StandardSocketOptions.SO_BROADCAST, true);
                }
                if (pair.local() != null) {
                    channel.bind(pair.local());
                }
                if (withRemote && !options.allowBroadcast()) {
                    socket.connect(pair.remote());
                }
            } catch (IOException e) {
                if (socket != null) {
                    Networks.closeQuietly(socket::close);
                }
                errors.add(e);
                continue;
            } catch (UnsupportedOperationException e) {
                // A family the JDK's datagram channels cannot open (UNIX, which asyncio's can): on the stage,
                // where the epoll loop's own sockets make the endpoint; thrown out of the call, it was where
                // no caller of a stage looks (the network review)
                if (socket != null) {
                    Networks.closeQuietly(socket::close);
                }
                return failed(loop, e);
            } catch (RuntimeException | Error e) {
                // not an address that failed: no other pair is tried, and the socket goes (nothing else owns it)
                if (socket != null) {
                    Networks.closeQuietly(socket::close);
                }
                throw e;
            }
            return start(loop, socket, protocolFactory, withRemote ? pair.remote() : null);
        }
        return failed(loop, errors.get(0));
    }

    private static <P extends DatagramProtocol> LoopFuture<DatagramEndpoint<P>> start(BaseEventLoop loop,
            DatagramSocketIo socket, Supplier<P> protocolFactory, SocketAddress remote) {
        LoopFuture<DatagramEndpoint<P>> made = loop.createFuture();
        DatagramChannelTransport transport = null;
        try {
            P protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            transport = new DatagramChannelTransport(loop, socket, protocol, remote);
            DatagramChannelTransport started = transport;
            transport.start(() -> made.setResult(new DatagramEndpoint<>(started, protocol)));
        } catch (UnsupportedOperationException e) {
            drop(loop, transport, socket);
            made.setException(loop.unsupported("createDatagramEndpoint", e));
        } catch (RuntimeException | Error e) {
            // An Error from the protocol factory (a StackOverflowError in user code, out of memory) travels on as
            // before, but not with the socket: no transport took it, so nothing else, the loop's close included,
            // would ever close it (an outside review; the accept path closes its connection so)
            drop(loop, transport, socket);
            if (e instanceof Error error) {
                throw error;
            }
            made.setException(e);
        }
        return made;
    }

    private static void drop(BaseEventLoop loop, DatagramChannelTransport transport, DatagramSocketIo socket) {
        if (transport != null) {
            transport.release();
            loop.untrack(transport);
        }
        Networks.closeQuietly(socket::close);
    }

    private static <T> LoopFuture<T> completed(BaseEventLoop loop, T value) {
        LoopFuture<T> future = loop.createFuture();
        future.setResult(value);
        return future;
    }

    private static <T> LoopFuture<T> failed(BaseEventLoop loop, Throwable error) {
        LoopFuture<T> future = loop.createFuture();
        future.setException(error);
        return future;
    }
}
