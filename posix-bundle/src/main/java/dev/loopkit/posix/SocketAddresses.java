package dev.loopkit.posix;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code struct sockaddr_in}, {@code sockaddr_in6} and {@code sockaddr_un} as bytes, to and from
 * java.net's addresses: the family and the IPv6 scope in the machine's byte order, the port in the
 * network's (big-endian), as Linux lays them out on x86_64 and aarch64.
 */
final class SocketAddresses {

    /** {@code sizeof(struct sockaddr_storage)}: room for any address {@code getsockname} returns. */
    static final int STORAGE_BYTES = 128;
    private static final int IN_BYTES = 16;
    private static final int IN6_BYTES = 28;
    /** {@code sun_path} is 108 bytes, the terminating NUL included. */
    private static final int UN_PATH_BYTES = 108;

    private SocketAddresses() {
    }

    /** The {@code AF_*} family {@code address} needs. */
    static int family(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress) {
            return Linux.AF_UNIX;
        }
        InetSocketAddress inet = inet(address);
        return inet.getAddress() instanceof Inet6Address ? Linux.AF_INET6 : Linux.AF_INET;
    }

    /** The bytes of a {@code struct sockaddr} for {@code address}, exactly as long as it is. */
    static byte[] encode(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress unix) {
            byte[] path = unix.getPath().toString().getBytes(StandardCharsets.UTF_8);
            if (path.length >= UN_PATH_BYTES) {
                throw new IllegalArgumentException("AF_UNIX path too long: " + unix.getPath());
            }
            return order(ByteBuffer.allocate(2 + path.length + 1)).putShort((short) Linux.AF_UNIX).put(path).array();
        }
        InetSocketAddress inet = inet(address);
        InetAddress host = inet.getAddress();
        if (host instanceof Inet6Address six) {
            ByteBuffer bytes = order(ByteBuffer.allocate(IN6_BYTES)).putShort((short) Linux.AF_INET6);
            bytes.order(ByteOrder.BIG_ENDIAN).putShort((short) inet.getPort()).putInt(0).put(six.getAddress());
            return bytes.order(ByteOrder.nativeOrder()).putInt(six.getScopeId()).array();
        }
        ByteBuffer bytes = order(ByteBuffer.allocate(IN_BYTES)).putShort((short) Linux.AF_INET);
        return bytes.order(ByteOrder.BIG_ENDIAN).putShort((short) inet.getPort()).put(host.getAddress()).array();
    }

    /** The address in the first {@code length} bytes of {@code sockaddr}. */
    static SocketAddress decode(byte[] sockaddr, int length) {
        if (length == 0) {
            // recvfrom(2) from an unbound Unix socket gives no address at all (Python: None): the unnamed one
            return UnixDomainSocketAddress.of("");
        }
        ByteBuffer bytes = order(ByteBuffer.wrap(sockaddr, 0, length));
        int family = length < 2 ? 0 : bytes.getShort() & 0xffff;
        if (family == Linux.AF_UNIX) {
            int end = 2;
            while (end < length && sockaddr[end] != 0) {
                end++;
            }
            // an unnamed socket's address is empty: the JDK's UnixDomainSocketAddress of ""
            return UnixDomainSocketAddress.of(new String(sockaddr, 2, end - 2, StandardCharsets.UTF_8));
        }
        try {
            if (family == Linux.AF_INET6 && length >= IN6_BYTES) {
                int port = bytes.order(ByteOrder.BIG_ENDIAN).getShort() & 0xffff;
                byte[] host = Arrays.copyOfRange(sockaddr, 8, 24);
                int scope = bytes.order(ByteOrder.nativeOrder()).getInt(24);
                // getByAddress turns an IPv4-mapped address (a dual-stack socket's IPv4 peer) into an Inet4Address
                InetAddress address = InetAddress.getByAddress(host);
                if (address instanceof Inet6Address && scope != 0) {
                    address = Inet6Address.getByAddress(null, host, scope);
                }
                return new InetSocketAddress(address, port);
            }
            if (family == Linux.AF_INET && length >= 8) {
                int port = bytes.order(ByteOrder.BIG_ENDIAN).getShort() & 0xffff;
                return new InetSocketAddress(Inet4Address.getByAddress(Arrays.copyOfRange(sockaddr, 4, 8)), port);
            }
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException("a 4 or 16 byte address was refused", impossible);
        }
        throw new IllegalArgumentException("unknown address family " + family + " (" + length + " bytes)");
    }

    private static InetSocketAddress inet(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            if (inet.isUnresolved()) {
                throw new IllegalArgumentException("unresolved address: " + inet);
            }
            return inet;
        }
        throw new IllegalArgumentException("not an IP or Unix-domain address: " + address);
    }

    private static ByteBuffer order(ByteBuffer bytes) {
        return bytes.order(ByteOrder.nativeOrder());
    }
}
