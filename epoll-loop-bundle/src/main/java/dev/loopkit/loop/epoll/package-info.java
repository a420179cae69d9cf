/** A native Linux event loop: one {@code epoll_wait} for raw descriptors, child pipes, pidfds, wake-ups and timers. */
@Export
@Version("1.0.0")
package dev.loopkit.loop.epoll;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
