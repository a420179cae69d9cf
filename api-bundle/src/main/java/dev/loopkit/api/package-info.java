/**
 * asyncio's event-loop policy system in Java: {@link dev.loopkit.api.EventLoopPolicy},
 * {@link dev.loopkit.api.EventLoop}, {@link dev.loopkit.api.ChildWatcher}, protocols and transports,
 * and the {@link dev.loopkit.api.Asyncio} facade that stands for asyncio's module functions.
 *
 * <p>asyncio's {@code RuntimeError} is {@link java.lang.IllegalStateException} with asyncio's message
 * text, {@code NotImplementedError} is {@link java.lang.UnsupportedOperationException}, and bad
 * arguments are {@link java.lang.IllegalArgumentException} or {@link java.lang.NullPointerException}
 * naming the argument.
 *
 * <p>Exported without importing it back: the contract bundle imports nothing of Loopkit, and a
 * framework holds one copy of the contract.
 */
@Export(substitution = Export.Substitution.NOIMPORT)
@Version("2.4.0")
package dev.loopkit.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
