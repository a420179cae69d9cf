/**
 * Loopkit's native bindings: libc through jnr-ffi (pipes, eventfd, epoll, posix_spawn, waitpid and
 * waitid, pidfds, kill, signal numbers).
 */
module dev.loopkit.posix {
    // automatic modules: the jars as published
    requires org.jnrproject.ffi;
    requires org.jnrproject.constants;
    // jnr-ffi generates its bindings with ASM, but as an automatic module cannot say so; ASM is an
    // explicit module, which nothing would resolve without this line (or --add-modules)
    requires org.objectweb.asm;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.posix;
    // jnr-ffi defines the implementation of the binding interface in a class loader of its own (an
    // unnamed module), which must be able to implement it. A qualified export cannot name that
    // module; an open package is accessible to every module at run time, yet no module can compile
    // against it: the binding stays out of the API.
    opens dev.loopkit.posix.libc;
}
