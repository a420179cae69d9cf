/**
 * The base of the event loops that have transports: TLS and pipes on top of
 * {@link dev.loopkit.loop.core.BaseEventLoop}, for every loop at once.
 */
@Export
@Version("1.0.0")
package dev.loopkit.loop.core.io;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
