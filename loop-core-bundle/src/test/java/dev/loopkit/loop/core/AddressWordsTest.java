package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Addresses in failure messages as asyncio names them: an IPv6 sockaddr is Python's 4-tuple with the
 * host in its short form, "('::1', 8080, 0, 0)"; Loopkit said "('0:0:0:0:0:0:0:1', 8080)" (an outside review).
 */
class AddressWordsTest {

    @Example
    void anIpv6AddressIsNamedAsPythonNamesIt() throws UnknownHostException {
        assertEquals("('::', 8080, 0, 0)", Networks.describe(new InetSocketAddress(InetAddress.getByName("::"), 8080)));
        assertEquals("('::1', 1, 0, 0)", Networks.describe(new InetSocketAddress(InetAddress.getByName("::1"), 1)));
        assertEquals("('127.0.0.1', 1)", Networks.describe(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1)));
        assertEquals("2001:db8::1", text("2001:0db8:0:0:0:0:0:1"));
        assertEquals("the longest run of zeros", "1:0:0:1::1", text("1:0:0:1:0:0:0:1"));
        assertEquals("the first of the longest", "1::1:0:0:1", text("1:0:0:0:1:0:0:1"));
        assertEquals("one zero group stays", "1:0:1:1:1:1:1:1", text("1:0:1:1:1:1:1:1"));
        assertEquals("fe80::", text("fe80:0:0:0:0:0:0:0"));
    }

    /** Any address: the short form names the same address, and has "::" where two zero groups follow each other. */
    @Property(tries = 500)
    void theShortFormIsTheSameAddress(@ForAll @Size(8) List<@IntRange(min = 0, max = 3) Integer> choices) throws UnknownHostException {
        List<String> groups = choices.stream().map(List.of("0", "0", "1", "ffff")::get).toList();
        String full = String.join(":", groups);
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            int group = Integer.parseInt(groups.get(i), 16);
            bytes[2 * i] = (byte) (group >> 8);
            bytes[2 * i + 1] = (byte) group;
        }
        // from its bytes, so that an IPv4-mapped address stays IPv6 (getByName makes it an Inet4Address)
        String shortForm = Networks.ipv6Text(Inet6Address.getByAddress(null, bytes, -1));
        assertEquals(shortForm, InetAddress.getByName(full), InetAddress.getByName(shortForm));
        boolean twoZeros = false;
        for (int i = 0; i + 1 < 8; i++) {
            twoZeros |= groups.get(i).equals("0") && groups.get(i + 1).equals("0");
        }
        assertEquals(full + " -> " + shortForm, twoZeros, shortForm.contains("::"));
    }

    private static String text(String address) throws UnknownHostException {
        return Networks.ipv6Text((Inet6Address) InetAddress.getByName(address));
    }
}
