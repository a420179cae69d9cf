/**
 * asyncio's subprocess transport, inside the bundle only: launching a child with posix_spawn, its
 * pipes, and the transport that reports its output and its exit. Loops reach it through
 * {@code EventLoop.subprocessExec}; no other bundle imports it.
 */
package dev.loopkit.loop.core.subprocess;
