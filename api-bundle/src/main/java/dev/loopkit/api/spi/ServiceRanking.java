package dev.loopkit.api.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * The rank of a policy, loop factory or watcher. On a Declarative Services component it becomes the
 * typed property {@code service.ranking:Integer} (DS names a single-element property type after the
 * annotation); on a {@link java.util.ServiceLoader}
 * provider the registry reads it at run time. Higher wins; an unannotated provider ranks 0.
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ServiceRanking {

    int value();
}
