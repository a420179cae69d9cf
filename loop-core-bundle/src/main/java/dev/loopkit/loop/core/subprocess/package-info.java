/**
 * asyncio's subprocess transport: launching a child with posix_spawn, its pipes, and the transport
 * that reports its output and its exit. It builds on {@code BaseEventLoop} and the transports, so
 * the loop implementations call it from their {@code makeSubprocessTransport} (asyncio's
 * {@code _make_subprocess_transport} lives in {@code unix_events.py}, not in {@code base_events.py},
 * for the same reason).
 */
@Export
@Version("1.0.0")
package dev.loopkit.loop.core.subprocess;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
