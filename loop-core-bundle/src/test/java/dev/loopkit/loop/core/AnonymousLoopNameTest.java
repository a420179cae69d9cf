package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * A loop of an anonymous subclass (a user's that overrides one method, as the main loop's tests do) is
 * named by the class it extends. Before, its name in {@code loop:loops}, warnings, JFR events and
 * {@code toString()} was empty: "&lt; #3 running=false ...&gt;".
 */
public class AnonymousLoopNameTest {

    @Test
    public void anAnonymousSubclassIsNamedByTheLoopItExtends() {
        ParkingEventLoop loop = new ParkingEventLoop() { };
        try {
            assertEquals("ParkingEventLoop #" + loop.id(), loop.loopName());
            assertTrue(loop.toString(), loop.toString().startsWith("<ParkingEventLoop #" + loop.id() + " running="));
            assertEquals("ParkingEventLoop does not support sockRecvInto",
                    loop.unsupported("sockRecvInto").getMessage());
        } finally {
            loop.close();
        }
    }
}
