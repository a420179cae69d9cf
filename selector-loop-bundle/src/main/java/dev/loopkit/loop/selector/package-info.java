/** asyncio's {@code SelectorEventLoop}: a readiness-based loop on a java.nio {@link java.nio.channels.Selector}. */
@Export
@Version("1.0.0")
package dev.loopkit.loop.selector;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
