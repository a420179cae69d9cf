package dev.loopkit.api.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * The name users type to choose a policy, loop factory or watcher ({@code default}, {@code selector},
 * {@code safe}…). On a Declarative Services component it becomes the property {@code loopkit.name};
 * on a {@link java.util.ServiceLoader} provider the registry reads it at run time.
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface LoopkitName {

    String value();
}
