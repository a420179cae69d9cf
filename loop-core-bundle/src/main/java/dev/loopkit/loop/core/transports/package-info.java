/**
 * Transports and servers the loop implementations build on: flow control, the write buffer and its
 * reused chunks, socket and pipe transports, address checks and resolution.
 */
@Export
@Version("1.0.0")
package dev.loopkit.loop.core.transports;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
