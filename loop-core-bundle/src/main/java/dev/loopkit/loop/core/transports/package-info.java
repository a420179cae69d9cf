/**
 * Transports and servers the loop implementations build on: flow control, the write buffer, socket
 * and pipe transports, the UDP transport and its endpoints. (The per-loop write chunks and the
 * address checks sit in {@code dev.loopkit.loop.core} with the loop that holds and calls them.)
 */
@Export
@Version("1.1.0")
package dev.loopkit.loop.core.transports;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
