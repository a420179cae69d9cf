/**
 * asyncio's {@code ProactorEventLoop}: a completion-based loop. Operations are started on NIO.2
 * asynchronous channels and their completions are handed to the loop's thread.
 */
@Export
@Version("1.0.0")
package dev.loopkit.loop.proactor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
