/**
 * The base of Loopkit's event loops: {@link dev.loopkit.loop.core.BaseEventLoop} runs asyncio's
 * {@code _run_once} over a ready queue, a cross-thread inbound queue and a timer heap; subclasses
 * only say how to wait for events and how to be woken. Scheduling, transports and subprocesses
 * live in the subpackages; 2.0.0 because their classes left this package, 2.1.0 for
 * {@link dev.loopkit.loop.core.RawFdSet} (a loop's own epoll set, which the epoll loop waits in),
 * 3.0.0 and 4.0.0 as {@code callSoonHandle} took an {@code InboundHandle}, then any
 * {@code CallbackHandle}, 5.0.0 as {@code HeapWrites} became {@link dev.loopkit.loop.core.HeapPieces}
 * (reads too).
 */
@Export
@Version("5.0.0")
package dev.loopkit.loop.core;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
