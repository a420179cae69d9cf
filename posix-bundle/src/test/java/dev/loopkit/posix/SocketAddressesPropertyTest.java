package dev.loopkit.posix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.CharRange;

/**
 * Any IPv4, IPv6 or Unix-domain address becomes a {@code struct sockaddr} of the family's length
 * and reads back the same (no native call: the bytes only).
 */
class SocketAddressesPropertyTest {

    @Property
    void ipv4AddressesReadBackAsWritten(@ForAll @Size(4) byte[] host, @ForAll @IntRange(max = 65535) int port)
            throws UnknownHostException {
        roundTrip(new InetSocketAddress(InetAddress.getByAddress(host), port), 16);
    }

    @Property
    void ipv6AddressesReadBackAsWritten(@ForAll @Size(16) byte[] host, @ForAll @IntRange(max = 65535) int port)
            throws UnknownHostException {
        // an IPv4-mapped address comes back as the IPv4 one, as the JDK itself makes it: compare like with like
        roundTrip(new InetSocketAddress(InetAddress.getByAddress(host), port), -1);
    }

    @Property
    void unixPathsReadBackAsWrittenUpTo107Bytes(@ForAll @StringLength(min = 1, max = 107) @CharRange(from = 'a', to = 'z') String name) {
        roundTrip(UnixDomainSocketAddress.of(name), 2 + name.length() + 1);
    }

    @Property(tries = 20)
    void longerUnixPathsAreRefused(@ForAll @StringLength(min = 108, max = 300) @CharRange(from = 'a', to = 'z') String name) {
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.encode(UnixDomainSocketAddress.of(name)));
    }

    private static void roundTrip(SocketAddress address, int expectedLength) {
        byte[] sockaddr = SocketAddresses.encode(address);
        if (expectedLength >= 0) {
            assertEquals(expectedLength, sockaddr.length);
        }
        byte[] storage = new byte[SocketAddresses.STORAGE_BYTES];
        System.arraycopy(sockaddr, 0, storage, 0, sockaddr.length);
        assertEquals(address, SocketAddresses.decode(storage, sockaddr.length));
    }
}
