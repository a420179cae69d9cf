/**
 * What runs when on a loop's thread: callback handles, the cross-thread inbound queue, the timer
 * heap and the loop clock. 2.1.0: a {@code CallbackHandle} subclass may be its own callback.
 */
@Export
@Version("2.1.0")
package dev.loopkit.loop.core.scheduling;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
